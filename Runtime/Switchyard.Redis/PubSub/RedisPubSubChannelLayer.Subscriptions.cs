using Switchyard.Redis.Connections;
using Switchyard.Redis.Forwarding;
using ChannelMessageQueue = StackExchange.Redis.ChannelMessageQueue;
using RedisChannel = StackExchange.Redis.RedisChannel;
using RedisValue = StackExchange.Redis.RedisValue;

namespace Switchyard.Redis;

/// <content>Publishing, and the Redis subscriptions of this process: made, ended, restored after a reconnect, and read.</content>
public sealed partial class RedisPubSubChannelLayer
{
    // One PUBLISH on the server of the name; the number of processes that were listening.
    private static async Task<long> PublishAsync(RedisServerConnection server, string key, byte[] payload, CancellationToken cancellationToken)
    {
        // StackExchange.Redis cannot take a command back once it is queued: a cancelled send is one that never left.
        cancellationToken.ThrowIfCancellationRequested();
        return await RedisErrors.Run(server, _ => server.Subscriber.PublishAsync(RedisChannel.Literal(key), payload)).ConfigureAwait(false);
    }

    // Brings Redis in line with what this process wants for one key (subscribed while a channel buffer or a local group
    // needs it), one key at a time per server, so a subscribe and an unsubscribe of the same key never overtake each other.
    private async Task ReconcileAsync(int shard, string key)
    {
        var gate = _subscriptionLocks[shard];
        await gate.WaitAsync().ConfigureAwait(false);
        var retry = false;
        try
        {
            bool wanted;
            lock (_lock)
            {
                wanted = _channels.ContainsKey(key) || _groups.ContainsKey(key);
            }

            var subscribed = _subscribed[shard];
            if (IsClosed || wanted == subscribed.ContainsKey(key))
            {
                return;
            }

            var server = _servers[shard];
            if (wanted)
            {
                try
                {
                    subscribed.Add(key, await SubscribeAsync(server, key).ConfigureAwait(false));
                }
                catch (RedisLayerException ex)
                {
                    // Redis is away: the key is subscribed when the connection is back (ResubscribeAsync). It may also
                    // have failed with the connection up (a SUBSCRIBE that timed out on a loaded machine): then no
                    // reconnect will come to subscribe it, so it is tried again now (and every MaxBackoff while it fails).
                    Volatile.Write(ref _resubscribe[shard], true);
                    retry = server.IsConnected;
                    if (!IsClosed)
                    {
                        RedisLog.SubscriptionFailed(Logger, ex, "SUBSCRIBE", key, server.Name);
                    }
                }

                return;
            }

            // StackExchange.Redis forgets the subscription either way: a connection that is down has none left to end.
            var queue = subscribed[key];
            subscribed.Remove(key);
            try
            {
                await RedisErrors.Run(server, _ => queue.UnsubscribeAsync()).ConfigureAwait(false);
            }
            catch (RedisLayerException ex)
            {
                if (!IsClosed)
                {
                    RedisLog.SubscriptionFailed(Logger, ex, "UNSUBSCRIBE", key, server.Name);
                }
            }
        }
        finally
        {
            gate.Release();
            if (retry)
            {
                _ = ResubscribeAsync(shard);
            }
        }
    }

    // After a reconnect of a server's subscription connection (or a subscribe that failed while it was away), once every
    // connection to the server is up. StackExchange.Redis has already sent a SUBSCRIBE for every key this layer had
    // subscribed there; the keys whose subscribe failed while Redis was away are subscribed now. A PING on the
    // subscription connection is answered after the SUBSCRIBEs sent before it, so once it is back every key is
    // subscribed again, and the log line says so. Tried again (every MaxBackoff) while it fails with the server up.
    private async Task ResubscribeAsync(int shard)
    {
        var server = _servers[shard];
        var gate = _subscriptionLocks[shard];
        await gate.WaitAsync().ConfigureAwait(false);
        var retry = false;
        try
        {
            if (IsClosed || !Volatile.Read(ref _resubscribe[shard]) || !server.IsConnected)
            {
                return;
            }

            Volatile.Write(ref _resubscribe[shard], false);
            var subscribed = _subscribed[shard];
            string[] wanted;
            lock (_lock)
            {
                wanted = [.. _channels.Values.Where(b => b.Shard == shard).Select(b => b.Key).Concat(_groups.Values.Where(g => g.Shard == shard).Select(g => g.Key))];
            }

            // Pipelined: one round trip for all of them.
            var missing = wanted.Where(key => !subscribed.ContainsKey(key)).ToArray();
            var attempts = missing.Select(key => SubscribeAsync(server, key)).ToArray();
            try
            {
                await Task.WhenAll(attempts).ConfigureAwait(false);
            }
            catch (RedisLayerException)
            {
                // Each attempt is looked at below.
            }

            var failed = 0;
            RedisLayerException? error = null;
            for (var i = 0; i < missing.Length; i++)
            {
                if (attempts[i].IsCompletedSuccessfully)
                {
                    subscribed.Add(missing[i], attempts[i].Result);
                }
                else
                {
                    failed++;
                    error ??= attempts[i].Exception?.InnerException as RedisLayerException;
                }
            }

            try
            {
                if (error is not null)
                {
                    throw error;
                }

                await RedisErrors.Run(server, _ => server.Subscriber.PingAsync()).WaitAsync(server.CommandTimeout).ConfigureAwait(false);
                RedisLog.Resubscribed(Logger, wanted.Length, server.Name);
            }
            catch (Exception ex) when (ex is RedisLayerException or TimeoutException)
            {
                // Lost again (the next reconnect subscribes again), or failed with the server up: try again shortly.
                Volatile.Write(ref _resubscribe[shard], true);
                retry = true;
                if (!IsClosed)
                {
                    RedisLog.SubscriptionFailed(Logger, ex, "SUBSCRIBE", $"{(failed > 0 ? failed : wanted.Length)} keys", server.Name);
                }
            }
        }
        finally
        {
            gate.Release();
        }

        if (retry && !IsClosed)
        {
            try
            {
                await Task.Delay(RedisServerConnection.MaxBackoff, _stopping.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            await ResubscribeAsync(shard).ConfigureAwait(false);
        }
    }

    // SUBSCRIBE for one key, and the pump that hands what arrives to OnMessage. A failed SUBSCRIBE leaves nothing behind.
    private async Task<ChannelMessageQueue> SubscribeAsync(RedisServerConnection server, string key)
    {
        var channel = RedisChannel.Literal(key);
        ChannelMessageQueue queue;
        try
        {
            queue = await server.Subscriber.SubscribeAsync(channel).ConfigureAwait(false);

            // A PING on the subscription connection is answered after the SUBSCRIBE before it: once it is back, Redis
            // counts this process as a listener, so a PUBLISH made after this returns reaches it.
            await server.Subscriber.PingAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (RedisErrors.Translate(ex, server) is { } error)
        {
            // StackExchange.Redis keeps a failed subscription (and would subscribe it again after a reconnect) with a queue
            // nobody here reads; dropping the key drops it (nothing goes to Redis while the connection is down).
            try
            {
                await server.Subscriber.UnsubscribeAsync(channel).ConfigureAwait(false);
            }
            catch (Exception cleanup) when (RedisErrors.Translate(cleanup, server) is not null)
            {
                // The connection is down: it has no subscription to end.
            }

            throw error;
        }

        // StackExchange.Redis's sequential loop for this subscription: its messages in the order Redis sent them (its
        // handlers would run on the thread pool in no order). Each subscription has its own loop, so the messages of two
        // keys (a group's and a member channel's) are not ordered between them.
        queue.OnMessage(message => OnMessage(key, message.Message));
        return queue;
    }

    // Something was published on a channel or group this process listens to, on that subscription's message loop.
    private void OnMessage(string key, RedisValue payload)
    {
        ChannelBuffer? direct;
        ChannelBuffer[]? members = null;
        string? groupName = null;
        lock (_lock)
        {
            if (!_channels.TryGetValue(key, out direct) && _groups.TryGetValue(key, out var group))
            {
                members = group.Snapshot;
                groupName = group.Name;
            }
        }

        if (direct is null && members is null)
        {
            // Unsubscribed in the meantime: at most once, the message is gone.
            return;
        }

        ChannelMessage message;
        try
        {
            message = Envelope.Decode((byte[]?)payload ?? [], _encryption).Message;
        }
        catch (RedisLayerException ex)
        {
            RedisLog.UnreadableMessage(Logger, ex, key);
            Metrics.Unreadable(direct?.Channel ?? groupName!);
            return;
        }

        // Offered to the forwarder first, then buffered (see LocalMember); one decoded instance for every member here,
        // so a frame made from it is encoded once in this process.
        if (direct is not null)
        {
            direct.Deliver(new MemberDelivery(message, 0, Group: null));
            return;
        }

        var delivery = new MemberDelivery(message, 0, groupName);
        foreach (var member in members!)
        {
            member.Deliver(delivery);
        }
    }
}
