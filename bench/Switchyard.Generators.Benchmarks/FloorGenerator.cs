using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Switchyard.Generators.Benchmarks;

/// <summary>
/// The floor of <see cref="GeneratorBenchmarks"/>: the five <c>ForAttributeWithMetadataName</c> providers
/// <see cref="SwitchyardGenerator"/> registers, with the same node predicates, but a transform that only takes the
/// type's name and an output that writes nothing. What is left is what Roslyn charges any generator that finds its
/// declarations by attribute: finding the attributed nodes, binding the attributes and declaring the symbols.
/// </summary>
internal sealed class FloorGenerator : IIncrementalGenerator
{
    /// <inheritdoc />
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        var messages = context.SyntaxProvider.ForAttributeWithMetadataName(
            "Switchyard.MessageAttribute", static (node, _) => node is TypeDeclarationSyntax, static (ctx, _) => ctx.TargetSymbol.Name);
        context.RegisterSourceOutput(messages, static (_, _) => { });
        foreach (var attribute in new[] { "Switchyard.ConsumerAttribute", "Switchyard.WebSocketConsumerAttribute", "Switchyard.HttpConsumerAttribute", "Switchyard.ChannelConsumerAttribute" })
        {
            var consumers = context.SyntaxProvider.ForAttributeWithMetadataName(
                attribute, static (node, _) => node is ClassDeclarationSyntax, static (ctx, _) => ctx.TargetSymbol.Name);
            context.RegisterSourceOutput(consumers, static (_, _) => { });
        }
    }
}
