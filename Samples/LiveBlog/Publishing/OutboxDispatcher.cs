using Switchyard.Samples.LiveBlog.Consumers;
using Switchyard.Samples.LiveBlog.Data;

namespace Switchyard.Samples.LiveBlog.Publishing;

/// <summary>
/// Carries out the outbox: sends each render request to the render worker and each rendered or deleted post to its
/// blog's group, and keeps an entry until that went through. It runs in every live-blog process (servers and workers
/// share the database), wakes at once when this process commits a change (<see cref="Wake"/>) and otherwise looks
/// every <see cref="PollInterval"/> for entries others left or that are due again.
/// <para>
/// While the channel layer is away the dispatcher claims nothing; it wakes when the layer says it is connected again.
/// A send that fails (the layer went away under it; on Redis, after <c>ReconnectWait</c>) leaves its entry, and the
/// rest of the round, to be tried again: after <see cref="RetryDelay"/>, or at once when the layer is back. So nothing
/// is lost and the editor never sees an error for it. A render request that went out is sent again when the post is
/// still not rendered after <see cref="RenderLease"/> (a request can be lost with the layer); the worker renders a
/// change once, so a second request does nothing.
/// </para>
/// </summary>
public sealed partial class OutboxDispatcher(IOutbox outbox, IPostStore store, ChannelLayer layer, TimeProvider time, ILogger<OutboxDispatcher> logger)
    : BackgroundService
{
    /// <summary>How often the outbox is read when nothing woke the dispatcher.</summary>
    public static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(1);

    /// <summary>How long a send that failed waits before it is tried again.</summary>
    public static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(1);

    /// <summary>How long a render request that went out has, before it is sent again.</summary>
    public static readonly TimeSpan RenderLease = TimeSpan.FromSeconds(5);

    // Longer than a send can wait for the layer (ReconnectWait): a claimed entry is not claimed again meanwhile.
    private static readonly TimeSpan ClaimLease = TimeSpan.FromSeconds(60);

    private const int Batch = 32;

    private readonly SemaphoreSlim _wake = new(0, 1);

    /// <summary>Tells the dispatcher that this process committed a change (it reads the outbox at once).</summary>
    public void Wake()
    {
        try
        {
            _wake.Release();
        }
        catch (SemaphoreFullException)
        {
            // Already woken.
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        layer.ConnectionChanged += OnConnectionChanged;
        try
        {
            await DispatchUntilStoppedAsync(stoppingToken);
        }
        finally
        {
            layer.ConnectionChanged -= OnConnectionChanged;
        }
    }

    private void OnConnectionChanged(object? sender, ChannelLayerConnectionEventArgs args)
    {
        if (args.IsConnected)
        {
            Wake();
        }
    }

    private async Task DispatchUntilStoppedAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                while (await DispatchDueAsync(stoppingToken) == Batch)
                {
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                // The database itself failed: the entries stay, and the next round tries again.
                Log.OutboxUnavailable(logger, ex.GetType().Name, ex.Message);
            }

            try
            {
                await _wake.WaitAsync(PollInterval, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    // Claims the due entries and carries each out, in order, until a send fails; returns how many it claimed (0 while
    // the layer is away: nothing is claimed then).
    private async Task<int> DispatchDueAsync(CancellationToken stoppingToken)
    {
        if (!layer.IsConnected)
        {
            return 0;
        }

        var now = time.GetUtcNow();
        var entries = await outbox.ClaimAsync(now, now + ClaimLease, Batch, stoppingToken);
        for (var i = 0; i < entries.Count; i++)
        {
            bool sent;
            try
            {
                sent = await DispatchAsync(entries[i], stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                // Shutting down (SIGTERM): what this process claimed but did not finish is due again at once, for the
                // other processes (or this one's next start), not after the claim's lease.
                await ReleaseAsync(entries, i);
                throw;
            }

            if (!sent)
            {
                // The layer failed: the rest of the round waits with it instead of each waiting out ReconnectWait.
                await ReleaseAsync(entries, i + 1);
                return 0;
            }
        }

        return entries.Count;
    }

    // Makes the claimed entries from index `from` on due now (not after the claim's lease).
    private async Task ReleaseAsync(IReadOnlyList<OutboxEntry> entries, int from)
    {
        for (var i = from; i < entries.Count; i++)
        {
            await outbox.RescheduleAsync(entries[i].Id, time.GetUtcNow(), CancellationToken.None);
        }
    }

    // Carries out one entry; false when its send failed (it is rescheduled).
    private async Task<bool> DispatchAsync(OutboxEntry entry, CancellationToken stoppingToken)
    {
        var post = await store.PostAsync(entry.PostId, stoppingToken);
        if (post is null || post.Seq != entry.Seq)
        {
            // A newer change of the post has its own entry (and an edit replaced its render request already).
            await outbox.FinishAsync(entry.Id, stoppingToken);
            return true;
        }

        try
        {
            if (entry.Kind == OutboxKind.Render)
            {
                await layer.SendAsync(RenderWorker.Channel, ChannelMessage.Create(new RenderPost(post.Blog, post.Id, post.Seq)), stoppingToken);

                // Finished by the worker when it stores the HTML; sent again if that has not happened by then.
                await outbox.RescheduleAsync(entry.Id, time.GetUtcNow() + RenderLease, stoppingToken);
            }
            else
            {
                await layer.GroupSendAsync(BlogGroups.Blog(post.Blog), ChannelMessage.Create(post.ToMessage()), stoppingToken);
                await outbox.FinishAsync(entry.Id, stoppingToken);
            }

            if (entry.Attempts > 1)
            {
                Log.Delivered(logger, entry.Kind, post.Id, post.Seq, entry.Attempts);
            }

            return true;
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
        {
            // The layer is away (or refused): the entry stays and is tried again shortly.
            Log.SendFailed(logger, entry.Kind, post.Id, post.Seq, entry.Attempts, RetryDelay.TotalSeconds, ex.GetType().Name, ex.Message);
            await outbox.RescheduleAsync(entry.Id, time.GetUtcNow() + RetryDelay, stoppingToken);
            return false;
        }
    }

    public override void Dispose()
    {
        _wake.Dispose();
        base.Dispose();
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 10, Level = LogLevel.Warning, Message = "The {Kind} of post {Id} (change {Seq}) did not go out (attempt {Attempt}); trying again in {RetrySeconds} s: {ErrorType}: {Error}")]
        public static partial void SendFailed(ILogger logger, OutboxKind kind, long id, long seq, int attempt, double retrySeconds, string errorType, string error);

        [LoggerMessage(EventId = 11, Level = LogLevel.Information, Message = "The {Kind} of post {Id} (change {Seq}) went out at attempt {Attempt}.")]
        public static partial void Delivered(ILogger logger, OutboxKind kind, long id, long seq, int attempt);

        [LoggerMessage(EventId = 12, Level = LogLevel.Warning, Message = "The outbox could not be read; trying again: {ErrorType}: {Error}")]
        public static partial void OutboxUnavailable(ILogger logger, string errorType, string error);
    }
}
