using System.Security.Claims;
using System.Text;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Switchyard.Server;

namespace Switchyard.Testing;

/// <summary>
/// Drives one HTTP consumer in process, like Django Channels' <c>HttpCommunicator</c>: it gets the request, and the
/// test reads the response whole (<see cref="GetResponseAsync"/>) or as it streams (<see cref="ReceiveStartAsync"/>,
/// <see cref="ReceiveBodyAsync"/>) — Server-Sent Events and long-polls included. The consumer runs on the server's own
/// <see cref="HttpConnection"/>.
/// </summary>
public sealed class HttpCommunicator : IAsyncDisposable, IHttpResponder
{
    private readonly HttpConsumer _consumer;
    private readonly HttpScope _scopeTemplate;
    private readonly byte[] _body;
    private readonly ConsumerOptions? _options;
    private readonly ILoggerFactory? _loggerFactory;
    private readonly Channel<object> _events = Channel.CreateUnbounded<object>();
    private readonly CancellationTokenSource _aborted = new();
    private Task? _run;

    /// <summary>Creates a communicator for a consumer instance.</summary>
    /// <param name="consumer">A new consumer instance.</param>
    /// <param name="method">The HTTP method.</param>
    /// <param name="path">The path, optionally with a query string.</param>
    /// <param name="body">The request body.</param>
    /// <param name="headers">The request headers.</param>
    /// <param name="layer">The channel layer; a new in-memory layer when <see langword="null"/>.</param>
    /// <param name="routeValues">The route values the consumer sees.</param>
    /// <param name="user">The authenticated user.</param>
    /// <param name="services">The services the consumer's scope carries.</param>
    /// <param name="options">
    /// How the consumer is run; defaults when <see langword="null"/>, as on the server. Pass the server's
    /// <c>SwitchyardServerOptions.Consumers</c> to run it exactly as configured there.
    /// </param>
    /// <param name="loggerFactory">Where the consumer's log events go.</param>
    public HttpCommunicator(
        HttpConsumer consumer,
        string method = "GET",
        string path = "/",
        byte[]? body = null,
        IReadOnlyDictionary<string, string>? headers = null,
        ChannelLayer? layer = null,
        IReadOnlyDictionary<string, string>? routeValues = null,
        ClaimsPrincipal? user = null,
        IServiceProvider? services = null,
        ConsumerOptions? options = null,
        ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(consumer);
        ArgumentNullException.ThrowIfNull(path);
        _consumer = consumer;
        _body = body ?? [];
        _options = options;
        _loggerFactory = loggerFactory;
        Layer = layer ?? new InMemoryChannelLayer();
        var split = path.IndexOf('?', StringComparison.Ordinal);
        _scopeTemplate = new HttpScope("template")
        {
            Method = method,
            Path = split < 0 ? path : path[..split],
            QueryString = split < 0 ? string.Empty : path[split..],
            Headers = headers ?? new Dictionary<string, string>(),
            RouteValues = routeValues ?? new Dictionary<string, string>(),
            User = user,
            Services = services,
        };
    }

    /// <summary>Gets the channel layer the consumer runs on.</summary>
    public ChannelLayer Layer { get; }

    /// <summary>Creates a communicator for the HTTP consumer whose route matches <paramref name="pathAndQuery"/>, built by its generated factory.</summary>
    /// <param name="services">The application's services.</param>
    /// <param name="method">The HTTP method.</param>
    /// <param name="pathAndQuery">The path, optionally with a query string.</param>
    /// <param name="body">The request body.</param>
    /// <returns>The communicator.</returns>
    /// <exception cref="InvalidOperationException">No HTTP route matches.</exception>
    public static HttpCommunicator ForPath(IServiceProvider services, string method, string pathAndQuery, byte[]? body = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var (route, values) = RouteMatcher.Find(ConsumerRouteKind.Http, pathAndQuery);
        return new HttpCommunicator(
            (HttpConsumer)route.Factory(services),
            method,
            pathAndQuery,
            body,
            layer: services.GetService(typeof(ChannelLayer)) as ChannelLayer,
            routeValues: values,
            services: services,
            loggerFactory: services.GetService(typeof(ILoggerFactory)) as ILoggerFactory);
    }

    /// <summary>Sends the request (once) and waits for the whole response.</summary>
    /// <param name="timeout">How long to wait for the response to complete; default 1 s.</param>
    /// <returns>The response.</returns>
    /// <exception cref="TimeoutException">The response did not complete in time.</exception>
    public async Task<HttpCommunicatorResponse> GetResponseAsync(TimeSpan? timeout = null)
    {
        var (status, headers) = await ReceiveStartAsync(timeout).ConfigureAwait(false);
        var body = new MemoryStream();
        while (true)
        {
            var (chunk, more) = await ReceiveBodyAsync(timeout).ConfigureAwait(false);
            body.Write(chunk);
            if (!more)
            {
                return new HttpCommunicatorResponse(status, headers, body.ToArray());
            }
        }
    }

    /// <summary>Sends the request (once) and waits for the response's status and headers.</summary>
    /// <param name="timeout">How long to wait; default 1 s.</param>
    /// <returns>The status and headers.</returns>
    /// <exception cref="TimeoutException">The response did not start in time.</exception>
    public async Task<(int Status, IReadOnlyList<KeyValuePair<string, string>> Headers)> ReceiveStartAsync(TimeSpan? timeout = null)
    {
        await StartAsync().ConfigureAwait(false);
        return await NextAsync(timeout).ConfigureAwait(false) is Start start
            ? (start.Status, start.Headers)
            : throw new InvalidOperationException("The consumer sent a body before the response start.");
    }

    /// <summary>Waits for the next body chunk.</summary>
    /// <param name="timeout">How long to wait; default 1 s.</param>
    /// <returns>The chunk and whether more follow.</returns>
    /// <exception cref="TimeoutException">No chunk arrived in time.</exception>
    public async Task<(byte[] Body, bool MoreBody)> ReceiveBodyAsync(TimeSpan? timeout = null) =>
        await NextAsync(timeout).ConfigureAwait(false) is Chunk chunk
            ? (chunk.Body, chunk.MoreBody)
            : throw new InvalidOperationException("The consumer started its response twice.");

    /// <summary>Simulates the client going away: the consumer's <c>OnDisconnectAsync</c> runs and it stops.</summary>
    /// <returns>A task that completes when the consumer has stopped.</returns>
    public async Task DisconnectAsync()
    {
        await _aborted.CancelAsync().ConfigureAwait(false);
        if (_run is not null)
        {
            await _run.WaitAsync(TimedReads.DefaultTimeout).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await DisconnectAsync().ConfigureAwait(false);
        _aborted.Dispose();
    }

    ValueTask IHttpResponder.StartAsync(int status, IReadOnlyList<KeyValuePair<string, string>> headers, CancellationToken cancellationToken)
    {
        _events.Writer.TryWrite(new Start(status, headers));
        return default;
    }

    ValueTask IHttpResponder.WriteAsync(ReadOnlyMemory<byte> body, bool moreBody, CancellationToken cancellationToken)
    {
        _events.Writer.TryWrite(new Chunk(body.ToArray(), moreBody));
        return default;
    }

    private async Task StartAsync()
    {
        if (_run is not null)
        {
            return;
        }

        var channel = await Layer.NewChannelAsync("http").ConfigureAwait(false);
        var scope = new HttpScope(channel)
        {
            Method = _scopeTemplate.Method,
            Path = _scopeTemplate.Path,
            QueryString = _scopeTemplate.QueryString,
            Headers = _scopeTemplate.Headers,
            RouteValues = _scopeTemplate.RouteValues,
            User = _scopeTemplate.User,
            Services = _scopeTemplate.Services,
        };
        var connection = new HttpConnection(_consumer, scope, Layer, this, _options, _loggerFactory);
        _run = connection.RunAsync(_body, _aborted.Token);
    }

    private Task<object> NextAsync(TimeSpan? timeout) => TimedReads.ReadAsync(_events.Reader, timeout, _consumer);

    private sealed record Start(int Status, IReadOnlyList<KeyValuePair<string, string>> Headers);

    private sealed record Chunk(byte[] Body, bool MoreBody);
}

/// <summary>A whole response an <see cref="HttpCommunicator"/> received.</summary>
/// <param name="Status">The HTTP status.</param>
/// <param name="Headers">The headers.</param>
/// <param name="Body">The body.</param>
public sealed record HttpCommunicatorResponse(int Status, IReadOnlyList<KeyValuePair<string, string>> Headers, byte[] Body)
{
    /// <summary>Gets the body as UTF-8 text.</summary>
    public string Text => Encoding.UTF8.GetString(Body);
}
