using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;
using Switchyard.Analyzers.Internal;

namespace Switchyard.Analyzers.Rules;

/// <summary>
/// SWY1001: a blocking wait (<c>.Result</c>, <c>.Wait()</c>, <c>GetAwaiter().GetResult()</c>, <c>Task.WaitAll/WaitAny</c>,
/// <c>SemaphoreSlim.Wait</c>, <c>Thread.Sleep</c>, <c>Monitor.Wait</c>, <c>ManualResetEventSlim.Wait</c>,
/// <c>WaitHandle.WaitOne/WaitAll/WaitAny</c>) in async code of a consumer: it holds a thread-pool thread while the
/// consumer waits, and under load the whole server stalls (Django Channels' "SynchronousOnlyOperation", found in
/// production). Reading the result of a task known to have completed is not flagged.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class BlockingWaitAnalyzer : ConsumerAnalyzer
{
    /// <summary>The property naming how the code fix replaces the call (see <see cref="BlockingWaitFix"/>).</summary>
    public const string FixProperty = "Fix";

    /// <summary>The rule.</summary>
    public static readonly DiagnosticDescriptor Descriptor = Rule.Warning(
        "SWY1001",
        "Blocking wait inside async consumer code",
        "'{0}' blocks a thread inside async consumer code; {1}",
        Rule.AsyncCategory,
        "A blocking wait in an async handler holds a thread-pool thread until the awaited work finishes; under load the pool runs dry and every connection stalls. Await instead.");

    /// <inheritdoc />
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => [Descriptor];

    /// <inheritdoc />
    private protected override void Register(CompilationStartAnalysisContext context, KnownSymbols known)
    {
        context.RegisterOperationAction(c => AnalyzeProperty(c, known), OperationKind.PropertyReference);
        context.RegisterOperationAction(c => AnalyzeInvocation(c, known), OperationKind.Invocation);
    }

    private static void AnalyzeProperty(OperationAnalysisContext context, KnownSymbols known)
    {
        var reference = (IPropertyReferenceOperation)context.Operation;
        if (reference.Property.Name != "Result"
            || !(KnownSymbols.Is(reference.Property.ContainingType, known.TaskOfT) || KnownSymbols.Is(reference.Property.ContainingType, known.ValueTaskOfT))
            || reference.Instance is null
            || !ConsumerCode.IsInAsyncConsumerCode(reference.Syntax, context.ContainingSymbol, known, reference.SemanticModel!)
            || CompletedTasks.IsKnownCompleted(reference.Instance, reference.Syntax, reference.SemanticModel!))
        {
            return;
        }

        Report(context, reference, $"{reference.Property.ContainingType.Name}.Result", "await the task instead", BlockingWaitFix.Await);
    }

    private static void AnalyzeInvocation(OperationAnalysisContext context, KnownSymbols known)
    {
        var invocation = (IInvocationOperation)context.Operation;
        var method = invocation.TargetMethod;
        var type = method.ContainingType;
        string? fix;
        string advice;
        switch (method.Name)
        {
            case "Wait" when KnownSymbols.IsOrDerives(type, known.Task) && !method.IsStatic:
                if (IsCompleted(invocation.Instance))
                {
                    return;
                }

                (fix, advice) = (invocation.Arguments.Length == 0 ? BlockingWaitFix.Await : null, "await the task instead");
                break;
            case "GetResult" when type.Name.EndsWith("Awaiter", System.StringComparison.Ordinal) && type.ContainingNamespace.ToDisplayString() == "System.Runtime.CompilerServices":
                if (invocation.Instance is IInvocationOperation { TargetMethod.Name: "GetAwaiter", Instance: var awaited } && IsCompleted(awaited))
                {
                    return;
                }

                (fix, advice) = (invocation.Instance is IInvocationOperation { TargetMethod.Name: "GetAwaiter" } ? BlockingWaitFix.Await : null, "await the task instead");
                break;
            case "WaitAll" when KnownSymbols.Is(type, known.Task):
                (fix, advice) = (invocation.Arguments.Length == 1 ? BlockingWaitFix.WhenAll : null, "await Task.WhenAll(...) instead");
                break;
            case "WaitAny" when KnownSymbols.Is(type, known.Task):
                (fix, advice) = (invocation.Arguments.Length == 1 && invocation.Parent is IExpressionStatementOperation ? BlockingWaitFix.WhenAny : null, "await Task.WhenAny(...) instead");
                break;
            case "Sleep" when KnownSymbols.Is(type, known.Thread):
                (fix, advice) = (BlockingWaitFix.Delay, "await Task.Delay(...) instead");
                break;
            case "Wait" when KnownSymbols.Is(type, known.SemaphoreSlim):
                (fix, advice) = (BlockingWaitFix.WaitAsync, "await WaitAsync(...) instead");
                break;
            case "Wait" when KnownSymbols.Is(type, known.Monitor):
                (fix, advice) = (null, "use SemaphoreSlim.WaitAsync or a TaskCompletionSource instead of a monitor");
                break;
            case "Wait" when KnownSymbols.Is(type, known.ManualResetEventSlim):
                (fix, advice) = (null, "await a TaskCompletionSource (or SemaphoreSlim.WaitAsync) instead of an event");
                break;
            case "WaitOne" or "WaitAll" or "WaitAny" when KnownSymbols.IsOrDerives(type, known.WaitHandle):
                (fix, advice) = (null, "await a TaskCompletionSource (or SemaphoreSlim.WaitAsync) instead of a wait handle");
                break;
            default:
                return;
        }

        if (!ConsumerCode.IsInAsyncConsumerCode(invocation.Syntax, context.ContainingSymbol, known, invocation.SemanticModel!) || IsZeroTimeout(invocation))
        {
            return;
        }

        Report(context, invocation, $"{type.Name}.{method.Name}", advice, fix);

        bool IsCompleted(IOperation? task) => task is not null && CompletedTasks.IsKnownCompleted(task, invocation.Syntax, invocation.SemanticModel!);
    }

    // semaphore.Wait(0), handle.WaitOne(0), task.Wait(TimeSpan.Zero): a try, which returns at once.
    private static bool IsZeroTimeout(IInvocationOperation invocation) =>
        invocation.Arguments.Length > 0
        && invocation.Arguments[0].Value switch
        {
            { ConstantValue: { HasValue: true, Value: 0 } } => true,
            IFieldReferenceOperation { Field: { Name: "Zero", ContainingType.Name: "TimeSpan" } } => true,
            _ => false,
        }
        && invocation.TargetMethod.Name != "Sleep";

    private static void Report(OperationAnalysisContext context, IOperation operation, string call, string advice, string? fix)
    {
        var properties = fix is null ? ImmutableDictionary<string, string?>.Empty : ImmutableDictionary<string, string?>.Empty.Add(FixProperty, fix);
        context.ReportDiagnostic(Diagnostic.Create(Descriptor, operation.Syntax.GetLocation(), properties, call, advice));
    }
}
