using System.Net.WebSockets;
using System.Text;
using Switchyard.Server.Tests.Support;
using Xunit;

namespace Switchyard.Server.Tests.WebSockets.Protocol;

/// <summary>Server frames as written, read back by .NET's own WebSocket client as an independent reader.</summary>
public sealed class WebSocketFrameWriterTests
{
    [Theory]
    [InlineData(0, 2)]
    [InlineData(125, 2)]
    [InlineData(126, 4)]
    [InlineData(65535, 4)]
    [InlineData(65536, 10)]
    [InlineData(1024 * 1024, 10)]
    public void The_header_length_is_the_shortest_form_for_the_payload(int length, int headerLength)
    {
        Span<byte> header = stackalloc byte[WebSocketFrameHeader.MaxLength];

        Assert.Equal(headerLength, WebSocketFrameWriter.GetHeaderLength(length));
        Assert.Equal(headerLength, WebSocketFrameWriter.WriteHeader(header, WebSocketOpcode.Binary, length));
    }

    [Theory]
    [InlineData(ClientFrame.Text, 0)]
    [InlineData(ClientFrame.Text, 125)]
    [InlineData(ClientFrame.Text, 126)]
    [InlineData(ClientFrame.Text, 65535)]
    [InlineData(ClientFrame.Text, 65536)]
    [InlineData(ClientFrame.Binary, 0)]
    [InlineData(ClientFrame.Binary, 125)]
    [InlineData(ClientFrame.Binary, 126)]
    [InlineData(ClientFrame.Binary, 65535)]
    [InlineData(ClientFrame.Binary, 65536)]
    public async Task A_data_frame_is_read_back_by_the_dotnet_client_as_one_final_message(int opcodeValue, int length)
    {
        var opcode = (WebSocketOpcode)opcodeValue;
        var payload = opcode == WebSocketOpcode.Text ? Payloads.Ascii(length) : Payloads.Binary(length);
        using var client = Client(ServerFrame(opcode, payload));

        var (type, received, _) = await ReceiveMessageAsync(client);

        Assert.Equal(opcode == WebSocketOpcode.Text ? WebSocketMessageType.Text : WebSocketMessageType.Binary, type);
        Assert.Equal(payload, received);
    }

    [Fact]
    public async Task Frames_back_to_back_are_read_back_in_order()
    {
        using var client = Client(ClientFrame.Concat(
            ServerFrame(WebSocketOpcode.Text, "one"u8.ToArray()),
            ServerFrame(WebSocketOpcode.Binary, Payloads.Binary(70_000)),
            ServerFrame(WebSocketOpcode.Text, "three"u8.ToArray())));

        Assert.Equal("one"u8.ToArray(), (await ReceiveMessageAsync(client)).Data);
        Assert.Equal(Payloads.Binary(70_000), (await ReceiveMessageAsync(client)).Data);
        Assert.Equal("three"u8.ToArray(), (await ReceiveMessageAsync(client)).Data);
    }

    [Theory]
    [InlineData(1000, null, "")]
    [InlineData(1001, "server shutting down", "server shutting down")]
    [InlineData(1008, "too slow", "too slow")]
    [InlineData(4000, "custom", "custom")]
    public async Task A_close_frame_is_read_back_with_its_code_and_reason(int code, string? reason, string expected)
    {
        using var client = Client(ServerFrame(WebSocketOpcode.Close, WebSocketFrameWriter.CreateClosePayload(code, reason)));

        var result = await client.ReceiveAsync(new byte[256], TestContext.Current.CancellationToken);

        Assert.Equal(WebSocketMessageType.Close, result.MessageType);
        Assert.Equal((WebSocketCloseStatus)code, result.CloseStatus);
        Assert.Equal(expected, result.CloseStatusDescription);
    }

    [Theory]
    [InlineData("a", 200, 123)]
    [InlineData("é", 100, 61)]
    [InlineData("€", 100, 41)]
    [InlineData("😀", 100, 30)]
    public async Task A_long_close_reason_is_cut_to_fit_on_a_character_boundary_and_still_reads_as_UTF_8(string unit, int count, int kept)
    {
        var reason = string.Concat(Enumerable.Repeat(unit, count));
        var payload = WebSocketFrameWriter.CreateClosePayload(1011, reason);
        using var client = Client(ServerFrame(WebSocketOpcode.Close, payload));

        var result = await client.ReceiveAsync(new byte[256], TestContext.Current.CancellationToken);

        Assert.True(payload.Length <= 125, $"The close payload is {payload.Length} bytes.");
        Assert.Equal(WebSocketCloseStatus.InternalServerError, result.CloseStatus);
        Assert.Equal(string.Concat(Enumerable.Repeat(unit, kept)), result.CloseStatusDescription);
    }

    [Fact]
    public void A_close_reason_of_exactly_123_bytes_is_kept_whole()
    {
        var reason = new string('r', WebSocketFrameWriter.MaxCloseReasonBytes);

        var payload = WebSocketFrameWriter.CreateClosePayload(1000, reason);

        Assert.Equal(125, payload.Length);
        Assert.Equal(reason, Encoding.UTF8.GetString(payload, 2, 123));
    }

    [Fact]
    public void A_server_close_payload_parses_with_the_readers_own_close_rule()
    {
        var payload = WebSocketFrameWriter.CreateClosePayload(3001, "ünïcode");

        Assert.Equal(0, WebSocketCloseFrame.TryParse(payload, out var code, out var reason));
        Assert.Equal(3001, code);
        Assert.Equal("ünïcode", reason);
    }

    private static byte[] ServerFrame(WebSocketOpcode opcode, byte[] payload)
    {
        var frame = new byte[WebSocketFrameWriter.GetHeaderLength(payload.Length) + payload.Length];
        var headerLength = WebSocketFrameWriter.WriteHeader(frame, opcode, payload.Length);
        payload.CopyTo(frame, headerLength);
        return frame;
    }

    private static WebSocket Client(byte[] serverBytes) =>
        WebSocket.CreateFromStream(new ScriptedStream(serverBytes), new WebSocketCreationOptions { IsServer = false, KeepAliveInterval = TimeSpan.Zero });

    private static async Task<(WebSocketMessageType Type, byte[] Data, int Frames)> ReceiveMessageAsync(WebSocket client)
    {
        using var received = new MemoryStream();
        var buffer = new byte[16 * 1024];
        var reads = 0;
        while (true)
        {
            var result = await client.ReceiveAsync(buffer, TestContext.Current.CancellationToken);
            reads++;
            received.Write(buffer, 0, result.Count);
            if (result.EndOfMessage)
            {
                return (result.MessageType, received.ToArray(), reads);
            }
        }
    }
}
