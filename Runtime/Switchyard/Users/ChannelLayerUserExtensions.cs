namespace Switchyard;

/// <summary>Sends to a user: to every connection that belongs to the user (see <see cref="IUserIdProvider"/>), on every process.</summary>
public static class ChannelLayerUserExtensions
{
    /// <summary>
    /// Sends <paramref name="message"/> to every connection of <paramref name="userId"/> that is open now, on every
    /// process of the layer (a group send to <see cref="UserGroups.For"/>).
    /// </summary>
    /// <param name="layer">The channel layer.</param>
    /// <param name="userId">The user id.</param>
    /// <param name="message">The message; each connection's consumer handles it (or its forwarding path forwards it).</param>
    /// <param name="cancellationToken">Cancels the send.</param>
    /// <returns>How many of the user's connections got the message, and how many were skipped because they were full.</returns>
    /// <exception cref="ArgumentException"><paramref name="userId"/> is null or empty.</exception>
    /// <exception cref="NotSupportedException">The layer has no groups.</exception>
    public static ValueTask<GroupSendResult> SendToUserAsync(this ChannelLayer layer, string userId, ChannelMessage message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(layer);
        return layer.GroupSendAsync(UserGroups.For(userId), message, cancellationToken);
    }

    /// <summary>Serializes <paramref name="message"/> once and sends it to every connection of <paramref name="userId"/> (see the untyped overload).</summary>
    /// <typeparam name="T">The message record.</typeparam>
    /// <param name="layer">The channel layer.</param>
    /// <param name="userId">The user id.</param>
    /// <param name="message">The message.</param>
    /// <param name="cancellationToken">Cancels the send.</param>
    /// <returns>How many of the user's connections got the message, and how many were skipped because they were full.</returns>
    /// <exception cref="ArgumentException"><paramref name="userId"/> is null or empty.</exception>
    /// <exception cref="NotSupportedException">The layer has no groups.</exception>
    public static ValueTask<GroupSendResult> SendToUserAsync<T>(this ChannelLayer layer, string userId, T message, CancellationToken cancellationToken = default)
        where T : IChannelMessage<T> =>
        layer.SendToUserAsync(userId, ChannelMessage.Create(message), cancellationToken);

    /// <summary>
    /// Closes every connection of <paramref name="userId"/> that is open now, on every process ("log out everywhere"):
    /// each one's consumer stops (<see cref="ConsumerStopReason.UserDisconnected"/>) and its client is told close code
    /// 1008 with the reason <c>user disconnected</c>. Connections opened after the call are not affected: revoke the
    /// user's sign-in first so they cannot reconnect.
    /// </summary>
    /// <param name="layer">The channel layer.</param>
    /// <param name="userId">The user id.</param>
    /// <param name="cancellationToken">Cancels the send.</param>
    /// <returns>How many of the user's connections were told to close, and how many were skipped because their channel
    /// was full (those stay open).</returns>
    /// <exception cref="ArgumentException"><paramref name="userId"/> is null or empty.</exception>
    /// <exception cref="NotSupportedException">The layer has no groups.</exception>
    public static ValueTask<GroupSendResult> DisconnectUserAsync(this ChannelLayer layer, string userId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(layer);
        return layer.GroupSendAsync(UserGroups.For(userId), new ChannelMessage(UserGroups.DisconnectMessageType, ReadOnlyMemory<byte>.Empty), cancellationToken);
    }
}
