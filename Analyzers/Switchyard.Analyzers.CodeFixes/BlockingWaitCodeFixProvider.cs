using System.Collections.Immutable;
using System.Linq;
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

/// <summary>
/// SWY1001's fix: <c>t.Result</c>, <c>t.Wait()</c> and <c>t.GetAwaiter().GetResult()</c> become <c>await t</c>;
/// <c>Thread.Sleep(n)</c> becomes <c>await Task.Delay(n, token)</c>; <c>semaphore.Wait(...)</c> becomes
/// <c>await semaphore.WaitAsync(..., token)</c>; <c>Task.WaitAll</c>/<c>WaitAny</c> become <c>await Task.WhenAll</c>/<c>WhenAny</c>.
/// The cancellation token is the nearest <c>CancellationToken</c> parameter in scope, when there is one.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(BlockingWaitCodeFixProvider))]
public sealed class BlockingWaitCodeFixProvider : CodeFixProvider
{
    /// <inheritdoc />
    public override ImmutableArray<string> FixableDiagnosticIds => [BlockingWaitAnalyzer.Descriptor.Id];

    /// <inheritdoc />
    public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    /// <inheritdoc />
    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        foreach (var diagnostic in context.Diagnostics)
        {
            // 'await' needs an async function; in one that only returns a task, the fix would have to make it async.
            if (!diagnostic.Properties.TryGetValue(BlockingWaitAnalyzer.FixProperty, out var kind) || kind is null
                || root?.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true) is not ExpressionSyntax node
                || !ConsumerCode.IsAsync(ConsumerCode.EnclosingFunction(node)))
            {
                continue;
            }

            var title = kind switch
            {
                BlockingWaitFix.Delay => "Use 'await Task.Delay'",
                BlockingWaitFix.WaitAsync => "Use 'await WaitAsync'",
                BlockingWaitFix.WhenAll => "Use 'await Task.WhenAll'",
                BlockingWaitFix.WhenAny => "Use 'await Task.WhenAny'",
                _ => "Use 'await'",
            };
            context.RegisterCodeFix(
                CodeAction.Create(title, token => FixAsync(context.Document, node, kind, token), equivalenceKey: "SWY1001." + kind),
                diagnostic);
        }
    }

    private static async Task<Document> FixAsync(Document document, ExpressionSyntax node, string kind, CancellationToken cancellationToken)
    {
        var model = await document.GetSemanticModelAsync(cancellationToken).ConfigureAwait(false);
        var root = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
        if (model is null || root is null || KnownSymbols.For(model.Compilation) is not { } known)
        {
            return document;
        }

        var token = ConsumerCode.CancellationTokenInScope(node, model, known);
        ExpressionSyntax? awaited = (kind, node) switch
        {
            // t.Result
            (BlockingWaitFix.Await, MemberAccessExpressionSyntax access) => access.Expression,

            // t.GetAwaiter().GetResult()
            (BlockingWaitFix.Await, InvocationExpressionSyntax { Expression: MemberAccessExpressionSyntax { Expression: InvocationExpressionSyntax { Expression: MemberAccessExpressionSyntax getAwaiter } } })
                when getAwaiter.Name.Identifier.ValueText == "GetAwaiter" => getAwaiter.Expression,

            // t.Wait()
            (BlockingWaitFix.Await, InvocationExpressionSyntax { Expression: MemberAccessExpressionSyntax wait }) => wait.Expression,

            (BlockingWaitFix.Delay, InvocationExpressionSyntax sleep) =>
                SyntaxFactory.ParseExpression($"{TaskName(node, model, known)}.Delay({WithToken(sleep.ArgumentList, token, model, known)})"),

            (BlockingWaitFix.WaitAsync, InvocationExpressionSyntax { Expression: MemberAccessExpressionSyntax semaphore } wait) =>
                SyntaxFactory.ParseExpression($"{semaphore.Expression.WithoutTrivia()}.WaitAsync({WithToken(wait.ArgumentList, token, model, known)})"),

            (BlockingWaitFix.WhenAll or BlockingWaitFix.WhenAny, InvocationExpressionSyntax { Expression: MemberAccessExpressionSyntax combinator } wait) =>
                wait.WithExpression(combinator.WithName(SyntaxFactory.IdentifierName(kind == BlockingWaitFix.WhenAll ? "WhenAll" : "WhenAny"))),

            _ => null,
        };

        if (awaited is null)
        {
            return document;
        }

        var replacement = SyntaxFactory.ParenthesizedExpression(SyntaxFactory.AwaitExpression(awaited.WithoutTrivia()))
            .WithAdditionalAnnotations(Simplifier.Annotation)
            .WithTriviaFrom(node);
        return document.WithSyntaxRoot(root.ReplaceNode(node, replacement));
    }

    // "Task" where it means System.Threading.Tasks.Task (a using is in scope), else the full name.
    private static string TaskName(SyntaxNode node, SemanticModel model, KnownSymbols known) =>
        model.LookupNamespacesAndTypes(node.SpanStart, name: "Task").Any(t => SymbolEqualityComparer.Default.Equals(t, known.Task))
            ? "Task"
            : "System.Threading.Tasks.Task";

    // The call's arguments, plus the cancellation token in scope unless one is passed already.
    private static string WithToken(ArgumentListSyntax arguments, string? token, SemanticModel model, KnownSymbols known)
    {
        var passed = arguments.Arguments.Select(a => a.ToString()).ToList();
        var hasToken = arguments.Arguments.Any(a => KnownSymbols.Is(model.GetTypeInfo(a.Expression).Type, known.CancellationToken));
        if (token is not null && !hasToken)
        {
            passed.Add(token);
        }

        return string.Join(", ", passed);
    }
}
