using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace Switchyard.Analyzers.Internal;

/// <summary>
/// Whether a task is known to have completed where its result is read, so reading it cannot block: it was awaited
/// before (<c>await t</c>, <c>await Task.WhenAll(a, b)</c>, <c>await Task.WhenAll(tasks)</c> then <c>tasks[i]</c> or a
/// <c>foreach</c> over <c>tasks</c>), it is what <c>await Task.WhenAny(...)</c> returned, or the read is guarded by
/// <c>t.IsCompleted</c> (or <c>IsCompletedSuccessfully</c>, <c>IsFaulted</c>, <c>IsCanceled</c>).
/// </summary>
internal static class CompletedTasks
{
    private static readonly string[] CompletionProperties = ["IsCompleted", "IsCompletedSuccessfully", "IsFaulted", "IsCanceled"];

    public static bool IsKnownCompleted(IOperation task, SyntaxNode read, SemanticModel model)
    {
        if (Unwrap(task) is ILocalReferenceOperation result && IsFromWhenAny(result.Local, model))
        {
            return true;
        }

        var candidates = new HashSet<ISymbol>(SymbolEqualityComparer.Default);
        AddCandidates(task, candidates, model);
        if (candidates.Count == 0)
        {
            return false;
        }

        if (IsGuarded(read, candidates, model))
        {
            return true;
        }

        var function = ConsumerCode.EnclosingFunction(read);
        if (function is null)
        {
            return false;
        }

        foreach (var awaited in function.DescendantNodes().OfType<AwaitExpressionSyntax>())
        {
            if (awaited.SpanStart < read.SpanStart && CompletesOneOf(awaited.Expression, candidates, model))
            {
                return true;
            }
        }

        return false;
    }

    private static IOperation Unwrap(IOperation operation)
    {
        while (operation is IConversionOperation conversion)
        {
            operation = conversion.Operand;
        }

        return operation;
    }

    private static void AddCandidates(IOperation task, HashSet<ISymbol> candidates, SemanticModel model)
    {
        switch (Unwrap(task))
        {
            case ILocalReferenceOperation local:
                candidates.Add(local.Local);
                AddForEachCollection(local.Local, candidates, model);
                break;
            case IParameterReferenceOperation parameter:
                candidates.Add(parameter.Parameter);
                break;
            case IFieldReferenceOperation field:
                candidates.Add(field.Field);
                break;
            case IPropertyReferenceOperation { Instance: { } instance, Property.IsIndexer: true }:
                AddCandidates(instance, candidates, model);
                break;
            case IPropertyReferenceOperation property:
                candidates.Add(property.Property);
                break;
            case IArrayElementReferenceOperation element:
                AddCandidates(element.ArrayReference, candidates, model);
                break;
        }
    }

    private static void AddForEachCollection(ILocalSymbol local, HashSet<ISymbol> candidates, SemanticModel model)
    {
        if (local.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax() is ForEachStatementSyntax loop
            && model.GetOperation(loop.Expression) is { } collection)
        {
            AddCandidates(collection, candidates, model);
        }
    }

    private static bool IsFromWhenAny(ILocalSymbol local, SemanticModel model) =>
        local.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax() is VariableDeclaratorSyntax { Initializer.Value: AwaitExpressionSyntax awaited }
        && IsTaskCombinator(StripConfigureAwait(awaited.Expression), "WhenAny", model);

    private static bool IsGuarded(SyntaxNode read, HashSet<ISymbol> candidates, SemanticModel model)
    {
        foreach (var ancestor in read.Ancestors())
        {
            var condition = ancestor switch
            {
                IfStatementSyntax ifStatement when !ifStatement.Condition.Span.Contains(read.Span) => ifStatement.Condition,
                ConditionalExpressionSyntax conditional when !conditional.Condition.Span.Contains(read.Span) => conditional.Condition,
                _ => null,
            };

            if (condition is not null
                && condition.DescendantNodesAndSelf().OfType<MemberAccessExpressionSyntax>().Any(access =>
                    CompletionProperties.Contains(access.Name.Identifier.ValueText) && Mentions(access.Expression, candidates, model)))
            {
                return true;
            }
        }

        return false;
    }

    private static bool CompletesOneOf(ExpressionSyntax awaited, HashSet<ISymbol> candidates, SemanticModel model)
    {
        awaited = StripConfigureAwait(awaited);
        if (IsTaskCombinator(awaited, "WhenAll", model))
        {
            return Mentions(awaited, candidates, model);
        }

        return awaited is IdentifierNameSyntax or MemberAccessExpressionSyntax or ElementAccessExpressionSyntax && Mentions(awaited, candidates, model);
    }

    private static ExpressionSyntax StripConfigureAwait(ExpressionSyntax expression) =>
        expression is InvocationExpressionSyntax { Expression: MemberAccessExpressionSyntax { Name.Identifier.ValueText: "ConfigureAwait" } access }
            ? access.Expression
            : expression;

    private static bool IsTaskCombinator(ExpressionSyntax expression, string name, SemanticModel model) =>
        expression is InvocationExpressionSyntax invocation
        && model.GetSymbolInfo(invocation).Symbol is IMethodSymbol { Name: var method, ContainingType: { Name: "Task", ContainingNamespace: var ns } }
        && method == name
        && ns.ToDisplayString() == "System.Threading.Tasks";

    private static bool Mentions(SyntaxNode node, HashSet<ISymbol> candidates, SemanticModel model) =>
        node.DescendantNodesAndSelf().OfType<IdentifierNameSyntax>().Any(identifier =>
            model.GetSymbolInfo(identifier).Symbol is { } symbol && candidates.Contains(symbol));
}
