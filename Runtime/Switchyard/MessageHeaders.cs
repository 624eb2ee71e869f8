using System.Collections;

namespace Switchyard;

/// <summary>
/// Small, immutable, ordered string headers carried by a <see cref="ChannelMessage"/>: trace context
/// (<see cref="TraceParent"/>, <see cref="TraceState"/>) and whatever an application adds.
/// </summary>
/// <remarks>
/// Headers are a flat array because messages carry zero to three of them; a lookup is a short ordinal scan and
/// an empty header set allocates nothing. Keys compare ordinally and case-sensitively.
/// </remarks>
public readonly struct MessageHeaders : IReadOnlyList<KeyValuePair<string, string>>, IEquatable<MessageHeaders>
{
    /// <summary>The W3C trace-context header that carries the sender's trace and span ids.</summary>
    public const string TraceParent = "traceparent";

    /// <summary>The W3C trace-context header that carries vendor trace state.</summary>
    public const string TraceState = "tracestate";

    /// <summary>
    /// The group a message was sent to: on a group send whose group keeps a history
    /// (<see cref="ChannelLayerOptions.GroupHistory"/>), and on every group send that has a span (the receiving
    /// consumer's span names the group as its destination).
    /// </summary>
    public const string Group = "switchyard-group";

    /// <summary>
    /// The message's id, its <c>messaging.message.id</c> in traces. A send that has a span writes a new one (32 hex
    /// digits), so an untraced send (no listener, or sampled out) adds nothing to the message; a message that already
    /// carries the header keeps it, so an application may give its own id (an outbox row's, say).
    /// </summary>
    public const string MessageId = "switchyard-message-id";

    /// <summary>The message's <see cref="GroupPosition"/> in its group's history, as text (<c>epoch:offset</c>).</summary>
    public const string Position = "switchyard-position";

    private readonly KeyValuePair<string, string>[]? _items;

    private MessageHeaders(KeyValuePair<string, string>[] items) => _items = items;

    /// <summary>Gets an empty header set.</summary>
    public static MessageHeaders Empty => default;

    /// <summary>Gets the number of headers.</summary>
    public int Count => _items?.Length ?? 0;

    /// <summary>Gets the header at <paramref name="index"/>.</summary>
    /// <param name="index">The zero-based position.</param>
    /// <returns>The header's key and value.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is outside the header set.</exception>
    public KeyValuePair<string, string> this[int index]
    {
        get
        {
            ArgumentOutOfRangeException.ThrowIfNegative(index);
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Count);
            return _items![index];
        }
    }

    /// <summary>Looks up a header by key.</summary>
    /// <param name="key">The header key.</param>
    /// <param name="value">The value when found.</param>
    /// <returns><see langword="true"/> when the header is present.</returns>
    public bool TryGetValue(string key, out string value)
    {
        if (_items is not null)
        {
            foreach (var item in _items)
            {
                if (string.Equals(item.Key, key, StringComparison.Ordinal))
                {
                    value = item.Value;
                    return true;
                }
            }
        }

        value = string.Empty;
        return false;
    }

    /// <summary>Returns a copy with <paramref name="key"/> set to <paramref name="value"/>, replacing an existing value.</summary>
    /// <param name="key">The header key; not empty.</param>
    /// <param name="value">The header value.</param>
    /// <returns>The new header set; this one is unchanged.</returns>
    /// <exception cref="ArgumentException"><paramref name="key"/> is null or empty.</exception>
    public MessageHeaders With(string key, string value)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        ArgumentNullException.ThrowIfNull(value);
        var items = _items ?? [];
        for (var i = 0; i < items.Length; i++)
        {
            if (string.Equals(items[i].Key, key, StringComparison.Ordinal))
            {
                var replaced = (KeyValuePair<string, string>[])items.Clone();
                replaced[i] = new(key, value);
                return new MessageHeaders(replaced);
            }
        }

        var added = new KeyValuePair<string, string>[items.Length + 1];
        items.CopyTo(added, 0);
        added[^1] = new(key, value);
        return new MessageHeaders(added);
    }

    /// <inheritdoc />
    public IEnumerator<KeyValuePair<string, string>> GetEnumerator() =>
        ((IEnumerable<KeyValuePair<string, string>>)(_items ?? [])).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <inheritdoc />
    public bool Equals(MessageHeaders other)
    {
        if (Count != other.Count)
        {
            return false;
        }

        for (var i = 0; i < Count; i++)
        {
            if (!string.Equals(_items![i].Key, other._items![i].Key, StringComparison.Ordinal) ||
                !string.Equals(_items[i].Value, other._items[i].Value, StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is MessageHeaders other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode()
    {
        var hash = default(HashCode);
        foreach (var item in _items ?? [])
        {
            hash.Add(item.Key, StringComparer.Ordinal);
            hash.Add(item.Value, StringComparer.Ordinal);
        }

        return hash.ToHashCode();
    }

    /// <summary>Compares two header sets by their ordered keys and values.</summary>
    /// <param name="left">The first set.</param>
    /// <param name="right">The second set.</param>
    /// <returns><see langword="true"/> when equal.</returns>
    public static bool operator ==(MessageHeaders left, MessageHeaders right) => left.Equals(right);

    /// <summary>Compares two header sets by their ordered keys and values.</summary>
    /// <param name="left">The first set.</param>
    /// <param name="right">The second set.</param>
    /// <returns><see langword="true"/> when different.</returns>
    public static bool operator !=(MessageHeaders left, MessageHeaders right) => !left.Equals(right);
}
