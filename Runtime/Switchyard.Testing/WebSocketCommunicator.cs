using System.Net.WebSockets;
using System.Security.Claims;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Switchyard.Serialization;
using Switchyard.Server;

namespace Switchyard.Testing;

/// <summary>
/// Drives one WebSocket consumer in process, like Django Channels' <c>WebsocketCommunicator</c>: the consumer runs on
/// the real connection engine over an in-memory transport, and the test talks to it through a real WebSocket client.
/// Every receive takes a timeout, so a consumer that never answers fails the test instead of hanging it.
/// </summary>
/// <example>
/// <code>
/// await using var chat = WebSocketCommunicator.ForPath(services, "/ws/chat/lobby/");
/// Assert.True((await chat.ConnectAsync()).IsAccepted);
/// await chat.SendJsonAsync(new Say("hi"));
/// var echoed = await chat.ReceiveJsonAsync&lt;ChatMessage&gt;();
/// Assert.True(await chat.ReceiveNothingAsync());
/// </code>
/// </example>
public sealed class WebSocketCommunicator : IAsyncDisposable
{
    private readonly WebSocketConsumer _consumer;
    private readonly SwitchyardWebSocketOptions? _options;
    private readonly ConsumerOptions? _consumerOptions;
    private readonly ILoggerFactory? _loggerFactory;
    private readonly string _path;
    private readonly IReadOnlyDictionary<string, string> _routeValues;
    private readonly IReadOnlyList<string> _subprotocols;
    private readonly ClaimsPrincipal? _user;
    private readonly IServiceProvider? _services;
    private readonly Channel<Received> _received = Channel.CreateUnbounded<Received>();
    private readonly CancellationTokenSource _stop = new();
    private WebSocketConnection? _connection;
    private WebSocket? _client;
    private Task? _serverRun;
    private Task? _clientLoop;

    /// <summary>Creates a communicator for a consumer instance.</summary>
    /// <param name="consumer">A new consumer instance.</param>
    /// <param name="layer">The channel layer; a new in-memory layer when <see langword="null"/>.</param>
    /// <param name="path">The request path the consumer sees.</param>
    /// <param name="routeValues">The route values the consumer sees.</param>
    /// <param name="subprotocols">The subprotocols the client offers.</param>
    /// <param name="user">The authenticated user.</param>
    /// <param name="services">The services the consumer's scope carries.</param>
    /// <param name="options">Connection limits and timers.</param>
    /// <param name="consumerOptions">
    /// How the consumer is run; defaults when <see langword="null"/>, as on the server. Pass the server's
    /// <c>SwitchyardServerOptions.Consumers</c> to run it exactly as configured there.
    /// </param>
    /// <param name="loggerFactory">Where the consumer's log events go.</param>
    public WebSocketCommunicator(
        WebSocketConsumer consumer,
        ChannelLayer? layer = null,
        string path = "/",
        IReadOnlyDictionary<string, string>? routeValues = null,
        IEnumerable<string>? subprotocols = null,
        ClaimsPrincipal? user = null,
        IServiceProvider? services = null,
        SwitchyardWebSocketOptions? options = null,
        ConsumerOptions? consumerOptions = null,
        ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(consumer);
        _consumer = consumer;
        Layer = layer ?? new InMemoryChannelLayer();
        _path = path;
        _routeValues = routeValues ?? new Dictionary<string, string>();
        _subprotocols = subprotocols?.ToArray() ?? [];
        _user = user;
        _services = services;
        _options = options;
        _consumerOptions = consumerOptions;
        _loggerFactory = loggerFactory;
    }

    /// <summary>Gets the channel layer the consumer runs on; send to its channel or groups to reach it.</summary>
    public ChannelLayer Layer { get; }

    /// <summary>Gets the consumer's own channel, once connected.</summary>
    public string? ChannelName => _connection?.Scope.ChannelName;

    /// <summary>
    /// Creates a communicator for the WebSocket consumer whose <c>[WebSocketConsumer]</c> route matches
    /// <paramref name="pathAndQuery"/>, built by its generated factory from <paramref name="services"/> (which must
    /// hold a <see cref="ChannelLayer"/> when the consumer uses groups).
    /// </summary>
    /// <param name="services">The application's services.</param>
    /// <param name="pathAndQuery">A path such as <c>/ws/chat/lobby/?token=x</c>.</param>
    /// <param name="subprotocols">The subprotocols the client offers.</param>
    /// <param name="user">The authenticated user.</param>
    /// <returns>The communicator.</returns>
    /// <exception cref="InvalidOperationException">No WebSocket route matches.</exception>
    public static WebSocketCommunicator ForPath(IServiceProvider services, string pathAndQuery, IEnumerable<string>? subprotocols = null, ClaimsPrincipal? user = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(pathAndQuery);
        var (route, values) = RouteMatcher.Find(ConsumerRouteKind.WebSocket, pathAndQuery);
        var consumer = (WebSocketConsumer)route.Factory(services);
        return new WebSocketCommunicator(
            consumer,
            services.GetService(typeof(ChannelLayer)) as ChannelLayer,
            pathAndQuery,
            values,
            subprotocols,
            user,
            services,
            loggerFactory: services.GetService(typeof(ILoggerFactory)) as ILoggerFactory);
    }

    /// <summary>Runs the consumer's connect step and, when it accepts, opens the client side.</summary>
    /// <param name="timeout">How long the consumer has to decide; default 1 s.</param>
    /// <returns>The decision: accepted (with the subprotocol) or refused (with the HTTP status).</returns>
    /// <exception cref="InvalidOperationException">Already connected.</exception>
    public async Task<WebSocketConnectResult> ConnectAsync(TimeSpan? timeout = null)
    {
        if (_connection is not null)
        {
            throw new InvalidOperationException("This communicator is already connected; create one per connection.");
        }

        var split = _path.IndexOf('?', StringComparison.Ordinal);
        var channel = await Layer.NewChannelAsync("ws").ConfigureAwait(false);
        var scope = new WebSocketScope(channel)
        {
            Path = split < 0 ? _path : _path[..split],
            QueryString = split < 0 ? string.Empty : _path[split..],
            Subprotocols = _subprotocols,
            RouteValues = _routeValues,
            User = _user,
            Services = _services,
        };
        var options = _options ?? new SwitchyardWebSocketOptions();
        options.ConnectTimeout = timeout ?? TimedReads.DefaultTimeout;
        _connection = new WebSocketConnection(_consumer, scope, Layer, options, _consumerOptions, _loggerFactory);
        var result = await _connection.ConnectAsync(_stop.Token).ConfigureAwait(false);
        if (!result.IsAccepted)
        {
            return result;
        }

        var (server, client) = DuplexPipeStream.CreatePair();
        _serverRun = RunServerAsync(_connection, server);
        _client = WebSocket.CreateFromStream(client, new WebSocketCreationOptions { IsServer = false, SubProtocol = result.Subprotocol, KeepAliveInterval = TimeSpan.Zero });
        _clientLoop = ReceiveLoopAsync(_client);
        return result;
    }

    /// <summary>Sends a text message.</summary>
    /// <param name="text">The text.</param>
    /// <returns>A task that completes when it is sent.</returns>
    public Task SendTextAsync(string text) => SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text);

    /// <summary>Sends a binary message.</summary>
    /// <param name="data">The bytes.</param>
    /// <returns>A task that completes when it is sent.</returns>
    public Task SendBytesAsync(byte[] data) => SendAsync(data, WebSocketMessageType.Binary);

    /// <summary>Sends a typed message as a JSON text frame.</summary>
    /// <typeparam name="T">A message record with a generated JSON writer.</typeparam>
    /// <param name="message">The message.</param>
    /// <returns>A task that completes when it is sent.</returns>
    public Task SendJsonAsync<T>(T message)
        where T : IJsonMessage<T>
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            T.WriteJson(message, writer);
        }

        return SendAsync(buffer.ToArray(), WebSocketMessageType.Text);
    }

    /// <summary>Receives the next text message.</summary>
    /// <param name="timeout">How long to wait; default 1 s.</param>
    /// <returns>The text.</returns>
    /// <exception cref="TimeoutException">Nothing arrived in time.</exception>
    /// <exception cref="InvalidOperationException">The server sent binary, or closed the connection.</exception>
    public async Task<string> ReceiveTextAsync(TimeSpan? timeout = null)
    {
        var received = await ReceiveAsync(timeout).ConfigureAwait(false);
        return received.Type == WebSocketMessageType.Text
            ? Encoding.UTF8.GetString(received.Data)
            : throw new InvalidOperationException($"Expected a text message, received {Describe(received)}.");
    }

    /// <summary>Receives the next binary message.</summary>
    /// <param name="timeout">How long to wait; default 1 s.</param>
    /// <returns>The bytes.</returns>
    /// <exception cref="TimeoutException">Nothing arrived in time.</exception>
    /// <exception cref="InvalidOperationException">The server sent text, or closed the connection.</exception>
    public async Task<byte[]> ReceiveBytesAsync(TimeSpan? timeout = null)
    {
        var received = await ReceiveAsync(timeout).ConfigureAwait(false);
        return received.Type == WebSocketMessageType.Binary
            ? received.Data
            : throw new InvalidOperationException($"Expected a binary message, received {Describe(received)}.");
    }

    /// <summary>Receives the next message as a typed JSON message.</summary>
    /// <typeparam name="T">A message record with a generated JSON reader.</typeparam>
    /// <param name="timeout">How long to wait; default 1 s.</param>
    /// <returns>The message.</returns>
    /// <exception cref="TimeoutException">Nothing arrived in time.</exception>
    /// <exception cref="JsonException">The text is not a valid <typeparamref name="T"/>.</exception>
    public async Task<T> ReceiveJsonAsync<T>(TimeSpan? timeout = null)
        where T : IJsonMessage<T>
    {
        var text = await ReceiveTextAsync(timeout).ConfigureAwait(false);
        var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes(text));
        return T.ReadJson(ref reader);
    }

    /// <summary>Waits <paramref name="timeout"/> and reports whether nothing arrived (Channels' <c>receive_nothing</c>).</summary>
    /// <param name="timeout">How long to listen; default 100 ms.</param>
    /// <returns><see langword="true"/> when nothing arrived.</returns>
    public async Task<bool> ReceiveNothingAsync(TimeSpan? timeout = null)
    {
        if (_received.Reader.TryPeek(out _))
        {
            return false;
        }

        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromMilliseconds(100));
        try
        {
            await _received.Reader.WaitToReadAsync(cts.Token).ConfigureAwait(false);
            return !_received.Reader.TryPeek(out _);
        }
        catch (OperationCanceledException)
        {
            return true;
        }
    }

    /// <summary>Reads until the server's close frame and returns its close code (messages before it are discarded).</summary>
    /// <param name="timeout">How long to wait; default 1 s.</param>
    /// <returns>The close code.</returns>
    /// <exception cref="TimeoutException">The server did not close in time.</exception>
    public async Task<int> ReceiveCloseAsync(TimeSpan? timeout = null)
    {
        while (true)
        {
            var received = await ReceiveAsync(timeout).ConfigureAwait(false);
            if (received.Type == WebSocketMessageType.Close)
            {
                return received.CloseCode;
            }
        }
    }

    /// <summary>Closes the connection from the client side with <paramref name="code"/> and waits for the consumer to finish.</summary>
    /// <param name="code">The close code the consumer's <c>OnDisconnectAsync</c> receives.</param>
    /// <param name="timeout">How long to wait; default 1 s.</param>
    /// <returns>A task that completes when the consumer has stopped.</returns>
    public async Task DisconnectAsync(int code = 1000, TimeSpan? timeout = null)
    {
        if (_client is null || _serverRun is null)
        {
            return;
        }

        using var cts = new CancellationTokenSource(timeout ?? TimedReads.DefaultTimeout);
        if (_client.State == WebSocketState.Open)
        {
            await _client.CloseOutputAsync((WebSocketCloseStatus)code, null, cts.Token).ConfigureAwait(false);
        }

        await _serverRun.WaitAsync(cts.Token).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        try
        {
            await DisconnectAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or WebSocketException or TimeoutException)
        {
            // Best effort: the test is over.
        }

        await _stop.CancelAsync().ConfigureAwait(false);
        _client?.Dispose();
        if (_clientLoop is not null)
        {
            await _clientLoop.ConfigureAwait(false);
        }

        _stop.Dispose();
    }

    private static async Task RunServerAsync(WebSocketConnection connection, DuplexPipeStream transport)
    {
        await using (transport.ConfigureAwait(false))
        {
            await connection.RunAsync(transport).ConfigureAwait(false);
        }
    }

    private static string Describe(Received received) => received.Type == WebSocketMessageType.Close
        ? $"a close frame ({received.CloseCode})"
        : $"a {received.Type} message";

    private async Task SendAsync(byte[] data, WebSocketMessageType type)
    {
        var client = _client ?? throw new InvalidOperationException("Connect (and be accepted) before sending.");
        using var cts = new CancellationTokenSource(TimedReads.DefaultTimeout);
        await client.SendAsync(data, type, endOfMessage: true, cts.Token).ConfigureAwait(false);
    }

    private Task<Received> ReceiveAsync(TimeSpan? timeout) => TimedReads.ReadAsync(_received.Reader, timeout, _consumer);

    private async Task ReceiveLoopAsync(WebSocket client)
    {
        var buffer = new byte[64 * 1024];
        try
        {
            while (true)
            {
                using var message = new MemoryStream();
                ValueWebSocketReceiveResult result;
                do
                {
                    result = await client.ReceiveAsync(buffer.AsMemory(), _stop.Token).ConfigureAwait(false);
                    message.Write(buffer, 0, result.Count);
                }
                while (!result.EndOfMessage);

                if (result.MessageType == WebSocketMessageType.Close)
                {
                    _received.Writer.TryWrite(new Received(WebSocketMessageType.Close, [], (int?)client.CloseStatus ?? WebSocketCloseCodes.NoStatusReceived));
                    if (client.State == WebSocketState.CloseReceived)
                    {
                        await client.CloseOutputAsync(client.CloseStatus ?? WebSocketCloseStatus.Empty, null, _stop.Token).ConfigureAwait(false);
                    }

                    return;
                }

                _received.Writer.TryWrite(new Received(result.MessageType, message.ToArray(), 0));
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or WebSocketException or ObjectDisposedException)
        {
            // The connection ended.
        }
        finally
        {
            _received.Writer.TryComplete();
        }
    }

    private readonly record struct Received(WebSocketMessageType Type, byte[] Data, int CloseCode);
}
