using System.Net;
using System.Net.WebSockets;
using System.Text;
using Switchyard.Server;
using Xunit;

namespace Switchyard.AspNetCore.Tests.Support;

/// <summary>A <see cref="ClientWebSocket"/> with the receive verbs tests need, every wait bounded.</summary>
public sealed class WsClient : IDisposable
{
    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);
    private readonly byte[] _buffer = new byte[1 << 20];

    private WsClient(ClientWebSocket socket) => Socket = socket;

    public ClientWebSocket Socket { get; }

    /// <summary>Connects; with <paramref name="invoker"/> the handshake goes through it (its TLS settings, its HTTP/2 connection).</summary>
    public static async Task<WsClient> ConnectAsync(Uri uri, Action<ClientWebSocketOptions>? configure = null, HttpMessageInvoker? invoker = null)
    {
        var socket = new ClientWebSocket();
        socket.Options.KeepAliveInterval = TimeSpan.Zero;
        configure?.Invoke(socket.Options);
        using var cts = new CancellationTokenSource(DefaultTimeout);
        await socket.ConnectAsync(uri, invoker, cts.Token);
        return new WsClient(socket);
    }

    /// <summary>Tries to connect and returns the HTTP status the server refused with.</summary>
    public static async Task<HttpStatusCode> ConnectExpectingRefusalAsync(Uri uri, Action<ClientWebSocketOptions>? configure = null, HttpMessageInvoker? invoker = null)
    {
        using var socket = new ClientWebSocket();
        socket.Options.CollectHttpResponseDetails = true;
        configure?.Invoke(socket.Options);
        using var cts = new CancellationTokenSource(DefaultTimeout);
        await Assert.ThrowsAsync<WebSocketException>(() => socket.ConnectAsync(uri, invoker, cts.Token));
        return socket.HttpStatusCode;
    }

    public Task SendTextAsync(string text) => SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text);

    public async Task SendAsync(byte[] data, WebSocketMessageType type)
    {
        using var cts = new CancellationTokenSource(DefaultTimeout);
        await Socket.SendAsync(data, type, endOfMessage: true, cts.Token);
    }

    /// <summary>Receives one whole message; fails if the server closes instead.</summary>
    public async Task<string> ReceiveTextAsync(TimeSpan? timeout = null)
    {
        var (type, data) = await ReceiveAsync(timeout);
        Assert.True(type == WebSocketMessageType.Text, $"Expected a text message, got {type} (close status {Socket.CloseStatus} '{Socket.CloseStatusDescription}').");
        return Encoding.UTF8.GetString(data);
    }

    public async Task<(WebSocketMessageType Type, byte[] Data)> ReceiveAsync(TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? DefaultTimeout);
        var length = 0;
        while (true)
        {
            var result = await Socket.ReceiveAsync(_buffer.AsMemory(length), cts.Token);
            length += result.Count;
            if (result.MessageType == WebSocketMessageType.Close || result.EndOfMessage)
            {
                return (result.MessageType, _buffer.AsSpan(0, length).ToArray());
            }
        }
    }

    /// <summary>Reads (and discards) messages until the server's close frame; returns its status.</summary>
    public async Task<WebSocketCloseStatus?> ReceiveCloseAsync(TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? DefaultTimeout);
        while (true)
        {
            var result = await Socket.ReceiveAsync(_buffer, cts.Token);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return result.CloseStatus;
            }
        }
    }

    public async Task CloseAsync(WebSocketCloseStatus status = WebSocketCloseStatus.NormalClosure, string? reason = null)
    {
        using var cts = new CancellationTokenSource(DefaultTimeout);
        await Socket.CloseAsync(status, reason, cts.Token);
    }

    public void Dispose() => Socket.Dispose();
}
