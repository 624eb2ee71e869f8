using Microsoft.CodeAnalysis;

namespace Switchyard.Analyzers.Internal;

/// <summary>Builds the analyzers' descriptors: IDs are assigned by hand and never renumbered; each has a help page.</summary>
internal static class Rule
{
    public const string AsyncCategory = "Switchyard.Async";
    public const string UsageCategory = "Switchyard.Usage";
    private const string HelpRoot = "https://github.com/switchyard-dotnet/switchyard/blob/main/docs/diagnostics/";

    public static DiagnosticDescriptor Error(string id, string title, string message, string category, string description) =>
        new(id, title, message, category, DiagnosticSeverity.Error, isEnabledByDefault: true, description, HelpRoot + id + ".md");

    public static DiagnosticDescriptor Warning(string id, string title, string message, string category, string description) =>
        new(id, title, message, category, DiagnosticSeverity.Warning, isEnabledByDefault: true, description, HelpRoot + id + ".md");
}
