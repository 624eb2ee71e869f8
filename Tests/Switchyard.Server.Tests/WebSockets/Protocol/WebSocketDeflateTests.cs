using System.IO.Compression;
using System.Text;
using Switchyard.Server.Tests.Support;
using Xunit;

namespace Switchyard.Server.Tests.WebSockets.Protocol;

/// <summary>
/// permessage-deflate (RFC 7692) as pure logic: one message compressed and inflated, the size limit on inflating,
/// the negotiation of offers, and the frame reader with the extension on.
/// </summary>
public sealed class WebSocketDeflateTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(255)]
    [InlineData(2048)]
    [InlineData(200_000)]
    public void A_message_compressed_then_inflated_is_itself(int length)
    {
        var message = new byte[length];
        new Random(length).NextBytes(message.AsSpan(0, length / 2)); // half noise, half zeros

        var compressed = WebSocketDeflate.Compress(message);

        Assert.Equal(0, WebSocketDeflate.TryDecompress(compressed, length, out var inflated, out var inflatedLength));
        Assert.Equal(message, inflated.AsSpan(0, inflatedLength).ToArray());

        // The same bytes as any DEFLATE reader makes of them once the sync-flush tail is put back.
        Assert.Equal(message, InflateIndependently(compressed));
    }

    [Fact]
    public void The_sync_flush_tail_is_cut_and_the_rented_form_holds_the_same_bytes()
    {
        var message = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("compress me ", 100)));

        var compressed = WebSocketDeflate.Compress(message);
        var rented = WebSocketDeflate.CompressRented(message, out var length);

        Assert.False(compressed.AsSpan().EndsWith((ReadOnlySpan<byte>)[0x00, 0x00, 0xFF, 0xFF]));
        Assert.Equal(compressed, rented.AsSpan(0, length).ToArray());
        Assert.True(compressed.Length < message.Length / 10);
    }

    [Fact]
    public void Inflating_stops_one_byte_past_the_limit()
    {
        var compressed = WebSocketDeflate.Compress(new byte[10_000]);

        Assert.Equal(0, WebSocketDeflate.TryDecompress(compressed, 10_000, out _, out var length));
        Assert.Equal(10_000, length);
        Assert.Equal(WebSocketCloseCodes.MessageTooBig, WebSocketDeflate.TryDecompress(compressed, 9_999, out var rented, out _));
        Assert.Null(rented);
    }

    [Fact]
    public void A_bomb_is_refused_without_inflating_it()
    {
        // 64 MiB of zeros: about 64 KB compressed.
        var bomb = WebSocketDeflate.Compress(new byte[64 * 1024 * 1024]);
        var before = GC.GetAllocatedBytesForCurrentThread();

        Assert.Equal(WebSocketCloseCodes.MessageTooBig, WebSocketDeflate.TryDecompress(bomb, 1024 * 1024, out _, out _));

        // Pooled buffers up to the 1 MiB limit, not 64 MiB.
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 8 * 1024 * 1024);
    }

    [Theory]
    [InlineData(new byte[] { 0xFF, 0xFF, 0xFF })]
    [InlineData(new byte[] { 0x07 })]
    public void Data_that_is_not_DEFLATE_is_1007(byte[] garbage)
    {
        Assert.Equal(WebSocketCloseCodes.InvalidPayloadData, WebSocketDeflate.TryDecompress(garbage, 1024, out var rented, out _));
        Assert.Null(rented);
    }

    [Theory]
    [InlineData("permessage-deflate", true)]
    [InlineData("permessage-deflate; client_max_window_bits", true)]
    [InlineData("permessage-deflate; client_max_window_bits=10; server_no_context_takeover", true)]
    [InlineData("PerMessage-Deflate; Client_No_Context_Takeover", true)]
    [InlineData("permessage-deflate; server_max_window_bits=15", true)]
    [InlineData("permessage-deflate; server_max_window_bits=\"15\"", true)]
    [InlineData("permessage-deflate; server_max_window_bits=10", false)]
    [InlineData("permessage-deflate; server_max_window_bits", false)]
    [InlineData("permessage-deflate; client_max_window_bits=16", false)]
    [InlineData("permessage-deflate; client_max_window_bits=7", false)]
    [InlineData("permessage-deflate; server_no_context_takeover=1", false)]
    [InlineData("permessage-deflate; mystery", false)]
    [InlineData("permessage-deflate; server_no_context_takeover; server_no_context_takeover", false)]
    [InlineData("x-webkit-deflate-frame", false)]
    [InlineData("", false)]
    [InlineData("permessage-deflate; server_max_window_bits=10, permessage-deflate", true)]
    [InlineData("x-other, permessage-deflate; client_max_window_bits", true)]
    public void An_offer_is_accepted_only_when_every_parameter_can_be_honoured(string offer, bool accepted)
    {
        Assert.Equal(accepted, WebSocketDeflateNegotiation.TryAccept([offer]));
    }

    [Fact]
    public void Offers_in_several_header_values_are_read_in_order()
    {
        Assert.True(WebSocketDeflateNegotiation.TryAccept(["x-other", null, "permessage-deflate"]));
        Assert.False(WebSocketDeflateNegotiation.TryAccept([]));
    }

    [Fact]
    public void The_reader_inflates_a_compressed_message_whole_or_in_fragments()
    {
        var text = string.Concat(Enumerable.Repeat("a compressed message ", 50));
        var compressed = WebSocketDeflate.Compress(Encoding.UTF8.GetBytes(text));
        var harness = new FrameReaderHarness();
        harness.Reader.EnableDeflate();

        var events = harness.Feed(ClientFrame.Concat(
            new ClientFrame { Opcode = ClientFrame.Text, Payload = compressed, Rsv = 4 }.ToBytes(),
            new ClientFrame { Opcode = ClientFrame.Binary, Payload = compressed[..5], Rsv = 4, Fin = false }.ToBytes(),
            new ClientFrame { Opcode = ClientFrame.Ping, Payload = [1] }.ToBytes(),
            new ClientFrame { Opcode = ClientFrame.Continuation, Payload = compressed[5..] }.ToBytes(),
            ClientFrame.TextFrame("not compressed")));

        Assert.Collection(
            events,
            e => Assert.Equal((WebSocketFrameStep.Message, true, text), (e.Step, e.IsText, Encoding.UTF8.GetString(e.Data))),
            e => Assert.Equal(WebSocketFrameStep.FrameDone, e.Step),
            e => Assert.Equal(WebSocketFrameStep.Control, e.Step),
            e => Assert.Equal((WebSocketFrameStep.Message, false, text), (e.Step, e.IsText, Encoding.UTF8.GetString(e.Data))),
            e => Assert.Equal((WebSocketFrameStep.Message, "not compressed"), (e.Step, Encoding.UTF8.GetString(e.Data))));
    }

    [Theory]
    [InlineData(ClientFrame.Continuation, 4)]
    [InlineData(ClientFrame.Ping, 4)]
    [InlineData(ClientFrame.Text, 2)]
    [InlineData(ClientFrame.Text, 1)]
    [InlineData(ClientFrame.Text, 6)]
    public void With_deflate_on_RSV1_is_allowed_on_a_message_first_frame_only(int opcode, int rsv)
    {
        var harness = new FrameReaderHarness();
        harness.Reader.EnableDeflate();
        if (opcode == ClientFrame.Continuation)
        {
            harness.Feed(ClientFrame.TextFrame("a", fin: false));
        }

        var events = harness.Feed(new ClientFrame { Opcode = opcode, Payload = [0x01], Rsv = rsv }.ToBytes());

        Assert.Equal(WebSocketCloseCodes.ProtocolError, Assert.Single(events, e => e.Step == WebSocketFrameStep.Failed).FailCode);
    }

    [Fact]
    public void A_compressed_message_that_inflates_past_the_limit_fails_1009_and_consumes_nothing()
    {
        var harness = new FrameReaderHarness(maxMessageSize: 4096);
        harness.Reader.EnableDeflate();
        var bomb = new ClientFrame { Opcode = ClientFrame.Binary, Payload = WebSocketDeflate.Compress(new byte[4097]), Rsv = 4 }.ToBytes();

        var failed = Assert.Single(harness.Feed(bomb));

        Assert.Equal((WebSocketFrameStep.Failed, WebSocketCloseCodes.MessageTooBig), (failed.Step, failed.FailCode));
        Assert.Equal(bomb.Length, harness.Pending);
        Assert.Contains("inflates to more than 4096 bytes", harness.Reader.FailReason, StringComparison.Ordinal);
    }

    private static byte[] InflateIndependently(byte[] compressed)
    {
        using var inflate = new DeflateStream(new MemoryStream([.. compressed, 0x00, 0x00, 0xFF, 0xFF]), CompressionMode.Decompress);
        using var output = new MemoryStream();
        inflate.CopyTo(output);
        return output.ToArray();
    }
}
