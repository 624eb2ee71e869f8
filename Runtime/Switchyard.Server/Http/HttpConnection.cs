using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;

namespace Switchyard.Server;

/// <summary>
/// Runs one <see cref="HttpConsumer"/> for one request: starts it, hands it the body, and keeps it alive until its
/// response is complete or the client goes away. Server integrations (ASP.NET Core, the test communicator, the
/// offload path) supply the <see cref="IHttpResponder"/>.
/// </summary>
internal sealed class HttpConnection : IHttpConnection
{
    private readonly HttpConsumer _consumer;
    private readonly IHttpResponder _responder;
    private readonly ConsumerRunner _runner;
    private readonly TaskCompletionSource _responseDone = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _state; // 0 not started, 1 started, 2 complete

    /// <summary>Creates a connection for one consumer instance.</summary>
    /// <param name="consumer">A new consumer instance.</param>
    /// <param name="scope">The request's scope; its channel name must be new.</param>
    /// <param name="layer">The channel layer, for consumers that wait on messages (long-poll, Server-Sent Events).</param>
    /// <param name="responder">Where the response goes.</param>
    /// <param name="options">How the consumer is run (its drain timeout); defaults when <see langword="null"/>.</param>
    /// <param name="loggerFactory">Where log events go.</param>
    /// <param name="meterFactory">Where metrics go.</param>
    public HttpConnection(
        HttpConsumer consumer,
        HttpScope scope,
        ChannelLayer? layer,
        IHttpResponder responder,
        ConsumerOptions? options = null,
        ILoggerFactory? loggerFactory = null,
        IMeterFactory? meterFactory = null)
    {
        ArgumentNullException.ThrowIfNull(consumer);
        ArgumentNullException.ThrowIfNull(responder);
        _consumer = consumer;
        _responder = responder;
        _runner = new ConsumerRunner(consumer, scope, layer, options, loggerFactory, meterFactory);
        consumer.AttachConnection(this);
    }

    /// <summary>Gets whether the response has started (status and headers are out).</summary>
    public bool ResponseStarted => Volatile.Read(ref _state) >= 1;

    /// <summary>Gets whether the response is complete.</summary>
    public bool ResponseCompleted => Volatile.Read(ref _state) == 2;

    /// <summary>Runs the consumer until its response is complete, it stops, or the client goes away.</summary>
    /// <param name="body">The request body.</param>
    /// <param name="requestAborted">Signals that the client went away.</param>
    /// <param name="stoppingToken">Server shutdown.</param>
    /// <returns>Why the consumer stopped; check <see cref="ResponseStarted"/> and <see cref="ResponseCompleted"/> for the response.</returns>
    public async Task<ConsumerStopReason> RunAsync(ReadOnlyMemory<byte> body, CancellationToken requestAborted = default, CancellationToken stoppingToken = default)
    {
        var run = _runner.RunAsync(stoppingToken);
        await _runner.RunEventAsync((this, body), static (s, ct) => s.Item1._consumer.HandleRequestAsync(s.Item2, ct), "http.request").ConfigureAwait(false);
        var aborted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using (requestAborted.UnsafeRegister(static s => ((TaskCompletionSource)s!).TrySetResult(), aborted))
        {
            var first = await Task.WhenAny(_responseDone.Task, run, aborted.Task).ConfigureAwait(false);
            if (first == aborted.Task && !ResponseCompleted)
            {
                await _runner.RunEventAsync(this, static (s, ct) => s._consumer.DisconnectAsync(ct), "http.disconnect").ConfigureAwait(false);
            }
        }

        _runner.Stop();
        return await run.ConfigureAwait(false);
    }

    public async ValueTask StartResponseAsync(int status, KeyValuePair<string, string>[] headers, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(status, 100);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(status, 599);
        if (Interlocked.CompareExchange(ref _state, 1, 0) != 0)
        {
            throw new InvalidOperationException("The response was already started; an HTTP consumer sends its headers once.");
        }

        await _responder.StartAsync(status, headers, cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask WriteBodyAsync(ReadOnlyMemory<byte> body, bool moreBody, CancellationToken cancellationToken)
    {
        switch (Volatile.Read(ref _state))
        {
            case 0:
                throw new InvalidOperationException("Send the response headers (SendHeadersAsync) before its body.");
            case 2:
                throw new InvalidOperationException("The response is already complete.");
        }

        if (!moreBody)
        {
            Volatile.Write(ref _state, 2);
        }

        await _responder.WriteAsync(body, moreBody, cancellationToken).ConfigureAwait(false);
        if (!moreBody)
        {
            _responseDone.TrySetResult();
        }
    }
}
