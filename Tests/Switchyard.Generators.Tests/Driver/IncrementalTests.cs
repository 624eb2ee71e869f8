using System.Collections;
using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Xunit;

namespace Switchyard.Generators.Tests.Driver;

/// <summary>The three caching tests from STYLE.md (System.Text.Json's JsonSourceGeneratorIncrementalTests as the model).</summary>
public sealed class IncrementalTests
{
    private const string Source = """
        using System.Threading;
        using System.Threading.Tasks;
        using Switchyard;
        namespace App;

        public enum Mood { Calm, Excited }

        [Message("app.post")]
        public sealed partial record Post(int Id, string Title, Mood Mood, System.Collections.Generic.List<string>? Tags);

        [WebSocketConsumer("/live/{slug}/")]
        [JoinGroup("live.{slug}")]
        public sealed partial class LiveConsumer(System.IServiceProvider services) : Consumer
        {
            public System.IServiceProvider Services => services;
            public ValueTask Handle(Post post, CancellationToken ct) => default;
        }

        [ChannelConsumer("app.render")]
        public sealed partial class Renderer : ChannelConsumer
        {
            public Task Handle(Post post) => Task.CompletedTask;
        }
        """;

    private static readonly string[] SpecSteps = [StepNames.MessageSpecs, StepNames.ConsumerSpecs, StepNames.RouteTable];

    [Fact]
    public void Equivalent_sources_give_equal_specs_and_hash_codes()
    {
        var first = Specs(GeneratorHarness.CreateDriver().RunGenerators(GeneratorHarness.Compile(Source), TestContext.Current.CancellationToken));
        var reformatted = Source.Replace("    ", "\t", StringComparison.Ordinal).Replace("{ Calm, Excited }", "{ Calm, /* comment */ Excited }", StringComparison.Ordinal);
        var second = Specs(GeneratorHarness.CreateDriver().RunGenerators(GeneratorHarness.Compile("// a leading comment\n" + reformatted), TestContext.Current.CancellationToken));

        Assert.Equal(4, first.Count); // one message, two consumers, one route table
        Assert.Equal(first, second);
        Assert.Equal(first.Select(s => s.GetHashCode()), second.Select(s => s.GetHashCode()));
    }

    [Fact]
    public void Specs_hold_no_symbols_syntax_or_compilation()
    {
        var specs = Specs(GeneratorHarness.CreateDriver().RunGenerators(GeneratorHarness.Compile(Source), TestContext.Current.CancellationToken));

        Assert.NotEmpty(specs);
        foreach (var spec in specs)
        {
            Walk(spec, new HashSet<object>(ReferenceEqualityComparer.Instance), spec.GetType().Name);
        }
    }

    [Fact]
    public void An_unrelated_edit_leaves_every_tracked_step_cached_or_unchanged()
    {
        var compilation = GeneratorHarness.Compile(Source, "namespace App; public class Unrelated { public int Value => 1; }");
        var driver = GeneratorHarness.CreateDriver().RunGenerators(compilation, TestContext.Current.CancellationToken);

        var edited = compilation.ReplaceSyntaxTree(
            compilation.SyntaxTrees.Last(),
            CSharpSyntaxTree.ParseText("namespace App; public class Unrelated { public int Value => 2; public string Name => \"x\"; }", GeneratorHarness.ParseOptions, path: "File1.cs", cancellationToken: TestContext.Current.CancellationToken));
        var result = driver.RunGenerators(edited, TestContext.Current.CancellationToken).GetRunResult().Results.Single();

        foreach (var step in SpecSteps.Append(StepNames.Messages).Append(StepNames.Consumers))
        {
            var outputs = result.TrackedSteps[step].SelectMany(s => s.Outputs).ToArray();
            Assert.NotEmpty(outputs);
            Assert.All(outputs, output => Assert.True(
                output.Reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged,
                $"Step '{step}' produced {output.Value} with reason {output.Reason}."));
        }
    }

    [Fact]
    public void Editing_a_message_reruns_only_what_depends_on_it()
    {
        var compilation = GeneratorHarness.Compile(Source);
        var driver = GeneratorHarness.CreateDriver().RunGenerators(compilation, TestContext.Current.CancellationToken);

        var edited = compilation.ReplaceSyntaxTree(
            compilation.SyntaxTrees.Single(),
            CSharpSyntaxTree.ParseText(Source.Replace("string Title,", "string Title, int Likes,", StringComparison.Ordinal), GeneratorHarness.ParseOptions, path: "File0.cs", cancellationToken: TestContext.Current.CancellationToken));
        var result = driver.RunGenerators(edited, TestContext.Current.CancellationToken).GetRunResult().Results.Single();

        var messageOutputs = result.TrackedSteps[StepNames.MessageSpecs].SelectMany(s => s.Outputs).ToArray();
        Assert.Contains(messageOutputs, o => o.Reason == IncrementalStepRunReason.Modified);
        var routeOutputs = result.TrackedSteps[StepNames.RouteTable].SelectMany(s => s.Outputs).ToArray();
        Assert.All(routeOutputs, o => Assert.Equal(IncrementalStepRunReason.Unchanged, o.Reason));
    }

    private static List<object> Specs(GeneratorDriver driver)
    {
        var steps = driver.GetRunResult().Results.Single().TrackedSteps;
        return SpecSteps
            .Where(steps.ContainsKey)
            .SelectMany(name => steps[name])
            .SelectMany(step => step.Outputs)
            .Select(output => output.Value)
            .ToList();
    }

    // Reflection is fine here: it walks the spec graph the way STJ's SourceGenModelDoesNotEncapsulateSymbolsOrCompilationData does.
    private static void Walk(object? value, HashSet<object> seen, string path)
    {
        if (value is null or string || value.GetType().IsPrimitive || value.GetType().IsEnum)
        {
            return;
        }

        Assert.False(
            value is ISymbol or Compilation or SyntaxNode or SyntaxTree or Location or SemanticModel or Diagnostic,
            $"The spec holds a {value.GetType().Name} at {path}; specs must hold only strings, enums, bools and equatable arrays.");
        if (!value.GetType().IsValueType && !seen.Add(value))
        {
            return;
        }

        if (value is IEnumerable items)
        {
            var i = 0;
            foreach (var item in items)
            {
                Walk(item, seen, $"{path}[{i++}]");
            }

            return;
        }

        foreach (var property in value.GetType().GetProperties(BindingFlags.Instance | BindingFlags.Public))
        {
            if (property.GetIndexParameters().Length == 0 && property.Name != "EqualityContract")
            {
                Walk(property.GetValue(value), seen, $"{path}.{property.Name}");
            }
        }
    }
}
