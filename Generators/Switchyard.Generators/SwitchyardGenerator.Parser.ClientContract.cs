using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Switchyard.Generators.Helpers;
using Switchyard.Generators.Model;

namespace Switchyard.Generators;

public sealed partial class SwitchyardGenerator
{
    internal static partial class Parser
    {
        private const string JsonConsumerSends = "SendAsync";
        private const string JsonConsumerReplies = "ReplyAsync";
        private const string JsonConsumerCalls = "InvokeClientAsync";

        // What a JSON WebSocket consumer's clients send and receive: from its handlers, and from the calls to SendAsync,
        // ReplyAsync and InvokeClientAsync written in its declarations of this syntax tree.
        private static ClientContractSpec ClientContract(
            INamedTypeSymbol consumer, IEnumerable<(HandlerSpec Spec, IMethodSymbol Method)> handlers, SemanticModel model, CancellationToken cancellationToken)
        {
            var sends = new SortedSet<string>(System.StringComparer.Ordinal);
            var receives = new SortedSet<string>(System.StringComparer.Ordinal);
            var replies = new SortedDictionary<string, string>(System.StringComparer.Ordinal);
            var calls = new SortedDictionary<string, string>(System.StringComparer.Ordinal);
            var symbols = new List<ITypeSymbol>();

            foreach (var (spec, method) in handlers)
            {
                if (spec.FromClient)
                {
                    sends.Add(spec.MessageTypeName);
                    symbols.Add(method.Parameters[0].Type);
                    replies[spec.MessageType] = spec.ReplyTypeName;
                    if (spec.ReplyTypeName.Length > 0)
                    {
                        receives.Add(spec.ReplyTypeName);
                        symbols.Add(((INamedTypeSymbol)method.ReturnType).TypeArguments[0]);
                    }
                }
                else if (spec.Forward == ForwardKind.Json)
                {
                    receives.Add(spec.MessageTypeName);
                    symbols.Add(method.Parameters[0].Type);
                }
            }

            foreach (var reference in consumer.DeclaringSyntaxReferences.Where(r => r.SyntaxTree == model.SyntaxTree))
            {
                foreach (var invocation in reference.GetSyntax(cancellationToken).DescendantNodes().OfType<InvocationExpressionSyntax>())
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    // Before generation a message record does not implement IJsonMessage<T> yet, so the call binds only
                    // as a candidate that fails the constraint; its type arguments are those written or inferred.
                    var info = model.GetSymbolInfo(invocation, cancellationToken);
                    if ((info.Symbol ?? info.CandidateSymbols.FirstOrDefault()) is not IMethodSymbol { IsGenericMethod: true } called ||
                        called.ContainingType?.ToDisplayString() != JsonWebSocketConsumerBase ||
                        called.Name is not (JsonConsumerSends or JsonConsumerReplies or JsonConsumerCalls) ||
                        called.TypeArguments[0] is not INamedTypeSymbol sent || MessageTypeOf(sent) is not { } sentType)
                    {
                        continue;
                    }

                    receives.Add(sent.ToDisplayString(TypeNameFormat));
                    symbols.Add(sent);
                    if (called.Name == JsonConsumerCalls)
                    {
                        var answer = called.TypeArguments.Length == 2 ? called.TypeArguments[1] : null;
                        calls[sentType] = answer?.ToDisplayString(TypeNameFormat) ?? string.Empty;
                        if (answer is not null)
                        {
                            symbols.Add(answer);
                        }
                    }
                }
            }

            return new ClientContractSpec(
                sends.ToEquatableArray(),
                receives.ToEquatableArray(),
                replies.Select(p => new ContractPair(p.Key, p.Value)).ToEquatableArray(),
                calls.Select(p => new ContractPair(p.Key, p.Value)).ToEquatableArray(),
                ExternalMessages(symbols, cancellationToken));
        }

        // The messages among these types, and the message members they hold, that a referenced assembly declares: their
        // shapes come from metadata (the constructor with the most parameters, which a positional record's primary one is).
        private static EquatableArray<MessageSpec> ExternalMessages(IEnumerable<ITypeSymbol> types, CancellationToken cancellationToken)
        {
            var specs = new SortedDictionary<string, MessageSpec>(System.StringComparer.Ordinal);
            var pending = new Stack<ITypeSymbol>(types);
            while (pending.Count > 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var type = pending.Pop();
                switch (type)
                {
                    case IArrayTypeSymbol array:
                        pending.Push(array.ElementType);
                        continue;
                    case INamedTypeSymbol { IsGenericType: true } generic:
                        foreach (var argument in generic.TypeArguments)
                        {
                            pending.Push(argument);
                        }

                        continue;
                    case INamedTypeSymbol { DeclaringSyntaxReferences.Length: 0 } named when IsMessageRecord(named):
                        var name = named.ToDisplayString(TypeNameFormat);
                        if (specs.ContainsKey(name))
                        {
                            continue;
                        }

                        var constructor = named.InstanceConstructors
                            .Where(c => c.DeclaredAccessibility == Microsoft.CodeAnalysis.Accessibility.Public &&
                                !(c.Parameters.Length == 1 && SymbolEqualityComparer.Default.Equals(c.Parameters[0].Type, named)))
                            .OrderByDescending(c => c.Parameters.Length)
                            .FirstOrDefault();
                        var members = new List<MemberSpec>();
                        foreach (var parameter in constructor?.Parameters ?? System.Collections.Immutable.ImmutableArray<IParameterSymbol>.Empty)
                        {
                            if (Shapes.Of(parameter.Type, parameter.NullableAnnotation, out _) is { } shape)
                            {
                                var nullable = shape.Kind == ShapeKind.Nullable || shape.IsNullableReference;
                                members.Add(new MemberSpec(parameter.Name, JsonNames.CamelCase(parameter.Name), shape, !nullable && !parameter.HasExplicitDefaultValue, null));
                                pending.Push(parameter.Type);
                            }
                        }

                        specs[name] = new MessageSpec(Namespace(named), named.Name, name, "public", MessageTypeOf(named), members.ToEquatableArray(), false);
                        continue;
                }
            }

            return specs.Values.ToEquatableArray();
        }

        private static bool IsMessageRecord(INamedTypeSymbol type) =>
            type.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() == MessageAttribute);
    }
}
