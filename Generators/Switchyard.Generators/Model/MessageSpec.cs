using Switchyard.Generators.Helpers;

namespace Switchyard.Generators.Model;

/// <summary>Everything the emitter needs to write one message record's serializers.</summary>
/// <remarks>
/// Specs are immutable and structurally equal: strings, enums, bools, nested specs and <see cref="EquatableArray{T}"/>
/// only — never an <c>ISymbol</c>, <c>SyntaxNode</c>, <c>Location</c>, <c>Compilation</c> or <c>Diagnostic</c>.
/// Otherwise incremental caching breaks: an equal spec must mean "nothing to regenerate".
/// </remarks>
/// <param name="Namespace">The containing namespace, or empty for the global namespace.</param>
/// <param name="TypeName">The record's name.</param>
/// <param name="FullName">The <c>global::</c>-qualified name.</param>
/// <param name="Accessibility">The C# accessibility keyword(s) of the declaration.</param>
/// <param name="MessageType">The <c>type</c> string, or <see langword="null"/> for a member-only record.</param>
/// <param name="Members">The primary-constructor members in declaration order.</param>
/// <param name="IsFallback">Whether a member cannot be serialized: the emitter then writes methods that throw, so the
/// code that uses the message still compiles and the diagnostic is the only error.</param>
internal sealed record MessageSpec(
    string Namespace,
    string TypeName,
    string FullName,
    string Accessibility,
    string? MessageType,
    EquatableArray<MemberSpec> Members,
    bool IsFallback);
