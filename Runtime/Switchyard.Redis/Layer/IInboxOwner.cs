using Switchyard.Redis.Connections;

namespace Switchyard.Redis;

/// <summary>
/// What a <see cref="ProcessInbox"/> needs of the layer it belongs to, beyond the stable values its constructor takes
/// (its server, the keys, the payload encryption, the logger and the metrics): the layer's rules and clock, whether it
/// is closed, where a group's membership lives, and the hooks that count and log what the inbox does not deliver.
/// </summary>
/// <remarks><see cref="RedisChannelLayer"/> implements it explicitly, so none of it is public API.</remarks>
internal interface IInboxOwner
{
    /// <summary>Gets the layer's rules: each channel's capacity, the expiry, the group expiry, how long a full member may wait.</summary>
    ChannelLayerOptions Options { get; }

    /// <summary>Gets the layer's clock, which also measures how long a full member waits for room.</summary>
    TimeProvider TimeProvider { get; }

    /// <summary>Gets the layer's time now (Unix ms): what an entry's expiry is checked against.</summary>
    long NowMs { get; }

    /// <summary>Gets how long a message lives unread (ms): an entry was sent this long before it expires.</summary>
    long ExpiryMs { get; }

    /// <summary>Gets whether the layer is closed.</summary>
    bool IsClosed { get; }

    /// <summary>Creates the exception an operation of the closed layer throws.</summary>
    /// <param name="operation">What was attempted, such as <c>receive</c>.</param>
    /// <returns>The exception.</returns>
    ChannelLayerClosedException ClosedException(string operation);

    /// <summary>Gets the server that keeps <paramref name="group"/>'s membership (its process member sets and versions).</summary>
    /// <param name="group">The group.</param>
    /// <returns>The server.</returns>
    RedisServerConnection ShardOf(string group);

    /// <summary>Counts and logs messages of <paramref name="channel"/> that expired unread.</summary>
    /// <param name="channel">The channel, or a description of the group entry.</param>
    /// <param name="count">How many expired.</param>
    void OnMessagesExpired(string channel, int count);

    /// <summary>Logs (aggregated per group and interval) members of <paramref name="group"/> skipped in this process; the inbox counts them.</summary>
    /// <param name="group">The group.</param>
    /// <param name="message">The message.</param>
    /// <param name="skipped">How many members were skipped.</param>
    void LogSkippedFullMembers(string group, ChannelMessage message, int skipped);
}
