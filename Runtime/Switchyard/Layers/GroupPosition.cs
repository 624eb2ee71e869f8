using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace Switchyard;

/// <summary>
/// Where a message stands in a group's history (<see cref="ChannelLayerOptions.GroupHistory"/>): the history's epoch
/// and the message's offset in it. Offsets grow by one per group send, starting at 1; offset 0 is "before the first
/// message". The epoch changes when the history is lost (a new in-memory layer, a Redis that forgot the group's
/// history), so a position from another epoch cannot be resumed from. Its text form, <c>epoch:offset</c>, is what a
/// client keeps and sends back.
/// </summary>
/// <param name="Epoch">The history's epoch: letters, digits, <c>-</c> and <c>_</c>.</param>
/// <param name="Offset">The message's offset, 0 or more.</param>
public readonly record struct GroupPosition(string Epoch, long Offset)
{
    /// <summary>The longest epoch a position may carry.</summary>
    public const int MaxEpochLength = 64;

    /// <summary>Returns the text form, <c>epoch:offset</c>.</summary>
    /// <returns>The position as text.</returns>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Epoch}:{Offset}");

    /// <summary>Reads a position's text form, <c>epoch:offset</c>, as a client sends it back.</summary>
    /// <param name="text">The text; may be <see langword="null"/> or anything a client sent.</param>
    /// <param name="position">The position read.</param>
    /// <returns><see langword="false"/> when <paramref name="text"/> is not a position.</returns>
    public static bool TryParse([NotNullWhen(true)] string? text, out GroupPosition position)
    {
        position = default;
        if (text is null)
        {
            return false;
        }

        var colon = text.LastIndexOf(':');
        if (colon < 1 || colon > MaxEpochLength
            || !long.TryParse(text.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var offset))
        {
            return false;
        }

        foreach (var c in text.AsSpan(0, colon))
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not '-' and not '_')
            {
                return false;
            }
        }

        position = new GroupPosition(text[..colon], offset);
        return true;
    }

    /// <summary>Reads a position's text form.</summary>
    /// <param name="text">The text, <c>epoch:offset</c>.</param>
    /// <returns>The position.</returns>
    /// <exception cref="FormatException"><paramref name="text"/> is not a position.</exception>
    public static GroupPosition Parse(string text) =>
        TryParse(text, out var position) ? position : throw new FormatException($"'{LogSanitizer.Sanitize(text)}' is not a group position (epoch:offset).");
}
