using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Switchyard.Analyzers.Internal;

/// <summary>Where code runs: which function holds a node, whether it is async, whether it belongs to a consumer.</summary>
internal static class ConsumerCode
{
    /// <summary>Returns the method, local function, lambda, anonymous method or accessor whose body holds <paramref name="node"/>.</summary>
    public static SyntaxNode? EnclosingFunction(SyntaxNode node) =>
        node.Ancestors().FirstOrDefault(static n => n is BaseMethodDeclarationSyntax or LocalFunctionStatementSyntax or AnonymousFunctionExpressionSyntax or AccessorDeclarationSyntax);

    public static bool IsAsync(SyntaxNode? function) => function switch
    {
        MethodDeclarationSyntax method => method.Modifiers.Any(SyntaxKind.AsyncKeyword),
        LocalFunctionStatementSyntax local => local.Modifiers.Any(SyntaxKind.AsyncKeyword),
        AnonymousFunctionExpressionSyntax lambda => lambda.Modifiers.Any(SyntaxKind.AsyncKeyword),
        _ => false,
    };

    /// <summary>
    /// Whether <paramref name="node"/> runs in async code of a consumer: the nearest function around it is async or
    /// returns a task (a handler, or a lambda or local function in one that is) and its type derives from
    /// <c>Switchyard.Consumer</c>. Blocking in a synchronous helper is the helper's business, as in VSTHRD103.
    /// </summary>
    public static bool IsInAsyncConsumerCode(SyntaxNode node, ISymbol containingSymbol, KnownSymbols known, SemanticModel model)
    {
        var function = EnclosingFunction(node);
        return (IsAsync(function) || ReturnsTask(function, model, known)) && IsInConsumer(containingSymbol, known);
    }

    private static bool ReturnsTask(SyntaxNode? function, SemanticModel model, KnownSymbols known)
    {
        var symbol = function switch
        {
            null => null,
            AnonymousFunctionExpressionSyntax lambda => model.GetSymbolInfo(lambda).Symbol,
            _ => model.GetDeclaredSymbol(function),
        };
        return symbol is IMethodSymbol method && known.IsTaskLike(method.ReturnType);
    }

    public static bool IsInConsumer(ISymbol containingSymbol, KnownSymbols known) =>
        known.IsConsumer(containingSymbol as INamedTypeSymbol ?? containingSymbol.ContainingType);

    /// <summary>The name of a <c>CancellationToken</c> parameter of the functions around <paramref name="node"/>, nearest first.</summary>
    public static string? CancellationTokenInScope(SyntaxNode node, SemanticModel model, KnownSymbols known)
    {
        foreach (var function in node.Ancestors())
        {
            var parameters = function switch
            {
                BaseMethodDeclarationSyntax method => method.ParameterList.Parameters,
                LocalFunctionStatementSyntax local => local.ParameterList.Parameters,
                ParenthesizedLambdaExpressionSyntax lambda => lambda.ParameterList.Parameters,
                SimpleLambdaExpressionSyntax lambda => SyntaxFactory.SingletonSeparatedList(lambda.Parameter),
                AnonymousMethodExpressionSyntax { ParameterList: { } list } => list.Parameters,
                _ => default,
            };

            foreach (var parameter in parameters)
            {
                if (model.GetDeclaredSymbol(parameter) is { } symbol && KnownSymbols.Is(symbol.Type, known.CancellationToken))
                {
                    return symbol.Name;
                }
            }

            if (function is BaseTypeDeclarationSyntax)
            {
                return null;
            }
        }

        return null;
    }
}
