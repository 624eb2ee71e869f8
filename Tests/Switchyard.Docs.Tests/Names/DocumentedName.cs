namespace Switchyard.Docs.Tests.Names;

/// <summary>A code name written in backticks in a Markdown document, and where.</summary>
/// <param name="Text">The text between the backticks, as written.</param>
/// <param name="Document">The document's path relative to the repository root.</param>
/// <param name="Line">The 1-based line it is on.</param>
public sealed record DocumentedName(string Text, string Document, int Line)
{
    public override string ToString() => $"{Document}:{Line}: `{Text}`";
}
