using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;
using Switchyard.Analyzers.Internal;

namespace Switchyard.Analyzers.Rules;

/// <summary>
/// SWY1002: in async consumer code, a call to <c>X(...)</c> when the same type (or an extension method in scope)
/// offers an awaitable <c>XAsync(...)</c> with the same parameters, optionally plus a trailing
/// <c>CancellationToken</c> — <c>Stream.Read</c>, <c>File.ReadAllText</c>, <c>DbCommand.ExecuteReader</c>,
/// <c>HttpClient.Send</c>, <c>TextReader.ReadToEnd</c> and every API shaped like them, including your own. The list of
/// what is flagged and what is not can be extended and trimmed (<see cref="BlockingApiList"/>).
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class AsyncAlternativeAnalyzer : ConsumerAnalyzer
{
    /// <summary>The property holding the name of the method to await instead.</summary>
    public const string AlternativeProperty = "Alternative";

    /// <summary>The property saying whether the alternative takes a cancellation token the call does not pass ("true"/"false").</summary>
    public const string AddTokenProperty = "AddToken";

    /// <summary>The rule.</summary>
    public static readonly DiagnosticDescriptor Descriptor = Rule.Warning(
        "SWY1002",
        "Synchronous call with an async alternative inside async consumer code",
        "'{0}' runs synchronously inside async consumer code; await '{1}' instead",
        Rule.AsyncCategory,
        "A synchronous I/O call in an async handler holds a thread-pool thread for as long as the I/O takes; the async alternative frees it. Extend or trim what is flagged with an AdditionalFiles item named SwitchyardBlockingApis.txt.");

    /// <inheritdoc />
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => [Descriptor];

    /// <inheritdoc />
    private protected override void Register(CompilationStartAnalysisContext context, KnownSymbols known)
    {
        var list = BlockingApiList.Load(context.Options.AdditionalFiles, context.CancellationToken);
        context.RegisterOperationAction(c => Analyze(c, known, list), OperationKind.Invocation);
    }

    private static void Analyze(OperationAnalysisContext context, KnownSymbols known, BlockingApiList list)
    {
        var invocation = (IInvocationOperation)context.Operation;
        var method = invocation.TargetMethod;
        if (known.IsTaskLike(method.ReturnType)
            || method.Name.EndsWith("Async", System.StringComparison.Ordinal)
            || IsBlockingWait(method, known)
            || list.IsTrimmed(method)
            || !ConsumerCode.IsInAsyncConsumerCode(invocation.Syntax, context.ContainingSymbol, known, invocation.SemanticModel!))
        {
            return;
        }

        var model = invocation.SemanticModel!;
        var alternative = list.AddedAlternative(method) is { } named
            ? (Name: named, AddToken: false)
            : FindAlternative(invocation, method, model, known);
        if (alternative.Name is null)
        {
            return;
        }

        var properties = ImmutableDictionary<string, string?>.Empty
            .Add(AlternativeProperty, alternative.Name)
            .Add(AddTokenProperty, alternative.AddToken ? "true" : "false");
        context.ReportDiagnostic(Diagnostic.Create(
            Descriptor, invocation.Syntax.GetLocation(), properties, $"{method.ContainingType.Name}.{method.Name}", alternative.Name));
    }

    // SWY1001 owns these.
    private static bool IsBlockingWait(IMethodSymbol method, KnownSymbols known) =>
        KnownSymbols.IsOrDerives(method.ContainingType, known.Task)
        || KnownSymbols.IsOrDerives(method.ContainingType, known.WaitHandle)
        || KnownSymbols.Is(method.ContainingType, known.SemaphoreSlim)
        || KnownSymbols.Is(method.ContainingType, known.Thread)
        || KnownSymbols.Is(method.ContainingType, known.Monitor)
        || KnownSymbols.Is(method.ContainingType, known.ManualResetEventSlim)
        || method.ContainingType.Name.EndsWith("Awaiter", System.StringComparison.Ordinal);

    private static (string? Name, bool AddToken) FindAlternative(IInvocationOperation invocation, IMethodSymbol method, SemanticModel model, KnownSymbols known)
    {
        var container = method.IsStatic || invocation.Instance is null ? method.ContainingType : invocation.Instance.Type;
        if (container is null)
        {
            return (null, false);
        }

        // One that takes a cancellation token is preferred: the fix passes the token in scope.
        var name = method.Name + "Async";
        var parameters = method.Parameters;
        var found = false;
        foreach (var candidate in model.LookupSymbols(invocation.Syntax.SpanStart, container, name, includeReducedExtensionMethods: true).OfType<IMethodSymbol>())
        {
            if (candidate.IsStatic != method.IsStatic || !known.IsTaskLike(candidate.ReturnType))
            {
                continue;
            }

            var candidateParameters = candidate.Parameters;
            var takesToken = candidateParameters.Length == parameters.Length + 1 && KnownSymbols.Is(candidateParameters[candidateParameters.Length - 1].Type, known.CancellationToken);
            if ((candidateParameters.Length == parameters.Length || takesToken)
                && parameters.Select((p, i) => SymbolEqualityComparer.Default.Equals(p.Type, candidateParameters[i].Type)).All(same => same))
            {
                if (takesToken)
                {
                    return (name, true);
                }

                found = true;
            }
        }

        return (found ? name : null, false);
    }
}
