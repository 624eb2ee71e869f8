using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Switchyard.Redis.Layer;
using Switchyard.Redis.Resp;

namespace Switchyard.Redis;

public sealed partial class RedisChannelLayer
{
    /// <summary>
    /// The process-local channels (<c>a!x</c>, <c>a!y</c>, ...) of one non-local part (<c>a!</c>), received in this
    /// process: their messages arrive in ONE Redis list, the inbox, with one entry per message listing the channels it
    /// is for (a group send to a thousand connections of one process is one entry), and one receive loop per inbox moves
    /// them into per-channel buffers here. A channel's pending count in Redis (queued plus buffered, until received)
    /// is what its capacity is checked against; receives report what they took in coalesced batches.
    /// </summary>
    private sealed class ProcessInbox
    {
        // Entries taken per LPOP: enough to drain a burst in few round trips, small enough to keep one reply modest.
        private const int PopBatch = 128;

        private readonly RedisChannelLayer _layer;
        private readonly string _nonLocalPart;
        private readonly int _shard;
        private readonly Lock _lock = new();
        private readonly Dictionary<string, LocalChannel> _channels = new(StringComparer.Ordinal);
        private readonly CancellationTokenSource _stop = new();
        private readonly SemaphoreSlim _reporting = new(1, 1);
        private Dictionary<string, int> _taken = new(StringComparer.Ordinal);
        private bool _takenFlushQueued;
        private Task? _loop;

        public ProcessInbox(RedisChannelLayer layer, string nonLocalPart)
        {
            _layer = layer;
            _nonLocalPart = nonLocalPart;
            _shard = layer._ring.GetShard(nonLocalPart);
            ListKey = layer.InboxKey(nonLocalPart);
            CountsKey = layer.InboxCountsKey(nonLocalPart);
        }

        public string ListKey { get; }

        public string CountsKey { get; }

        public int Shard => _shard;

        public bool HasUnreportedTakes
        {
            get
            {
                lock (_lock)
                {
                    // A report on its way counts too: a send must not overtake it.
                    return _taken.Count > 0 || _reporting.CurrentCount == 0;
                }
            }
        }

        /// <summary>Takes the next message of the local channel <paramref name="suffix"/>, waiting for one; a cancelled wait takes nothing.</summary>
        public async ValueTask<ChannelMessage> ReceiveAsync(string suffix, CancellationToken cancellationToken)
        {
            LocalChannel local;
            lock (_lock)
            {
                if (_layer.IsClosed)
                {
                    throw _layer.ClosedException("receive");
                }

                local = GetOrAddChannel(suffix);
                local.Receivers++;
                _loop ??= Task.Run(RunAsync, CancellationToken.None);
            }

            try
            {
                while (true)
                {
                    var expired = 0;
                    while (local.Messages.Reader.TryRead(out var item))
                    {
                        Taken(suffix);
                        if (item.ExpiresAtMs > _layer.NowMs)
                        {
                            if (expired > 0)
                            {
                                await _layer.ExpireChannelAsync(_nonLocalPart + suffix, expired).ConfigureAwait(false);
                            }

                            return item.Message;
                        }

                        expired++;
                    }

                    if (expired > 0)
                    {
                        await _layer.ExpireChannelAsync(_nonLocalPart + suffix, expired).ConfigureAwait(false);
                    }

                    if (!await local.Messages.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
                    {
                        throw _layer.ClosedException("receive");
                    }
                }
            }
            finally
            {
                lock (_lock)
                {
                    if (--local.Receivers == 0)
                    {
                        local.IdleSince = Environment.TickCount64;
                    }
                }
            }
        }

        /// <summary>
        /// Reports the receives not yet reported, after any report already on its way, so this process's next send sees
        /// the counts they freed.
        /// </summary>
        public async Task ReportTakenAsync()
        {
            await _reporting.WaitAsync().ConfigureAwait(false);
            try
            {
                await ReportTakenCoreAsync().ConfigureAwait(false);
            }
            finally
            {
                _reporting.Release();
            }
        }

        private async Task ReportTakenCoreAsync()
        {
            Dictionary<string, int> taken;
            lock (_lock)
            {
                _takenFlushQueued = false;
                if (_taken.Count == 0)
                {
                    return;
                }

                taken = _taken;
                _taken = new Dictionary<string, int>(StringComparer.Ordinal);
            }

            var arguments = new RedisArg[taken.Count * 2];
            var i = 0;
            foreach (var (suffix, count) in taken)
            {
                arguments[i++] = suffix;
                arguments[i++] = (long)count;
            }

            try
            {
                await LayerScripts.Taken.EvaluateAsync(_layer._shards[_shard], [CountsKey], arguments, CancellationToken.None).ConfigureAwait(false);
            }
            catch (RedisLayerException) when (!_layer.IsClosed)
            {
                // Redis is away: keep the counts for the next report (the reconnect sends them).
                lock (_lock)
                {
                    foreach (var (suffix, count) in taken)
                    {
                        _taken[suffix] = _taken.GetValueOrDefault(suffix) + count;
                    }
                }
            }
            catch (RedisLayerException)
            {
                // Closing: the counts expire with the inbox.
            }
        }

        /// <summary>Drops every buffered message and unreported take (the layer was flushed: Redis has no counts any more).</summary>
        public void Clear()
        {
            lock (_lock)
            {
                foreach (var local in _channels.Values)
                {
                    while (local.Messages.Reader.TryRead(out _))
                    {
                    }
                }

                _taken.Clear();
            }
        }

        /// <summary>Forgets idle channels with nothing buffered, and drops buffered messages that expired unread.</summary>
        public async Task SweepAsync(long idleMs)
        {
            var now = _layer.NowMs;
            var tick = Environment.TickCount64;
            List<(string Suffix, int Expired)>? expired = null;
            lock (_lock)
            {
                foreach (var (suffix, local) in _channels)
                {
                    if (local.Receivers > 0 || tick - local.IdleSince < idleMs)
                    {
                        continue;
                    }

                    var dropped = 0;
                    while (local.Messages.Reader.TryPeek(out var head) && head.ExpiresAtMs <= now && local.Messages.Reader.TryRead(out _))
                    {
                        dropped++;
                        TakenLocked(suffix);
                    }

                    if (dropped > 0)
                    {
                        (expired ??= []).Add((suffix, dropped));
                    }

                    if (local.Messages.Reader.Count == 0)
                    {
                        _channels.Remove(suffix);
                    }
                }
            }

            foreach (var (suffix, count) in expired ?? [])
            {
                await _layer.ExpireChannelAsync(_nonLocalPart + suffix, count).ConfigureAwait(false);
            }
        }

        /// <summary>Stops the receive loop and ends every waiting receive with the layer's closed error.</summary>
        public async Task CloseAsync()
        {
            Task? loop;
            lock (_lock)
            {
                foreach (var local in _channels.Values)
                {
                    local.Messages.Writer.TryComplete();
                }

                loop = _loop;
            }

            await _stop.CancelAsync().ConfigureAwait(false);
            if (loop is not null)
            {
                await loop.ConfigureAwait(false);
            }

            _stop.Dispose();
        }

        private LocalChannel GetOrAddChannel(string suffix)
        {
            if (!_channels.TryGetValue(suffix, out var local))
            {
                local = new LocalChannel();
                if (_layer.IsClosed)
                {
                    local.Messages.Writer.TryComplete();
                }

                _channels[suffix] = local;
            }

            return local;
        }

        private void Taken(string suffix)
        {
            bool queue;
            lock (_lock)
            {
                TakenLocked(suffix);
                queue = !_takenFlushQueued;
                _takenFlushQueued = true;
            }

            if (queue)
            {
                // Coalesced: receives that happen while the report is on its way go in the next one.
                _ = Task.Run(ReportTakenAsync, CancellationToken.None);
            }
        }

        private void TakenLocked(string suffix) => _taken[suffix] = _taken.GetValueOrDefault(suffix) + 1;

        private async Task RunAsync()
        {
            ChannelWatch? watch = null;
            while (!_stop.IsCancellationRequested)
            {
                try
                {
                    // Pinned: the inbox's subscription lasts as long as the layer.
                    watch ??= await _layer.WatchAsync(ListKey, _shard, pinned: true, _stop.Token).ConfigureAwait(false);
                    var signal = watch.Signal;
                    await DrainAsync().ConfigureAwait(false);
                    await signal.WaitAsync(_stop.Token).ConfigureAwait(false);
                }
                catch (Exception) when (_stop.IsCancellationRequested || _layer.IsClosed)
                {
                    return;
                }
                catch (RedisConnectionException)
                {
                    // Redis is away: look again when the subscription is back (the watch is notified) or after a pause.
                    await PauseAsync(watch).ConfigureAwait(false);
                }
                catch (Exception ex)
                {
                    Log.InboxLoopFailed(_layer.Logger, ex, ListKey);
                    await PauseAsync(watch).ConfigureAwait(false);
                }
            }
        }

        private async Task PauseAsync(ChannelWatch? watch)
        {
            try
            {
                var pause = Task.Delay(ReconnectPoll, _stop.Token);
                await (watch is null ? pause : Task.WhenAny(watch.Signal, pause)).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // Closing.
            }
        }

        private async Task DrainAsync()
        {
            while (true)
            {
                var reply = await _layer._shards[_shard].ExecuteAsync(["LPOP", ListKey, PopBatch], CancellationToken.None).ConfigureAwait(false);
                if (reply.IsNull || reply.Items is not { Length: > 0 } entries)
                {
                    return;
                }

                foreach (var entry in entries)
                {
                    await DispatchAsync(entry).ConfigureAwait(false);
                }

                if (entries.Length < PopBatch)
                {
                    return;
                }
            }
        }

        private async Task DispatchAsync(RespValue entry)
        {
            var bytes = entry.Bytes ?? [];
            string[] suffixes = [];
            try
            {
                (var expiresAt, suffixes, var contentStart) = Envelope.ReadInboxHead(bytes);
                if (expiresAt <= _layer.NowMs)
                {
                    foreach (var suffix in suffixes)
                    {
                        Taken(suffix);
                    }
                }
                else
                {
                    Buffer(suffixes, new BufferedMessage(Envelope.DecodeContent(bytes.AsSpan(contentStart), _layer._encryption), expiresAt));
                    return;
                }
            }
            catch (RedisLayerException ex)
            {
                Log.UnreadableEntry(_layer.Logger, ex, ListKey);
                foreach (var suffix in suffixes)
                {
                    Taken(suffix);
                }

                return;
            }

            // Nobody took it in time (this process was away or behind): its channels have gone.
            foreach (var suffix in suffixes)
            {
                await _layer.ExpireChannelAsync(_nonLocalPart + suffix, 1).ConfigureAwait(false);
            }
        }

        private void Buffer(string[] suffixes, BufferedMessage message)
        {
            lock (_lock)
            {
                foreach (var suffix in suffixes)
                {
                    // Unbounded here: the sender already checked the channel's capacity against its pending count.
                    GetOrAddChannel(suffix).Messages.Writer.TryWrite(message);
                }
            }
        }
    }

    private readonly record struct BufferedMessage(ChannelMessage Message, long ExpiresAtMs);

    /// <summary>A local channel's buffer in this process, and how many receives are waiting on it.</summary>
    private sealed class LocalChannel
    {
        public Channel<BufferedMessage> Messages { get; } = Channel.CreateUnbounded<BufferedMessage>(new UnboundedChannelOptions { SingleWriter = true });

        public int Receivers { get; set; }

        public long IdleSince { get; set; } = Environment.TickCount64;
    }
}
