using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Xunit;
using CompileTimeRules = Switchyard.Internal.NameRules;

namespace Switchyard.Generators.Tests.Driver;

/// <summary>
/// The runtime's <see cref="ChannelNames"/> and the generator's SWY0007 read one file (<c>Shared/NameRules.cs</c>), built
/// twice: for net10.0 in the runtime, with its vectorised fast path, and for netstandard2.0 in the generator, without it.
/// These tests hold the two builds to the same answers: the generator reports a name written in an attribute exactly
/// when the runtime would reject it.
/// </summary>
public sealed partial class NameRulesAgreementTests
{
    // Valid everywhere.
    private static readonly string[] Plain =
    [
        "a", "Z", "0", "-", "_", ".", "..", "chat", "chat.room-1_X", "0.9", "A-Z_a-z.0-9", new string('x', 99),
    ];

    // Valid as channel names only: one '!', not first.
    private static readonly string[] ProcessLocal =
    [
        "specific.abc!def", "http.response!", "a!b", "a!", new string('p', 50) + "!" + new string('q', 48),
    ];

    // Invalid everywhere: empty, too long, each kind of forbidden character at the start, middle and end, and '!'
    // where even a channel name may not have it.
    private static readonly string[] Broken =
    [
        "", new string('y', 100), new string('y', 101), new string('r', 60) + "!" + new string('s', 39),
        "has space", " lead", "trail ", "!abc", "!", "a!b!c", "a!!", "!a!b",
        "slash/name", "colon:", "at@", "hash#", "star*", "plus+", "percent%", "quote\"", "back\\slash", "apos'",
        "comma,", "semi;", "eq=", "tilde~", "backtick`", "caret^", "pipe|", "lt<", "gt>", "question?", "paren(",
        "bracket[", "dollar$", "amp&",
        "tab\tx", "new\nline", "nul\0", "bell\u0007", "del\u007f", "nbsp\u00a0",
        "caf\u00e9", "\u00e9", "omega\u03a9", "zero\u200bwidth", "emoji\U0001F600", "lone\ud800", "fullwidth\uff21",
        "arabic\u0661digit", "kelvin\u212a", "dotless\u0131",
    ];

    private static IEnumerable<string> All => Plain.Concat(ProcessLocal).Concat(Broken);

    [Fact]
    public void The_table_has_names_each_rule_accepts_and_rejects()
    {
        Assert.All(Plain, name => Assert.True(ChannelNames.IsValidGroupName(name), name));
        Assert.All(ProcessLocal, name => Assert.True(ChannelNames.IsValidChannelName(name) && !ChannelNames.IsValidGroupName(name), name));
        Assert.All(Broken, name => Assert.False(ChannelNames.IsValidChannelName(name), name));
        Assert.Equal(All.Count(), All.Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public void Message_types_are_reported_exactly_when_the_runtime_rejects_them() =>
        AssertAgreement(
            All,
            (name, literal) => $"[Message({literal})] public sealed partial record M{Line(name)}(int N);",
            "Message type",
            name => Rejects(() => ChannelNames.ValidateMessageType(name)));

    [Fact]
    public void Group_names_are_reported_exactly_when_the_runtime_rejects_them() =>
        AssertAgreement(
            All,
            (_, literal) => $"[JoinGroup({literal})]",
            "Group name",
            name => Rejects(() => ChannelNames.ValidateGroupName(name)),
            prologue: "[WebSocketConsumer(\"/ws/tie/\")]",
            epilogue: "public sealed partial class Groups : Consumer { }");

    // A [ChannelConsumer] names a channel that workers receive on, so it may not be process-local: only the process
    // that made a process-local channel (NewChannelAsync) receives on it, and the layers refuse anyone else.
    [Fact]
    public void Channel_consumer_names_are_reported_exactly_when_the_runtime_rejects_them_or_they_are_process_local() =>
        AssertAgreement(
            All,
            (name, literal) => $"[ChannelConsumer({literal})] public sealed partial class W{Line(name)} : ChannelConsumer {{ }}",
            "Channel name",
            name => Rejects(() => ChannelNames.ValidateChannelName(name)) || ChannelNames.IsProcessLocal(name));

    // Every UTF-16 code unit at the start, in the middle and at the end of a name, and after a '!': the runtime build
    // (vectorised scan, then the loop for what it rejects) and the generator's netstandard2.0 build (the loop alone)
    // accept the same names and, for those they reject, name the same problem.
    [Fact]
    public void The_runtime_and_the_generator_builds_agree_on_every_character()
    {
        var disagreements = new List<string>();
        for (var code = 0; code <= char.MaxValue; code++)
        {
            var c = ((char)code).ToString();
            foreach (var name in (string[])["a" + c, c + "b", "a" + c + "b", "ab" + c, "a!" + c, c + "!b", "a!b" + c])
            {
                if (ChannelNames.IsValidChannelName(name) != CompileTimeRules.IsValid(name, allowLocalPart: true) ||
                    ChannelNames.IsValidGroupName(name) != CompileTimeRules.IsValid(name, allowLocalPart: false))
                {
                    disagreements.Add($"U+{code:X4} in {Escape(name)}");
                }
            }
        }

        Assert.Empty(disagreements);
        Assert.Equal(2 * 26 + 10 + 3, Enumerable.Range(0, char.MaxValue + 1).Count(code => ChannelNames.IsValidGroupName(((char)code).ToString())));
    }

    [Fact]
    public void The_runtime_exception_states_the_problem_the_shared_rules_find()
    {
        foreach (var name in All)
        {
            var channelProblem = CompileTimeRules.Check(name, allowLocalPart: true);
            var groupProblem = CompileTimeRules.Check(name, allowLocalPart: false);
            AssertStates(() => ChannelNames.ValidateChannelName(name), channelProblem);
            AssertStates(() => ChannelNames.ValidateGroupName(name), groupProblem);
            AssertStates(() => ChannelNames.ValidateMessageType(name), groupProblem);
        }

        static void AssertStates(Action validate, string? problem)
        {
            if (problem is null)
            {
                validate();
            }
            else
            {
                Assert.Contains($" is invalid: {problem}. ", Assert.Throws<ArgumentException>(validate).Message, StringComparison.Ordinal);
            }
        }
    }

    // Compiles one declaration per name (each on its own line), runs the generator and checks that SWY0007 appears on
    // exactly the lines whose name the runtime rejects, pointing at the same character or length as the runtime.
    private static void AssertAgreement(
        IEnumerable<string> names, Func<string, string, string> declare, string kind, Func<string, bool> runtimeRejects, string prologue = "", string epilogue = "")
    {
        const string Usings = "using Switchyard;\nnamespace App;\n";
        var table = names.ToArray();
        var source = new StringBuilder(Usings).AppendLine(prologue);
        var firstLine = 3;
        foreach (var name in table)
        {
            source.AppendLine(declare(name, Literal(name)));
        }

        source.AppendLine(epilogue);
        var run = GeneratorHarness.Run(source.ToString());

        Assert.All(run.GeneratorDiagnostics, d => Assert.Equal("SWY0007", d.Id));
        var reported = run.GeneratorDiagnostics.ToDictionary(d => d.Location.GetLineSpan().StartLinePosition.Line - firstLine, d => d.GetMessage(CultureInfo.InvariantCulture));
        var wrong = new List<string>();
        for (var i = 0; i < table.Length; i++)
        {
            var name = table[i];
            var rejects = runtimeRejects(name);
            if (reported.TryGetValue(i, out var message) != rejects)
            {
                wrong.Add($"{Escape(name)}: the runtime {(rejects ? "rejects" : "accepts")} it, the generator {(message is null ? "does not report it" : "reports: " + message)}");
            }
            else if (message is not null)
            {
                Assert.StartsWith($"{kind} '", message, StringComparison.Ordinal);
                Assert.Equal(Where(RuntimeProblem(name, kind)), Where(message));
            }
        }

        Assert.Empty(wrong);
        Assert.Empty(run.CompileDiagnostics);
    }

    private static string RuntimeProblem(string name, string kind)
    {
        Action validate = kind switch
        {
            "Message type" => () => ChannelNames.ValidateMessageType(name),
            "Group name" => () => ChannelNames.ValidateGroupName(name),
            // A [ChannelConsumer] channel may have no '!' at all: the first one is what is wrong, as in a group name.
            _ when ChannelNames.IsProcessLocal(name) => () => ChannelNames.ValidateGroupName(name),
            _ => () => ChannelNames.ValidateChannelName(name),
        };
        return Assert.Throws<ArgumentException>(validate).Message;
    }

    // "at position 4", "it is 100 characters long" or "it is empty": the fact both messages must share. The runtime
    // says "it starts with '!'" where the generator says "'!' at position 0".
    private static string Where(string message) => WhereRegex().Match(message) switch
    {
        { Success: true, Value: "it starts with '!'" } => "at position 0",
        { Success: true } m => m.Value,
        _ => message,
    };

    private static bool Rejects(Action validate)
    {
        try
        {
            validate();
            return false;
        }
        catch (ArgumentException)
        {
            return true;
        }
    }

    private static int Line(string name) => Array.IndexOf(All.ToArray(), name);

    // A C# string literal for any name: printable ASCII as is, everything else escaped.
    private static string Literal(string name)
    {
        var literal = new StringBuilder("\"");
        foreach (var c in name)
        {
            if (c is '"' or '\\')
            {
                literal.Append('\\').Append(c);
            }
            else if (c is >= ' ' and <= '~')
            {
                literal.Append(c);
            }
            else
            {
                literal.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}");
            }
        }

        return literal.Append('"').ToString();
    }

    private static string Escape(string name) => Literal(name.Length > 30 ? name[..30] + "..." : name);

    [GeneratedRegex(@"at position \d+|it is \d+ characters long|it is empty|it starts with '!'")]
    private static partial Regex WhereRegex();
}
