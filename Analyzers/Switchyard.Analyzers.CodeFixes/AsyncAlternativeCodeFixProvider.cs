using System.Collections.Immutable;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Simplification;
using Switchyard.Analyzers.Internal;
using Switchyard.Analyzers.Rules;

namespace Switchyard.Analyzers.CodeFixes;

/// <summary>SWY1002's fix: <c>reader.ReadToEnd()</c> becomes <c>await reader.ReadToEndAsync(token)</c>, passing the token in scope when the alternative takes one.</summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(AsyncAlternativeCodeFixProvider))]
public sealed class AsyncAlternativeCodeFixProvider : CodeFixProvider
{
    /// <inheritdoc />
    public override ImmutableArray<string> FixableDiagnosticIds => [AsyncAlternativeAnalyzer.Descriptor.Id];

    /// <inheritdoc />
    public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    /// <inheritdoc />
    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        foreach (var diagnostic in context.Diagnostics)
        {
            if (!diagnostic.Properties.TryGetValue(AsyncAlternativeAnalyzer.AlternativeProperty, out var alternative) || alternative is null
                || root?.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true) is not InvocationExpressionSyntax call
                || !ConsumerCode.IsAsync(ConsumerCode.EnclosingFunction(call)))
            {
                continue;
            }

            var addToken = diagnostic.Properties.TryGetValue(AsyncAlternativeAnalyzer.AddTokenProperty, out var add) && add == "true";
            context.RegisterCodeFix(
                CodeAction.Create($"Use 'await {alternative}'", token => FixAsync(context.Document, call, alternative, addToken, token), equivalenceKey: "SWY1002"),
                diagnostic);
        }
    }

    private static async Task<Document> FixAsync(Document document, InvocationExpressionSyntax call, string alternative, bool addToken, CancellationToken cancellationToken)
    {
        var model = await document.GetSemanticModelAsync(cancellationToken).ConfigureAwait(false);
        var root = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
        if (model is null || root is null || KnownSymbols.For(model.Compilation) is not { } known)
        {
            return document;
        }

        var name = SyntaxFactory.IdentifierName(alternative);
        ExpressionSyntax? target = call.Expression switch
        {
            MemberAccessExpressionSyntax access => access.WithName(name),
            MemberBindingExpressionSyntax binding => binding.WithName(name),
            SimpleNameSyntax => name,
            _ => null,
        };
        if (target is null)
        {
            return document;
        }

        var arguments = call.ArgumentList;
        if (addToken && ConsumerCode.CancellationTokenInScope(call, model, known) is { } token)
        {
            arguments = arguments.AddArguments(SyntaxFactory.Argument(SyntaxFactory.IdentifierName(token)));
        }

        var replacement = SyntaxFactory.ParenthesizedExpression(SyntaxFactory.AwaitExpression(call.WithExpression(target).WithArgumentList(arguments).WithoutTrivia()))
            .WithAdditionalAnnotations(Simplifier.Annotation)
            .WithTriviaFrom(call);
        return document.WithSyntaxRoot(root.ReplaceNode(call, replacement));
    }
}
