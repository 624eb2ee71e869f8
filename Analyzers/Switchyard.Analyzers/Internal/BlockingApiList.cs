using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace Switchyard.Analyzers.Internal;

/// <summary>
/// What SWY1002 flags beyond its general rule (a method <c>X</c> whose type, or an extension, offers a compatible
/// <c>XAsync</c>), and what it never flags. Built in, and extended or trimmed by an AdditionalFiles item named
/// <c>SwitchyardBlockingApis.txt</c>, one member per line (as VSTHRD103 takes its lists):
/// <code>
/// # a member to flag, and the method to await instead (in the same type)
/// Legacy.Billing.Client.Charge -> ChargeLaterAsync
/// # a member never to flag; Type.* for all members of a type
/// !System.IO.TextWriter.Write
/// !MyApp.Cache.*
/// </code>
/// </summary>
internal sealed class BlockingApiList
{
    public const string FileName = "SwitchyardBlockingApis.txt";

    // Disposing synchronously is a choice (await using is a different change), not a blocking call worth a warning;
    // in-memory streams, readers and writers never wait for I/O.
    private static readonly string[] BuiltInTrimmed =
    [
        "*.Dispose",
        "System.IO.MemoryStream.*",
        "System.IO.StringReader.*",
        "System.IO.StringWriter.*",
    ];

    // Blocking members whose async alternative takes other parameter types (byte[] → Memory<byte>, ArraySegment<byte>),
    // which the general rule does not match.
    private static readonly string[] BuiltInAdded =
    [
        "System.Net.Sockets.Socket.Receive",
        "System.Net.Sockets.Socket.Send",
        "System.Net.Sockets.Socket.Connect",
        "System.Net.Sockets.Socket.Accept",
    ];

    private readonly Dictionary<string, string> _added = new(StringComparer.Ordinal);
    private readonly HashSet<string> _trimmed = new(StringComparer.Ordinal);

    private BlockingApiList()
    {
        foreach (var line in BuiltInTrimmed)
        {
            _trimmed.Add(line);
        }

        foreach (var member in BuiltInAdded)
        {
            _added[member] = member.Substring(member.LastIndexOf('.') + 1) + "Async";
        }
    }

    public static BlockingApiList Load(ImmutableArray<AdditionalText> files, CancellationToken cancellationToken)
    {
        var list = new BlockingApiList();
        foreach (var file in files)
        {
            if (!string.Equals(Path.GetFileName(file.Path), FileName, StringComparison.OrdinalIgnoreCase) || file.GetText(cancellationToken) is not { } text)
            {
                continue;
            }

            foreach (var textLine in text.Lines)
            {
                var line = textLine.ToString().Trim();
                if (line.Length == 0 || line[0] == '#')
                {
                    continue;
                }

                if (line[0] == '!')
                {
                    list._trimmed.Add(line.Substring(1).Trim());
                    continue;
                }

                var arrow = line.IndexOf("->", StringComparison.Ordinal);
                var member = arrow < 0 ? line : line.Substring(0, arrow).Trim();
                var alternative = arrow < 0 ? null : line.Substring(arrow + 2).Trim();
                list._added[member] = alternative is { Length: > 0 } ? alternative : member.Substring(member.LastIndexOf('.') + 1) + "Async";
            }
        }

        return list;
    }

    /// <summary>
    /// Whether <paramref name="method"/> is never to be flagged: trimmed by name, or by a wildcard (<c>Type.*</c>,
    /// <c>*.Member</c>) unless the list adds it by name.
    /// </summary>
    public bool IsTrimmed(IMethodSymbol method)
    {
        var type = TypeName(method.ContainingType);
        var member = type + "." + method.Name;
        return _trimmed.Contains(member)
            || (!_added.ContainsKey(member) && (_trimmed.Contains(type + ".*") || _trimmed.Contains("*." + method.Name)));
    }

    /// <summary>The alternative the list names for <paramref name="method"/>, if it names one.</summary>
    public string? AddedAlternative(IMethodSymbol method) =>
        _added.TryGetValue(TypeName(method.ContainingType) + "." + method.Name, out var alternative) ? alternative : null;

    private static string TypeName(INamedTypeSymbol type) =>
        type.OriginalDefinition.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat.WithGlobalNamespaceStyle(SymbolDisplayGlobalNamespaceStyle.Omitted).WithGenericsOptions(SymbolDisplayGenericsOptions.None));
}
