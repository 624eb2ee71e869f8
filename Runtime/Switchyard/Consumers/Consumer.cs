namespace Switchyard;

/// <summary>
/// The base of every consumer: a class that handles the events of one connection or of one named channel.
/// One instance serves one connection or channel, and its handlers never run concurrently: a
/// <see cref="ConsumerRunner"/> hands them one message at a time, receiving the next from the consumer's channel only
/// when the previous one is handled.
/// </summary>
/// <remarks>
/// Handlers are methods the Switchyard source generator wires to message types through
/// <see cref="IConsumerDispatcher"/>, so the class must be <c>partial</c>. Groups joined with
/// <see cref="JoinGroupAsync(string, CancellationToken)"/> are left automatically when the consumer stops.
/// </remarks>
public abstract class Consumer
{
    private HashSet<string>? _groups;
    private ConsumerRunner? _runner;
    private ChannelMessage? _currentMessage;

    /// <summary>Gets what the consumer knows of its connection or channel.</summary>
    /// <exception cref="InvalidOperationException">The consumer has not been started by a <see cref="ConsumerRunner"/>.</exception>
    public ConsumerScope Scope => Runner.Scope;

    /// <summary>Gets the channel this consumer receives on (its reply address).</summary>
    /// <exception cref="InvalidOperationException">The consumer has not been started.</exception>
    public string ChannelName => Runner.Scope.ChannelName;

    /// <summary>Gets the route values the consumer was matched with, such as <c>Route["room"]</c> for <c>/ws/chat/{room}/</c>.</summary>
    /// <exception cref="InvalidOperationException">The consumer has not been started.</exception>
    protected IReadOnlyDictionary<string, string> Route => Runner.Scope.RouteValues;

    /// <summary>Gets the groups this consumer has joined and will leave when it stops.</summary>
    public IReadOnlyCollection<string> Groups => (IReadOnlyCollection<string>?)_groups ?? [];

    /// <summary>Gets the channel layer the consumer is attached to.</summary>
    /// <exception cref="InvalidOperationException">The consumer runs without a channel layer.</exception>
    protected ChannelLayer Layer => Runner.Layer ?? throw new InvalidOperationException(
        $"{GetType().Name} runs without a channel layer; channel and group operations need one.");

    internal ConsumerRunner Runner => _runner ?? throw new InvalidOperationException(
        $"{GetType().Name} has not been started; consumers are run by a {nameof(ConsumerRunner)}.");

    /// <summary>Asks the runner to stop this consumer once the current handler returns (Django Channels' <c>StopConsumer</c>).</summary>
    public void StopConsumer() => Runner.Stop();

    /// <summary>Called once before the first message is dispatched. Join groups or accept the connection here.</summary>
    /// <param name="cancellationToken">Cancelled when the consumer is aborted.</param>
    /// <returns>A task that completes when the consumer is ready.</returns>
    protected internal virtual ValueTask OnStartedAsync(CancellationToken cancellationToken) => default;

    /// <summary>Called once after the last message, with the reason; groups have already been left.</summary>
    /// <param name="reason">Why the consumer stopped.</param>
    /// <param name="cancellationToken">Bounds the clean-up.</param>
    /// <returns>A task that completes when clean-up is done.</returns>
    protected internal virtual ValueTask OnStoppedAsync(ConsumerStopReason reason, CancellationToken cancellationToken) => default;

    /// <summary>
    /// Called when the channel layer loses its connection (a remote layer whose server went away): sends fail (or wait,
    /// as the layer is configured) until <see cref="OnLayerReconnectedAsync"/>. Runs in turn with the handlers.
    /// Override to tell a client, pause work, or stop; by default nothing happens and the consumer waits.
    /// </summary>
    /// <param name="error">Why the connection was lost.</param>
    /// <param name="cancellationToken">Cancelled when the consumer is aborted.</param>
    /// <returns>A task that completes when done.</returns>
    protected internal virtual ValueTask OnLayerDisconnectedAsync(Exception? error, CancellationToken cancellationToken) => default;

    /// <summary>Called when the channel layer is connected again after <see cref="OnLayerDisconnectedAsync"/>. Runs in turn with the handlers.</summary>
    /// <param name="cancellationToken">Cancelled when the consumer is aborted.</param>
    /// <returns>A task that completes when done.</returns>
    protected internal virtual ValueTask OnLayerReconnectedAsync(CancellationToken cancellationToken) => default;

    /// <summary>
    /// Called for a message whose type no handler takes, after the runner logged and counted it. The default does
    /// nothing more; server consumers override it to close the connection with a protocol error.
    /// </summary>
    /// <param name="message">The message.</param>
    /// <param name="cancellationToken">Cancelled when the consumer is aborted.</param>
    /// <returns>A task that completes when the message has been dealt with.</returns>
    protected internal virtual ValueTask OnUnhandledMessageAsync(ChannelMessage message, CancellationToken cancellationToken) => default;

    /// <summary>Adds this consumer's channel to <paramref name="group"/>; it leaves the group automatically when it stops.</summary>
    /// <param name="group">The group name.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>A task that completes when the membership is recorded.</returns>
    /// <exception cref="ArgumentException"><paramref name="group"/> is invalid.</exception>
    protected ValueTask JoinGroupAsync(string group, CancellationToken cancellationToken = default) =>
        JoinGroupInternalAsync(group, cancellationToken);

    /// <summary>
    /// Joins <paramref name="group"/> and first hands this consumer's handlers, oldest first, the messages sent to it
    /// after <paramref name="since"/> (the last position the client saw, <see cref="ChannelMessage.TryGetGroupPosition"/>),
    /// then live messages — none twice, none lost in the switch. When the messages cannot all be given (the history
    /// trimmed them, or was lost: another epoch), none are replayed and <see cref="GroupResume.Loss"/> says why: the
    /// consumer is in the group all the same, and catches up from the application's own source of truth. The group must
    /// keep a history (<see cref="ChannelLayerOptions.GroupHistory"/>). Handlers run in this call, so call it where
    /// they may send (after <c>AcceptAsync</c> on a WebSocket consumer).
    /// </summary>
    /// <param name="group">The group name.</param>
    /// <param name="since">The last position the client has, or <see langword="null"/> to only learn the group's latest position.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>How many missed messages were handled, the position reached, or why nothing was replayed.</returns>
    /// <exception cref="ArgumentException"><paramref name="group"/> is invalid.</exception>
    /// <exception cref="InvalidOperationException">The group keeps no history.</exception>
    protected ValueTask<GroupResume> JoinGroupAsync(string group, GroupPosition? since, CancellationToken cancellationToken = default) =>
        Runner.JoinAndResumeAsync(group, since, cancellationToken);

    /// <summary>
    /// Gets the message whose handler is running (with its headers, such as its group position), or
    /// <see langword="null"/> in a lifecycle hook or a client handler.
    /// </summary>
    protected ChannelMessage? CurrentMessage => _currentMessage;

    internal ChannelMessage? CurrentMessageSlot
    {
        get => _currentMessage;
        set => _currentMessage = value;
    }

    /// <summary>Removes this consumer's channel from <paramref name="group"/>.</summary>
    /// <param name="group">The group name.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>A task that completes when the membership is gone.</returns>
    protected async ValueTask LeaveGroupAsync(string group, CancellationToken cancellationToken = default)
    {
        await Layer.GroupDiscardAsync(group, ChannelName, cancellationToken).ConfigureAwait(false);
        _groups?.Remove(group);
        Runner.ForgetResume(group);
    }

    /// <summary>Sends a message to another channel, such as a worker's named channel or a reply channel.</summary>
    /// <param name="channel">The destination channel.</param>
    /// <param name="message">The message.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>A task that completes when the channel accepted the message.</returns>
    /// <exception cref="ChannelFullException">The channel is full.</exception>
    protected ValueTask SendToChannelAsync(string channel, ChannelMessage message, CancellationToken cancellationToken = default) =>
        Layer.SendAsync(channel, message, cancellationToken);

    /// <summary>Serializes a typed message once and sends it to another channel.</summary>
    /// <typeparam name="T">The message record.</typeparam>
    /// <param name="channel">The destination channel.</param>
    /// <param name="message">The message.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>A task that completes when the channel accepted the message.</returns>
    /// <exception cref="ChannelFullException">The channel is full.</exception>
    protected ValueTask SendToChannelAsync<T>(string channel, T message, CancellationToken cancellationToken = default)
        where T : IChannelMessage<T> =>
        Layer.SendAsync(channel, ChannelMessage.Create(message), cancellationToken);

    /// <summary>Sends a message to every member of a group, this consumer included when it is a member.</summary>
    /// <param name="group">The group name.</param>
    /// <param name="message">The message.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>How many members received it and how many were skipped because they were full.</returns>
    protected ValueTask<GroupSendResult> GroupSendAsync(string group, ChannelMessage message, CancellationToken cancellationToken = default) =>
        Layer.GroupSendAsync(group, message, cancellationToken);

    /// <summary>Serializes a typed message once and sends it to every member of a group.</summary>
    /// <typeparam name="T">The message record.</typeparam>
    /// <param name="group">The group name.</param>
    /// <param name="message">The message.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>How many members received it and how many were skipped because they were full.</returns>
    protected ValueTask<GroupSendResult> GroupSendAsync<T>(string group, T message, CancellationToken cancellationToken = default)
        where T : IChannelMessage<T> =>
        Layer.GroupSendAsync(group, ChannelMessage.Create(message), cancellationToken);

    internal void Attach(ConsumerRunner runner)
    {
        if (Interlocked.CompareExchange(ref _runner, runner, null) is not null)
        {
            throw new InvalidOperationException(
                $"This {GetType().Name} instance is already run by a {nameof(ConsumerRunner)}; create one consumer instance per connection or channel.");
        }
    }

    internal async ValueTask JoinGroupInternalAsync(string group, CancellationToken cancellationToken, bool filtered = true)
    {
        if (filtered && Scope.Services?.GetService(typeof(IGroupJoinFilter)) is IGroupJoinFilter filter
            && !await filter.CanJoinAsync(Scope, group, cancellationToken).ConfigureAwait(false))
        {
            throw new GroupJoinRefusedException(group, GetType().Name);
        }

        await AddToGroupAsync(group, cancellationToken).ConfigureAwait(false);
        (_groups ??= new HashSet<string>(StringComparer.Ordinal)).Add(group);
    }

    /// <summary>
    /// Returns what this consumer's member of a presence group says of itself (<see cref="PresenceMember.Info"/>, at
    /// most <see cref="PresenceMember.MaxInfoLength"/> characters), such as a display name or a device; <see langword="null"/> by default.
    /// Its user id is the connection's (<see cref="ConsumerScope.UserId"/>).
    /// </summary>
    /// <param name="group">The presence group being joined.</param>
    /// <returns>The info, or <see langword="null"/>.</returns>
    protected virtual string? GetPresenceInfo(string group) => null;

    // A join, or a rejoin after the layer came back: with presence where a rule asks for it.
    internal async ValueTask AddToGroupAsync(string group, CancellationToken cancellationToken)
    {
        var layer = Layer;
        if (layer.Options.Presence.Count > 0 && (layer.Capabilities & ChannelLayerCapabilities.Presence) != 0 && layer.Options.GetPresence(group) is not null)
        {
            await layer.JoinPresenceAsync(group, ChannelName, Scope.UserId, GetPresenceInfo(group), cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await layer.GroupAddAsync(group, ChannelName, cancellationToken).ConfigureAwait(false);
        }
    }

    internal string[] TakeGroups()
    {
        if (_groups is null)
        {
            return [];
        }

        var groups = _groups.ToArray();
        _groups.Clear();
        return groups;
    }
}
