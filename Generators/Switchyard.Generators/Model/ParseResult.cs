using Switchyard.Generators.Helpers;

namespace Switchyard.Generators.Model;

/// <summary>
/// What parsing one declaration produced: the spec (or <see langword="null"/> when the declaration cannot be
/// generated for) and its diagnostics. Only <see cref="Spec"/> reaches the emitter; diagnostics take their own branch.
/// </summary>
/// <param name="Spec">The spec.</param>
/// <param name="Diagnostics">Diagnostics to report.</param>
/// <param name="Anchor">Where aggregate diagnostics (duplicate route or message type) about this declaration point.</param>
internal sealed record ParseResult<T>(T? Spec, EquatableArray<DiagnosticInfo> Diagnostics, LocationInfo? Anchor)
    where T : class;
