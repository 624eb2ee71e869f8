using System.IO.Compression;
using System.Net.WebSockets;
using System.Text;
using Switchyard.AspNetCore.Tests.Support;
using Xunit;

namespace Switchyard.AspNetCore.Tests.WebSockets;

/// <summary>
/// permessage-deflate (RFC 7692) against a real Kestrel: negotiation, compressed messages both ways with .NET's own
/// client, what is compressed on the wire (read frame by frame), and the limits: a decompression bomb closes 1009,
/// corrupt data 1007, RSV1 where it may not be 1002.
/// </summary>
public sealed class CompressionTests : IAsyncLifetime
{
    private const string Offer = "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits";
    private KestrelHost _host = null!;

    public async ValueTask InitializeAsync() => _host = await KestrelHost.StartAsync(o => o.WebSockets.EnableCompression = true);

    public async ValueTask DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task A_client_that_offers_deflate_gets_it_without_context_takeover_and_round_trips_large_messages()
    {
        using var client = await WsClient.ConnectAsync(_host.WebSocketUri("/ws/chat/deflate/"), Deflate);
        Assert.Equal(
            "permessage-deflate; server_no_context_takeover; client_no_context_takeover",
            client.Socket.HttpResponseHeaders!["Sec-WebSocket-Extensions"].Single());
        await client.ReceiveTextAsync(); // test.hello

        // The client compresses what it sends; the server inflates it, and compresses the group message it forwards.
        var text = string.Concat(Enumerable.Repeat("the same words again and again; ", 200));
        await client.SendTextAsync($$"""{"type":"chat.say","text":"{{text}}"}""");

        Assert.Equal($$"""{"type":"chat.message","room":"deflate","text":"{{text}}"}""", await client.ReceiveTextAsync());
    }

    [Fact]
    public async Task Without_an_offer_or_with_compression_off_nothing_is_negotiated()
    {
        using (var plain = await WsClient.ConnectAsync(_host.WebSocketUri("/ws/echo/"), o => o.CollectHttpResponseDetails = true))
        {
            Assert.False(plain.Socket.HttpResponseHeaders!.ContainsKey("Sec-WebSocket-Extensions"));
            await plain.SendTextAsync(new string('a', 4000));
            Assert.Equal(new string('a', 4000), await plain.ReceiveTextAsync());
        }

        await using var off = await KestrelHost.StartAsync();
        using var offered = await WsClient.ConnectAsync(off.WebSocketUri("/ws/echo/"), Deflate);
        Assert.False(offered.Socket.HttpResponseHeaders!.ContainsKey("Sec-WebSocket-Extensions"));
        await offered.SendTextAsync("plain");
        Assert.Equal("plain", await offered.ReceiveTextAsync());
    }

    [Fact]
    public async Task Large_group_messages_go_out_compressed_and_small_ones_as_they_are()
    {
        using var client = await RawWebSocketClient.ConnectAsync(_host.Address, "/ws/chat/wire/", extraHeaders: Offer);
        Assert.Contains("Sec-WebSocket-Extensions: permessage-deflate; server_no_context_takeover; client_no_context_takeover", client.ResponseHead, StringComparison.OrdinalIgnoreCase);
        var hello = await client.ReceiveDataFrameAsync();
        Assert.Equal(0, hello.Reserved); // smaller than the threshold: sent as it is

        await client.SendTextAsync("""{"type":"chat.flood","count":2,"size":2000}""");

        foreach (var i in new[] { 0, 1 })
        {
            var frame = await client.ReceiveDataFrameAsync();
            Assert.Equal(4, frame.Reserved); // RSV1: compressed
            var json = Inflate(frame.Payload);
            Assert.Equal($$"""{"type":"chat.message","room":"wire","text":"{{i}}:{{new string('x', 2000)}}"}""", json);
            Assert.True(frame.Payload.Length < 100, $"2 KB of repeated text compressed to {frame.Payload.Length} bytes");
        }
    }

    [Fact]
    public async Task A_message_that_inflates_past_the_size_limit_closes_1009_with_one_log_line()
    {
        await using var host = await StartWith64KiBLimitAsync();
        using var client = await RawWebSocketClient.ConnectAsync(host.Address, "/ws/echo/", extraHeaders: Offer);

        // A bomb: 8 MiB of zeros in about 8 KB.
        var bomb = Deflate(new byte[8 * 1024 * 1024]);
        Assert.True(bomb.Length < 16 * 1024);
        await client.SendFrameAsync(RawWebSocketClient.Binary, bomb, reserved: 4);

        Assert.Equal(WebSocketCloseCodes.MessageTooBig, await client.ReceiveCloseCodeAsync());
        var line = Assert.Single(host.Logs.WithEvent("WebSocketBadInput"));
        Assert.Contains("inflates to more than 65536 bytes", line.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_message_that_inflates_to_exactly_the_limit_is_delivered()
    {
        await using var host = await StartWith64KiBLimitAsync();
        using var client = await RawWebSocketClient.ConnectAsync(host.Address, "/ws/echo/", extraHeaders: Offer);

        await client.SendFrameAsync(RawWebSocketClient.Binary, Deflate(new byte[64 * 1024]), reserved: 4);

        var echoed = await client.ReceiveDataFrameAsync();
        Assert.Equal(4, echoed.Reserved);
        Assert.Equal(64 * 1024, InflateBytes(echoed.Payload).Length);
    }

    [Fact]
    public async Task A_compressed_message_in_fragments_is_inflated_whole()
    {
        using var client = await RawWebSocketClient.ConnectAsync(_host.Address, "/ws/echo/", extraHeaders: Offer);
        var text = string.Concat(Enumerable.Repeat("fragmented and compressed ", 100));
        var compressed = Deflate(Encoding.UTF8.GetBytes(text));

        // RSV1 on the first frame only (RFC 7692 §6.1).
        await client.SendFrameAsync(RawWebSocketClient.Text, compressed.AsSpan(0, 10), fin: false, reserved: 4);
        await client.SendFrameAsync(RawWebSocketClient.Continuation, compressed.AsSpan(10), fin: true);

        Assert.Equal(text, Inflate((await client.ReceiveDataFrameAsync()).Payload));
    }

    [Theory]
    [InlineData(RawWebSocketClient.Continuation, 4, "RSV1 on a continuation frame")]
    [InlineData(RawWebSocketClient.Ping, 4, "RSV1 on a control frame")]
    [InlineData(RawWebSocketClient.Text, 2, "RSV2")]
    public async Task Reserved_bits_the_extension_does_not_allow_close_1002(int opcode, int reserved, string because)
    {
        using var client = await RawWebSocketClient.ConnectAsync(_host.Address, "/ws/echo/", extraHeaders: Offer);
        if (opcode == RawWebSocketClient.Continuation)
        {
            await client.SendFrameAsync(RawWebSocketClient.Text, "a"u8, fin: false);
        }

        await client.SendFrameAsync(opcode, "b"u8, reserved: reserved);

        Assert.True(WebSocketCloseCodes.ProtocolError == await client.ReceiveCloseCodeAsync(), because);
    }

    [Fact]
    public async Task Corrupt_compressed_data_closes_1007()
    {
        using var client = await RawWebSocketClient.ConnectAsync(_host.Address, "/ws/echo/", extraHeaders: Offer);

        // 0xFF: a block of the reserved type 3.
        await client.SendFrameAsync(RawWebSocketClient.Text, [0xFF, 0xFF, 0xFF, 0xFF], reserved: 4);

        Assert.Equal(WebSocketCloseCodes.InvalidPayloadData, await client.ReceiveCloseCodeAsync());
    }

    [Fact]
    public async Task A_compressed_text_message_that_is_not_UTF8_once_inflated_closes_1007()
    {
        using var client = await RawWebSocketClient.ConnectAsync(_host.Address, "/ws/echo/", extraHeaders: Offer);

        await client.SendFrameAsync(RawWebSocketClient.Text, Deflate([0xC3, 0x28]), reserved: 4);

        Assert.Equal(WebSocketCloseCodes.InvalidPayloadData, await client.ReceiveCloseCodeAsync());
    }

    [Fact]
    public async Task Without_the_extension_RSV1_still_closes_1002()
    {
        using var client = await RawWebSocketClient.ConnectAsync(_host.Address, "/ws/echo/");

        await client.SendFrameAsync(RawWebSocketClient.Text, Deflate("hello"u8.ToArray()), reserved: 4);

        Assert.Equal(WebSocketCloseCodes.ProtocolError, await client.ReceiveCloseCodeAsync());
    }

    private static Task<KestrelHost> StartWith64KiBLimitAsync() => KestrelHost.StartAsync(o =>
    {
        o.WebSockets.EnableCompression = true;
        o.WebSockets.MaxMessageSize = 64 * 1024;
    });

    private static void Deflate(ClientWebSocketOptions options)
    {
        options.DangerousDeflateOptions = new WebSocketDeflateOptions();
        options.CollectHttpResponseDetails = true;
    }

    // A whole message as a permessage-deflate sender makes it: raw DEFLATE, sync-flushed, the 00 00 FF FF tail cut.
    private static byte[] Deflate(byte[] data)
    {
        using var output = new MemoryStream();
        using (var deflate = new DeflateStream(output, CompressionLevel.Optimal, leaveOpen: true))
        {
            deflate.Write(data);
            deflate.Flush();
            return output.ToArray()[..^4];
        }
    }

    private static string Inflate(byte[] payload) => Encoding.UTF8.GetString(InflateBytes(payload));

    private static byte[] InflateBytes(byte[] payload)
    {
        using var input = new MemoryStream([.. payload, 0x00, 0x00, 0xFF, 0xFF]);
        using var inflate = new DeflateStream(input, CompressionMode.Decompress);
        using var output = new MemoryStream();
        inflate.CopyTo(output);
        return output.ToArray();
    }
}
