using System.Globalization;
using System.Text;

namespace Switchyard.Generators.Benchmarks;

/// <summary>
/// The source of a synthetic user project for <see cref="GeneratorBenchmarks"/>: 200 <c>[Message]</c> records and
/// 200 consumers (even ones <c>[WebSocketConsumer]</c> with a <c>[JoinGroup]</c> rule, odd ones
/// <c>[ChannelConsumer]</c>), two handlers each, spread over 40 files, plus one file the generator has no interest in.
/// </summary>
internal static class SyntheticProject
{
    public const int Messages = 200;
    public const int Consumers = 200;
    public const int PerFile = 10;

    private const string Usings = "using System;\nusing System.Collections.Generic;\nusing System.Threading;\nusing System.Threading.Tasks;\nusing Switchyard;\n\nnamespace Gen;\n\n";

    /// <summary>Gets the files: message files, consumer files, then <see cref="Unrelated"/> (version 0), last.</summary>
    /// <returns>Path and text of each file.</returns>
    public static IReadOnlyList<(string Path, string Text)> Files()
    {
        var files = new List<(string, string)>();
        for (var file = 0; file < Messages / PerFile; file++)
        {
            var text = new StringBuilder(Usings);
            for (var n = file * PerFile; n < (file + 1) * PerFile; n++)
            {
                text.Append(Message(n));
            }

            files.Add(($"Messages{file}.cs", text.ToString()));
        }

        for (var file = 0; file < Consumers / PerFile; file++)
        {
            var text = new StringBuilder(Usings);
            for (var n = file * PerFile; n < (file + 1) * PerFile; n++)
            {
                text.Append(Consumer(n));
            }

            files.Add(($"Consumers{file}.cs", text.ToString()));
        }

        files.Add(("Unrelated.cs", Unrelated(0)));
        return files;
    }

    /// <summary>A file with nothing the generator looks at; versions differ in a constant and one method.</summary>
    /// <param name="version">The version.</param>
    /// <returns>The text.</returns>
    public static string Unrelated(int version) => Invariant($$"""
        namespace Gen.Util;

        public static class Clock
        {
            public const int Version = {{version}};

            public static string Describe(int minutes) => minutes < 60 ? minutes + " min" : (minutes / 60) + " h " + (minutes % 60) + " min";

            public static int Revision{{version}}(int value) => value * {{version + 1}};
        }

        """);

    // Four shapes of message, so the serializers the generator writes vary: primitives and a date; a GUID, a list
    // and a nullable; a nested message and a read-only list; a dictionary, a bool and a double.
    private static string Message(int n) => (n % 4) switch
    {
        0 => Invariant($"[Message(\"gen.m{n}\")]\npublic sealed partial record M{n}(int Id, string Name, DateTimeOffset At);\n\n"),
        1 => Invariant($"[Message(\"gen.m{n}\")]\npublic sealed partial record M{n}(Guid Id, string Text, List<string> Tags, int? Score = null);\n\n"),
        2 => Invariant($"[Message(\"gen.m{n}\")]\npublic sealed partial record M{n}(long Sequence, M{n - 1}? Previous, IReadOnlyList<int> Values);\n\n"),
        _ => Invariant($"[Message(\"gen.m{n}\")]\npublic sealed partial record M{n}(string Room, string User, string Text, bool Edited, double Weight, Dictionary<string, string> Meta);\n\n"),
    };

    // Two handlers each: a ValueTask Handle with a token for message n, a Task HandleAsync for message n + 1.
    private static string Consumer(int n)
    {
        var next = (n + 1) % Messages;
        var handlers = Invariant($$"""
            {
                public int Count { get; private set; }

                public ValueTask Handle(M{{n}} message, CancellationToken cancellationToken)
                {
                    Count++;
                    return default;
                }

                public Task HandleAsync(M{{next}} message)
                {
                    Count++;
                    return Task.CompletedTask;
                }
            }


            """);
        return n % 2 == 0
            ? Invariant($"[WebSocketConsumer(\"/ws/n{n}/{{room}}/\")]\n[JoinGroup(\"g{n}.{{room}}\")]\npublic sealed partial class C{n} : Consumer\n") + handlers
            : Invariant($"[ChannelConsumer(\"jobs.n{n}\")]\npublic sealed partial class C{n} : ChannelConsumer\n") + handlers;
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
