using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;
using Switchyard.Analyzers.Internal;
using Switchyard.Internal;

namespace Switchyard.Analyzers.Rules;

/// <summary>
/// SWY1004: a constant channel or group name passed to the channel layer or a consumer (<c>JoinGroupAsync("chat room")</c>,
/// <c>SendAsync("jobs/thumbnails", ...)</c>) that breaks the name rules: the call can only throw
/// <c>ArgumentException</c>. The generator checks the same rules in attributes (SWY0007); this checks calls.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class InvalidNameAnalyzer : ConsumerAnalyzer
{
    /// <summary>The rule.</summary>
    public static readonly DiagnosticDescriptor Descriptor = Rule.Error(
        "SWY1004",
        "Channel or group name literal that can never be valid",
        "{0} name '{1}' is invalid: {2}; '{3}' will throw ArgumentException",
        Rule.UsageCategory,
        "Channel and group names are shorter than 100 characters of ASCII letters, digits, '-', '_' and '.'; a channel name may have one '!' (not first) before a process-local part, a group name none.");

    /// <inheritdoc />
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => [Descriptor];

    /// <inheritdoc />
    private protected override void Register(CompilationStartAnalysisContext context, KnownSymbols known)
    {
        context.RegisterOperationAction(c => Analyze(c, known), OperationKind.Invocation);
    }

    private static void Analyze(OperationAnalysisContext context, KnownSymbols known)
    {
        var invocation = (IInvocationOperation)context.Operation;
        var type = invocation.TargetMethod.ContainingType;
        if (!KnownSymbols.IsOrDerives(type, known.ChannelLayer) && !KnownSymbols.IsOrDerives(type, known.Consumer))
        {
            return;
        }

        foreach (var argument in invocation.Arguments)
        {
            var (kind, allowLocalPart) = argument.Parameter?.Name switch
            {
                "channel" => ("Channel", true),
                "group" => ("Group", false),
                "prefix" => ("Channel prefix", false),
                _ => (null, false),
            };
            if (kind is null || argument.Value.ConstantValue is not { HasValue: true, Value: string name } || NameRules.CheckAtCompileTime(name, allowLocalPart) is not { } problem)
            {
                continue;
            }

            context.ReportDiagnostic(Diagnostic.Create(Descriptor, argument.Syntax.GetLocation(), kind, name, problem, invocation.TargetMethod.Name));
        }
    }
}
