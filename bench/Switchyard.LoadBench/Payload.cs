using System.Buffers.Text;

namespace Switchyard.LoadBench;

/// <summary>
/// The benchmark's application message: <c>{"type":"bench.tick","seq":12,"ts":123456789,"pad":"xxxx"}</c>, padded to
/// the requested size; or, for the raw-text relay, the plain text <c>seq=12 ts=123456789 xxxx</c>, padded the same way.
/// <c>ts</c> is the client's <see cref="System.Diagnostics.Stopwatch.GetTimestamp"/> at send time; the client is one
/// process, so latency is the receive timestamp minus <c>ts</c>.
/// </summary>
internal static class Payload
{
    public static ReadOnlySpan<byte> EchoType => "bench.echo"u8;

    public static ReadOnlySpan<byte> TickType => "bench.tick"u8;

    /// <summary>Large enough for any message the scenarios build (sizes are checked against it).</summary>
    public const int MaxSize = 64 * 1024;

    /// <summary>Writes the message; <c>pad</c> fills it to <paramref name="size"/> bytes where the fields leave room.</summary>
    public static int Write(Span<byte> destination, ReadOnlySpan<byte> type, long seq, long timestamp, int size)
    {
        var n = 0;
        n += Copy("{\"type\":\""u8, destination[n..]);
        n += Copy(type, destination[n..]);
        n += Copy("\",\"seq\":"u8, destination[n..]);
        n += Format(seq, destination[n..]);
        n += Copy(",\"ts\":"u8, destination[n..]);
        n += Format(timestamp, destination[n..]);
        n += Copy(",\"pad\":\""u8, destination[n..]);
        var pad = Math.Max(0, size - n - 2);
        destination.Slice(n, pad).Fill((byte)'x');
        n += pad;
        n += Copy("\"}"u8, destination[n..]);
        return n;
    }

    /// <summary>Writes the raw-text message <c>seq=12 ts=123456789 xxxx</c>, padded with <c>x</c> to <paramref name="size"/> bytes.</summary>
    public static int WriteText(Span<byte> destination, long seq, long timestamp, int size)
    {
        var n = 0;
        n += Copy("seq="u8, destination[n..]);
        n += Format(seq, destination[n..]);
        n += Copy(" ts="u8, destination[n..]);
        n += Format(timestamp, destination[n..]);
        destination[n++] = (byte)' ';
        var pad = Math.Max(0, size - n);
        destination.Slice(n, pad).Fill((byte)'x');
        return n + pad;
    }

    /// <summary>
    /// Finds <c>seq</c> and <c>ts</c> in a message, also when the message is a JSON string inside another JSON
    /// document (SignalR's <c>arguments</c>, where the quotes are escaped as <c>\"</c>); in the raw-text form
    /// (<c>seq=12 ts=34</c>) when there is no JSON <c>"seq</c>.
    /// </summary>
    public static bool TryRead(ReadOnlySpan<byte> message, out long seq, out long timestamp)
    {
        timestamp = 0;
        if (TryReadNumber(message, "\"seq"u8, out seq))
        {
            return TryReadNumber(message, "\"ts"u8, out timestamp);
        }

        return TryReadNumber(message, "seq="u8, out seq) && TryReadNumber(message, " ts="u8, out timestamp);
    }

    private static bool TryReadNumber(ReadOnlySpan<byte> message, ReadOnlySpan<byte> name, out long value)
    {
        value = 0;
        var at = message.IndexOf(name);
        if (at < 0)
        {
            return false;
        }

        var rest = message[(at + name.Length)..];
        var skip = 0;
        while (skip < rest.Length && skip < 4 && rest[skip] is (byte)'\\' or (byte)'"' or (byte)':')
        {
            skip++;
        }

        return Utf8Parser.TryParse(rest[skip..], out value, out _);
    }

    private static int Copy(ReadOnlySpan<byte> source, Span<byte> destination)
    {
        source.CopyTo(destination);
        return source.Length;
    }

    private static int Format(long value, Span<byte> destination)
    {
        if (!Utf8Formatter.TryFormat(value, destination, out var written))
        {
            throw new ArgumentException("Destination too small.", nameof(destination));
        }

        return written;
    }
}
