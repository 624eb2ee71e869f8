using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Switchyard.Generators.Helpers;
using Switchyard.Generators.Model;

namespace Switchyard.Generators;

/// <summary>
/// Switchyard's incremental source generator. From <c>[Message]</c> records it writes binary and JSON serializers;
/// from consumer classes it writes the dispatch switch (message type → handler), the group rules and one route
/// table registered at module load. Nothing it writes uses reflection.
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed partial class SwitchyardGenerator : IIncrementalGenerator
{
    /// <inheritdoc />
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        // Stage 1, messages: each [Message] record becomes a spec; its diagnostics take their own branch.
        var messages = context.SyntaxProvider
            .ForAttributeWithMetadataName(Parser.MessageAttribute, static (node, _) => node is TypeDeclarationSyntax, static (ctx, ct) => Parser.ParseMessage(ctx, ct))
            .WithTrackingName(StepNames.Messages);
        var messageSpecs = messages
            .Where(static result => result.Spec is not null)
            .Select(static (result, _) => result.Spec!)
            .WithTrackingName(StepNames.MessageSpecs);
        context.RegisterSourceOutput(messageSpecs, static (spc, spec) => Emitter.EmitMessage(spc, spec));
        context.RegisterSourceOutput(messages.Select(static (result, _) => result.Diagnostics), Report);

        // Stage 2, consumers: one provider per consumer attribute, each declaration parsed on its own.
        var manual = Consumers(context, Parser.ConsumerAttribute, ConsumerKind.Manual);
        var webSockets = Consumers(context, Parser.WebSocketConsumerAttribute, ConsumerKind.WebSocket);
        var http = Consumers(context, Parser.HttpConsumerAttribute, ConsumerKind.Http);
        var channels = Consumers(context, Parser.ChannelConsumerAttribute, ConsumerKind.Channel);
        foreach (var consumers in new[] { manual, webSockets, http, channels })
        {
            var specs = consumers
                .Where(static result => result.Spec is not null)
                .Select(static (result, _) => result.Spec!)
                .WithTrackingName(StepNames.ConsumerSpecs);
            context.RegisterSourceOutput(specs, static (spc, spec) => Emitter.EmitConsumer(spc, spec));
            context.RegisterSourceOutput(consumers.Select(static (result, _) => result.Diagnostics), Report);
        }

        // Stage 3, aggregate: only after every consumer spec is equatable, build the one route table.
        var routed = webSockets.Collect()
            .Combine(http.Collect())
            .Combine(channels.Collect())
            .Select(static (all, _) => all.Left.Left.AddRange(all.Left.Right).AddRange(all.Right));
        var routeTable = routed
            .Select(static (results, _) => results
                .Where(static r => r.Spec is { HasFactory: true })
                .Select(static r => r.Spec!)
                .OrderBy(static s => s.FullName, System.StringComparer.Ordinal)
                .ToEquatableArray())
            .WithTrackingName(StepNames.RouteTable);
        context.RegisterSourceOutput(routeTable, static (spc, specs) => Emitter.EmitRouteTable(spc, specs));

        // Stage 4, the TypeScript module for clients: only when the project asks for it (SwitchyardTypeScriptOutput),
        // from every message spec and the JSON WebSocket consumers' contracts.
        var typeScriptOutput = context.AnalyzerConfigOptionsProvider
            .Select(static (options, _) => options.GlobalOptions.TryGetValue("build_property.SwitchyardTypeScriptOutput", out var path) ? path.Trim() : string.Empty);
        var assemblyName = context.CompilationProvider.Select(static (compilation, _) => compilation.AssemblyName ?? string.Empty);
        var typeScript = typeScriptOutput
            .Combine(assemblyName)
            .Combine(messageSpecs.Collect())
            .Combine(webSockets.Collect())
            .Select(static (all, _) => new TypeScriptInput(
                all.Left.Left.Left,
                all.Left.Left.Right,
                all.Left.Left.Left.Length == 0 ? EquatableArray<MessageSpec>.Empty : all.Left.Right.OrderBy(static m => m.FullName, System.StringComparer.Ordinal).ToEquatableArray(),
                all.Left.Left.Left.Length == 0 ? EquatableArray<ConsumerSpec>.Empty : all.Right
                    .Where(static r => r.Spec is { Client: not null })
                    .Select(static r => r.Spec!)
                    .OrderBy(static s => s.TypeName, System.StringComparer.Ordinal)
                    .ToEquatableArray()))
            .WithTrackingName(StepNames.TypeScript);
        context.RegisterSourceOutput(typeScript, static (spc, input) => Emitter.EmitTypeScript(spc, input));

        // Aggregate diagnostics: duplicate routes and duplicate message types.
        context.RegisterSourceOutput(routed, static (spc, results) => Report(spc, Aggregates.DuplicateRoutes(results)));
        context.RegisterSourceOutput(messages.Collect(), static (spc, results) => Report(spc, Aggregates.DuplicateMessageTypes(results)));
    }

    private static IncrementalValuesProvider<ParseResult<ConsumerSpec>> Consumers(IncrementalGeneratorInitializationContext context, string attribute, ConsumerKind kind) =>
        context.SyntaxProvider
            .ForAttributeWithMetadataName(attribute, static (node, _) => node is ClassDeclarationSyntax, (ctx, ct) => Parser.ParseConsumer(ctx, kind, ct))
            .WithTrackingName(StepNames.Consumers);

    private static void Report(SourceProductionContext context, EquatableArray<DiagnosticInfo> diagnostics)
    {
        foreach (var diagnostic in diagnostics)
        {
            context.ReportDiagnostic(diagnostic.ToDiagnostic());
        }
    }

    /// <summary>Diagnostics that need every declaration at once.</summary>
    internal static class Aggregates
    {
        public static EquatableArray<DiagnosticInfo> DuplicateRoutes(ImmutableArray<ParseResult<ConsumerSpec>> results)
        {
            var diagnostics = new System.Collections.Generic.List<DiagnosticInfo>();
            var routed = results
                .Where(static r => r.Spec is { Kind: not ConsumerKind.Manual })
                .OrderBy(static r => r.Spec!.FullName, System.StringComparer.Ordinal)
                .ToArray();
            // Each route is normalized once, not once per pair.
            var paths = routed.Select(static r => r.Spec!.Kind == ConsumerKind.Channel ? r.Spec.Route : NormalizePath(r.Spec.Route)).ToArray();
            for (var i = 0; i < routed.Length; i++)
            {
                for (var j = 0; j < i; j++)
                {
                    if (paths[i] == paths[j] && Collide(routed[j].Spec!, routed[i].Spec!))
                    {
                        diagnostics.Add(new DiagnosticInfo(
                            DiagnosticDescriptors.DuplicateRoute, routed[i].Anchor, new[] { routed[i].Spec!.Route, routed[j].Spec!.TypeName, routed[i].Spec!.TypeName }.ToEquatableArray()));
                        break;
                    }
                }
            }

            return diagnostics.ToEquatableArray();
        }

        // Called for two consumers whose routes are equal once normalized (channel names exactly, case-sensitively;
        // paths as ASP.NET Core routing matches them: case-insensitively, whatever the parameter names). A channel
        // never collides with a path, and two HTTP consumers on one path collide only when their methods overlap
        // (no methods means every method).
        private static bool Collide(ConsumerSpec a, ConsumerSpec b)
        {
            if ((a.Kind == ConsumerKind.Channel) != (b.Kind == ConsumerKind.Channel))
            {
                return false;
            }

            if (a.Kind == ConsumerKind.Channel)
            {
                return true;
            }

            if (a.Kind == ConsumerKind.Http && b.Kind == ConsumerKind.Http)
            {
                return a.HttpMethods.Count == 0 || b.HttpMethods.Count == 0 || a.HttpMethods.Any(m => b.HttpMethods.Contains(m));
            }

            return true;
        }

        public static EquatableArray<DiagnosticInfo> DuplicateMessageTypes(ImmutableArray<ParseResult<MessageSpec>> results) =>
            results
                .Where(static r => r.Spec?.MessageType is not null)
                .GroupBy(static r => r.Spec!.MessageType!, System.StringComparer.Ordinal)
                .Where(static g => g.Count() > 1)
                .SelectMany(static g =>
                {
                    var first = g.OrderBy(static r => r.Spec!.FullName, System.StringComparer.Ordinal).First();
                    return g.Where(r => !ReferenceEquals(r, first)).Select(r => new DiagnosticInfo(
                        DiagnosticDescriptors.DuplicateMessageType, r.Anchor, new[] { g.Key, first.Spec!.TypeName, r.Spec!.TypeName }.ToEquatableArray()));
                })
                .ToEquatableArray();

        // Routes that differ only in parameter names ("/a/{x}" and "/a/{y}") still collide.
        private static string NormalizePath(string route)
        {
            var names = RouteTemplates.ParameterNames(route);
            var normalized = route.Trim('/').ToUpperInvariant();
            foreach (var name in names)
            {
                normalized = normalized.Replace("{" + name.ToUpperInvariant() + "}", "{}");
            }

            return normalized;
        }
    }
}
