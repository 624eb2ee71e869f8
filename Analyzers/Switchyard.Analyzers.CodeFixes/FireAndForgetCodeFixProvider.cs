using System.Collections.Immutable;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Switchyard.Analyzers.Internal;
using Switchyard.Analyzers.Rules;

namespace Switchyard.Analyzers.CodeFixes;

/// <summary>SWY1003's fixes: <c>await</c> the dropped task (in async code), or discard it explicitly with <c>_ =</c>.</summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(FireAndForgetCodeFixProvider))]
public sealed class FireAndForgetCodeFixProvider : CodeFixProvider
{
    /// <inheritdoc />
    public override ImmutableArray<string> FixableDiagnosticIds => [FireAndForgetAnalyzer.Descriptor.Id];

    /// <inheritdoc />
    public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    /// <inheritdoc />
    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        foreach (var diagnostic in context.Diagnostics)
        {
            if (root?.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true) is not InvocationExpressionSyntax call
                || call.Parent is not ExpressionStatementSyntax statement)
            {
                continue;
            }

            if (ConsumerCode.IsAsync(ConsumerCode.EnclosingFunction(call)))
            {
                var awaited = statement.WithExpression(SyntaxFactory.AwaitExpression(call.WithoutLeadingTrivia()).WithLeadingTrivia(call.GetLeadingTrivia()));
                context.RegisterCodeFix(
                    CodeAction.Create("Await the task", _ => Task.FromResult(context.Document.WithSyntaxRoot(root.ReplaceNode(statement, awaited))), equivalenceKey: "SWY1003.Await"),
                    diagnostic);
            }

            var discard = SyntaxFactory.AssignmentExpression(SyntaxKind.SimpleAssignmentExpression, SyntaxFactory.IdentifierName("_"), call.WithoutLeadingTrivia())
                .WithLeadingTrivia(call.GetLeadingTrivia());
            context.RegisterCodeFix(
                CodeAction.Create("Discard the task explicitly ('_ =')", _ => Task.FromResult(context.Document.WithSyntaxRoot(root.ReplaceNode(statement, statement.WithExpression(discard)))), equivalenceKey: "SWY1003.Discard"),
                diagnostic);
        }
    }
}
