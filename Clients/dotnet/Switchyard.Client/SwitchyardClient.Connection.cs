using System.Net.WebSockets;
using Switchyard.Client.Internal;

namespace Switchyard.Client;

// Opening, reconnecting and closing.
public sealed partial class SwitchyardClient
{
    // How long CloseAsync waits for the server's close frame before it drops the connection.
    private static readonly TimeSpan CloseTimeout = TimeSpan.FromSeconds(5);

    private int _failures;
    private int _exponent;

    /// <summary>
    /// Opens the first connection. A connect that fails (no server, a refused handshake) is retried with the reconnect
    /// backoff, as a lost connection is, until it succeeds, <see cref="SwitchyardReconnectOptions.MaxAttempts"/>
    /// attempts failed, or <paramref name="cancellationToken"/> is cancelled; with reconnects disabled the first failure
    /// throws. Once open, the client keeps itself connected until <see cref="CloseAsync"/>.
    /// </summary>
    /// <param name="cancellationToken">Cancels the connect (the client is then closed).</param>
    /// <returns>A task that completes when the connection is open and the queued frames are sent.</returns>
    /// <exception cref="SwitchyardClosedException">The connect failed for good (<see cref="SwitchyardClosedException.Kind"/> says why).</exception>
    /// <exception cref="InvalidOperationException">ConnectAsync was called before.</exception>
    public async Task ConnectAsync(CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            if (_closing)
            {
                throw new ObjectDisposedException(nameof(SwitchyardClient), "The client is closed; create a new one.");
            }

            if (_state != SwitchyardClientState.Created)
            {
                throw new InvalidOperationException("ConnectAsync was already called; the client reconnects by itself.");
            }

            _state = SwitchyardClientState.Connecting;
        }

        RaiseStateChanged(SwitchyardClientState.Connecting, null);
        _dispatch = Task.Run(DispatchLoopAsync, CancellationToken.None);
        ClientConnection connection;
        using (var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _lifetime.Token))
        {
            try
            {
                connection = await OpenWithRetriesAsync(wait: false, linked.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                await CloseAsync(CancellationToken.None).ConfigureAwait(false);
                throw;
            }
            catch (OperationCanceledException)
            {
                throw ClosedError();
            }
            catch (SwitchyardClosedException ex)
            {
                Finish(ex);
                throw;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // ConfigureWebSocket threw, or set an option the socket refused: not worth a retry.
                Finish(CouldNotOpen(ex));
                throw;
            }
        }

        lock (_gate)
        {
            if (_closing)
            {
                connection.Abort();
                connection.Dispose();
                throw ClosedError();
            }
        }

        await OpenedAsync(connection).ConfigureAwait(false);
        _run = Task.Run(() => RunAsync(connection), CancellationToken.None);
    }

    /// <summary>
    /// Closes the connection with 1000 and waits for the server's close; stops reconnecting. Requests still waiting
    /// fail with a <see cref="SwitchyardClosedException"/>, queued frames are dropped, handlers' tokens are cancelled.
    /// </summary>
    /// <param name="cancellationToken">Stops waiting for the server's close (at most 5 s anyway): the connection is dropped instead.</param>
    /// <returns>A task that completes when the client is closed.</returns>
    public async Task CloseAsync(CancellationToken cancellationToken = default)
    {
        ClientConnection? connection;
        bool first;
        lock (_gate)
        {
            first = !_closing;
            _closing = true;
            _writable = false;
            connection = _connection;
        }

        if (first)
        {
            await _lifetime.CancelAsync().ConfigureAwait(false);
            if (connection is not null)
            {
                try
                {
                    using var handshake = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                    handshake.CancelAfter(CloseTimeout);
                    if (connection.IsOpen)
                    {
                        await connection.Socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, string.Empty, handshake.Token).ConfigureAwait(false);
                    }

                    if (connection.Receiving is { } receiving)
                    {
                        await receiving.WaitAsync(handshake.Token).ConfigureAwait(false);
                    }
                }
                catch (Exception ex) when (ex is WebSocketException or IOException or ObjectDisposedException or OperationCanceledException or InvalidOperationException)
                {
                    connection.Abort();
                }
            }
        }

        if (_run is { } run)
        {
            await run.WaitAsync(cancellationToken).ConfigureAwait(false);
        }

        if (first)
        {
            var closed = new SwitchyardClosedException(1000, string.Empty, SwitchyardCloseKind.Normal, "The client was closed.", null);
            Finish(closed, raised: null);
        }

        cancellationToken.ThrowIfCancellationRequested();
    }

    /// <summary>Closes the client (<see cref="CloseAsync"/>, waiting at most 5 s for the server) and releases it.</summary>
    /// <returns>A task that completes when the client is released.</returns>
    public async ValueTask DisposeAsync()
    {
        using (var wait = new CancellationTokenSource(TimeSpan.FromSeconds(5)))
        {
            try
            {
                await CloseAsync(wait.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // Dropped instead.
            }

            if (_dispatch is { } dispatch)
            {
                await dispatch.WaitAsync(wait.Token).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }

        lock (_gate)
        {
            _connection?.Abort();
            _connection?.Dispose();
        }
    }

    // The connection loop: waits for the connection to end, then reconnects or closes.
    private async Task RunAsync(ClientConnection connection)
    {
        while (true)
        {
            SwitchyardClosedException error;
            try
            {
                error = await connection.Receiving!.ConfigureAwait(false);
            }
#pragma warning disable CA1031 // A receive loop that broke is a lost connection: reconnect.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                error = new SwitchyardClosedException(1006, string.Empty, SwitchyardCloseKind.ConnectionLost, $"The connection to {_endpoint} failed: {ex.Message}", ex);
            }

            lock (_gate)
            {
                _writable = false;
                _connection = null;
            }

            connection.Abort();
            connection.Dispose();
            FailPending(error, sentOnly: true);
            if (IsClosing)
            {
                return;
            }

            if (!error.Reconnects || !_options.Reconnect.Enabled)
            {
                Finish(error);
                return;
            }

            if (connection.OpenFor >= _options.Reconnect.ResetAfter)
            {
                _exponent = 0;
            }

            SetState(SwitchyardClientState.Reconnecting, error);
            try
            {
                connection = await OpenWithRetriesAsync(wait: true, _lifetime.Token, error).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (SwitchyardClosedException ex)
            {
                Finish(ex);
                return;
            }
#pragma warning disable CA1031 // Whatever stops the reconnects closes the client with it, never a faulted task nobody sees.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                Finish(CouldNotOpen(ex));
                return;
            }

            lock (_gate)
            {
                if (_closing)
                {
                    connection.Abort();
                    connection.Dispose();
                    return;
                }
            }

            await OpenedAsync(connection).ConfigureAwait(false);
        }
    }

    private bool IsClosing
    {
        get
        {
            lock (_gate)
            {
                return _closing;
            }
        }
    }

    private async Task<ClientConnection> OpenWithRetriesAsync(bool wait, CancellationToken cancellationToken, SwitchyardClosedException? last = null)
    {
        while (true)
        {
            if (wait)
            {
                var delay = Backoff.Delay(_options.Reconnect, _exponent, _jitter);
                ClientLog.Reconnecting(_logger, _endpoint, last?.Code ?? 1006, last?.Kind ?? SwitchyardCloseKind.ConnectionLost, (long)delay.TotalMilliseconds, _failures + 1);
                _exponent++;
                await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
            }

            wait = true;
            try
            {
                var connection = await OpenOnceAsync(cancellationToken).ConfigureAwait(false);
                _failures = 0;
                return connection;
            }
            catch (SwitchyardClosedException ex)
            {
                _failures++;
                if (!_options.Reconnect.Enabled || _failures >= _options.Reconnect.MaxAttempts)
                {
                    throw;
                }

                last = ex;
            }
        }
    }

    private async Task<ClientConnection> OpenOnceAsync(CancellationToken cancellationToken)
    {
        var socket = new ClientWebSocket();
        socket.Options.AddSubProtocol(BatchSubprotocol);
        socket.Options.CollectHttpResponseDetails = true;
        _options.ConfigureWebSocket?.Invoke(socket.Options);
        try
        {
            await socket.ConnectAsync(ConnectUri(), cancellationToken).ConfigureAwait(false);
            ClientLog.Connected(_logger, _endpoint);
            return new ClientConnection(socket);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            socket.Dispose();
            throw;
        }
        catch (Exception ex) when (ex is WebSocketException or HttpRequestException or IOException or OperationCanceledException)
        {
            var status = (int)socket.HttpStatusCode;
            socket.Dispose();
            var message = status is > 0 and not 101
                ? $"The server refused the WebSocket handshake to {_endpoint} with HTTP {status}."
                : $"Could not connect to {_endpoint}: {ex.Message}";
            throw new SwitchyardClosedException(1006, string.Empty, SwitchyardCloseKind.ConnectFailed, message, ex)
            {
                HttpStatusCode = status > 0 ? status : null,
            };
        }
    }

    private SwitchyardClosedException CouldNotOpen(Exception ex) =>
        new(1006, string.Empty, SwitchyardCloseKind.Other, $"Could not open a connection to {_endpoint}: {ex.Message}", ex);

    // The URL of the next connect: with since=<position> once the client kept one (and resumes).
    private Uri ConnectUri()
    {
        var position = _position;
        if (!_options.Resume || position is null)
        {
            return _uri;
        }

        var name = _options.ResumeQueryParameter;
        var kept = _uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Where(p => !p.Equals(name, StringComparison.Ordinal) && !p.StartsWith(name + "=", StringComparison.Ordinal));
        var builder = new UriBuilder(_uri) { Query = string.Join('&', kept.Append($"{Uri.EscapeDataString(name)}={Uri.EscapeDataString(position)}")) };
        return builder.Uri;
    }

    // A new connection: receive at once, send what was queued (in order, before any new frame), then Open.
    private async Task OpenedAsync(ClientConnection connection)
    {
        lock (_gate)
        {
            _connection = connection;
        }

        connection.Receiving = ReceiveLoopAsync(connection);
        await _sendLock.WaitAsync().ConfigureAwait(false);
        try
        {
            while (true)
            {
                OutgoingFrame frame;
                lock (_gate)
                {
                    if (_closing || _connection != connection)
                    {
                        return;
                    }

                    if (_queue.First is not { } first)
                    {
                        _writable = true;
                        break;
                    }

                    frame = first.Value;
                    _queue.RemoveFirst();
                }

                if (frame.IsAbandoned)
                {
                    frame.Return();
                    continue;
                }

                if (frame.Request is { } request)
                {
                    request.Sent = true;
                }

                try
                {
                    await connection.Socket.SendAsync(frame.Memory, WebSocketMessageType.Text, endOfMessage: true, connection.Token).ConfigureAwait(false);
                    frame.Return();
                }
                catch (Exception ex) when (ex is WebSocketException or IOException or ObjectDisposedException or OperationCanceledException or InvalidOperationException)
                {
                    lock (_gate)
                    {
                        _queue.AddFirst(frame);
                    }

                    return;
                }
            }
        }
        finally
        {
            _sendLock.Release();
        }

        SetState(SwitchyardClientState.Open, null);
    }

    // Closed for good by the server, a failed connect or the application (raised: null).
    private void Finish(SwitchyardClosedException error) => Finish(error, error);

    private void Finish(SwitchyardClosedException error, SwitchyardClosedException? raised)
    {
        OutgoingFrame[] dropped;
        lock (_gate)
        {
            if (_state == SwitchyardClientState.Closed)
            {
                return;
            }

            _closing = true;
            _writable = false;
            _closedBy ??= error;
            dropped = [.. _queue];
            _queue.Clear();
        }

        foreach (var frame in dropped)
        {
            frame.Return();
        }

        FailPending(error, sentOnly: false);
        _inbox.Writer.TryComplete();
        if (raised is not null)
        {
            ClientLog.Closed(_logger, _endpoint, raised);
        }

        SetState(SwitchyardClientState.Closed, raised);
    }

    private void FailPending(SwitchyardClosedException error, bool sentOnly)
    {
        foreach (var (_, pending) in _pending)
        {
            if (!sentOnly || pending.Sent)
            {
                pending.Fail(error);
            }
        }
    }

    private void SetState(SwitchyardClientState state, SwitchyardClientException? error)
    {
        lock (_gate)
        {
            if (_state == SwitchyardClientState.Closed || (_closing && state != SwitchyardClientState.Closed))
            {
                return;
            }

            _state = state;
        }

        RaiseStateChanged(state, error);
    }

    private void RaiseStateChanged(SwitchyardClientState state, SwitchyardClientException? error)
    {
        try
        {
            StateChanged?.Invoke(this, new SwitchyardClientStateChangedEventArgs(state, error));
        }
#pragma warning disable CA1031 // An application's event handler must not break the connection loop; it is logged.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            ClientLog.StateHandlerFailed(_logger, ex);
        }
    }
}
