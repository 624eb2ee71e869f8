using System.Buffers;
using Switchyard.Server.Tests.Support;
using Xunit;

namespace Switchyard.Server.Tests.WebSockets.Protocol;

/// <summary>Pings, pongs and close frames as the reader sees them (Autobahn section 2, and the reader's part of 7).</summary>
public sealed class WebSocketFrameReaderControlFrameTests
{
    [Theory]
    [InlineData(ClientFrame.Ping, 0)]
    [InlineData(ClientFrame.Ping, 1)]
    [InlineData(ClientFrame.Ping, 125)]
    [InlineData(ClientFrame.Pong, 0)]
    [InlineData(ClientFrame.Pong, 125)]
    public void A_ping_or_pong_of_up_to_125_binary_bytes_is_returned_as_control_with_its_payload_unmasked(int opcode, int length)
    {
        // Binary bytes: every value, not text.
        var payload = Enumerable.Range(0, length).Select(i => (byte)(255 - (i * 37 % 256))).ToArray();

        var control = Assert.Single(FrameReaderHarness.ReadAll(ClientFrame.Frame(opcode, payload)));

        Assert.Equal(WebSocketFrameStep.Control, control.Step);
        Assert.Equal((WebSocketOpcode)opcode, control.Opcode);
        Assert.Equal(payload, control.Data);
    }

    [Theory]
    [InlineData(ClientFrame.Ping)]
    [InlineData(ClientFrame.Pong)]
    [InlineData(ClientFrame.Close)]
    public void A_control_frame_of_126_bytes_fails_with_1002_from_its_header_alone(int opcode)
    {
        var frame = new ClientFrame { Opcode = opcode, Payload = Payloads.Binary(126) };

        var whole = Assert.Single(FrameReaderHarness.ReadAll(frame.ToBytes()));
        var headerOnly = Assert.Single(FrameReaderHarness.ReadAll(frame.HeaderBytes()));

        Assert.Equal(WebSocketFrameStep.Failed, whole.Step);
        Assert.Equal(WebSocketCloseCodes.ProtocolError, whole.FailCode);
        Assert.Equal(whole, headerOnly);
    }

    [Theory]
    [InlineData(ClientFrame.Ping, 0)]
    [InlineData(ClientFrame.Ping, 5)]
    [InlineData(ClientFrame.Pong, 5)]
    [InlineData(ClientFrame.Close, 2)]
    public void A_control_frame_without_fin_fails_with_1002(int opcode, int length)
    {
        var frame = new ClientFrame { Opcode = opcode, Payload = Payloads.Ascii(length), Fin = false }.ToBytes();

        var failed = Assert.Single(FrameReaderHarness.ReadAll(frame));

        Assert.Equal(WebSocketFrameStep.Failed, failed.Step);
        Assert.Equal(WebSocketCloseCodes.ProtocolError, failed.FailCode);
    }

    [Fact]
    public void A_fragmented_ping_with_a_continuation_fails_at_its_first_frame()
    {
        var stream = ClientFrame.Concat(
            new ClientFrame { Opcode = ClientFrame.Ping, Payload = [1, 2], Fin = false }.ToBytes(),
            ClientFrame.Frame(ClientFrame.Continuation, [3, 4]));

        Assert.Equal(WebSocketCloseCodes.ProtocolError, Assert.Single(FrameReaderHarness.ReadAll(stream)).FailCode);
    }

    [Fact]
    public void An_unsolicited_pong_is_returned_as_control_and_reading_goes_on()
    {
        var stream = ClientFrame.Concat(ClientFrame.Frame(ClientFrame.Pong, [7, 7]), ClientFrame.TextFrame("after"));

        var events = FrameReaderHarness.ReadAll(stream);

        Assert.Equal([WebSocketFrameStep.Control, WebSocketFrameStep.Message], events.Select(e => e.Step));
        Assert.Equal(WebSocketOpcode.Pong, events[0].Opcode);
        Assert.Equal("after"u8.ToArray(), events[1].Data);
    }

    [Fact]
    public void Ten_pings_in_a_row_are_each_returned_in_order_with_their_own_payload()
    {
        var pings = Enumerable.Range(0, 10)
            .Select(i => new ClientFrame { Opcode = ClientFrame.Ping, Payload = Payloads.Binary(i * 12, seed: i), MaskKey = [(byte)i, 0x11, 0x22, (byte)(0xF0 | i)] }.ToBytes())
            .ToArray();

        var whole = FrameReaderHarness.ReadAll(ClientFrame.Concat(pings));
        var pieces = new FrameReaderHarness().FeedEach(Chunks.Random(ClientFrame.Concat(pings), seed: 2, maxSize: 9));

        Assert.Equal(10, whole.Count);
        for (var i = 0; i < 10; i++)
        {
            Assert.Equal(WebSocketOpcode.Ping, whole[i].Opcode);
            Assert.Equal(Payloads.Binary(i * 12, seed: i), whole[i].Data);
        }

        Assert.Equal(whole, pieces);
    }

    [Fact]
    public void A_control_payload_is_the_readers_own_copy_not_a_view_of_the_receive_buffer()
    {
        // The connection queues the pong after advancing the pipe past the ping, so the payload must outlive the bytes.
        var frame = ClientFrame.Frame(ClientFrame.Ping, [1, 2, 3, 4, 5]);
        var reader = new WebSocketFrameReader(1024, 16);
        var buffer = new ReadOnlySequence<byte>(frame);

        Assert.Equal(WebSocketFrameStep.Control, reader.Read(ref buffer, out var control));
        Array.Clear(frame);

        Assert.Equal([1, 2, 3, 4, 5], control.Payload.ToArray());
    }

    [Theory]
    [InlineData(0, "")]
    [InlineData(1000, "")]
    [InlineData(1001, "going")]
    [InlineData(4999, "a reason of some length, é and €")]
    public void A_close_frame_is_returned_as_control_with_its_payload_for_the_connection_to_parse(int code, string reason)
    {
        var frame = code == 0 ? ClientFrame.Frame(ClientFrame.Close, []) : ClientFrame.CloseFrame(code, reason);

        var close = Assert.Single(FrameReaderHarness.ReadAll(frame));

        Assert.Equal(WebSocketFrameStep.Control, close.Step);
        Assert.Equal(WebSocketOpcode.Close, close.Opcode);
        Assert.Equal(frame.Length - 6, close.Data.Length);
        Assert.Equal(0, WebSocketCloseFrame.TryParse(close.Data, out var parsed, out var parsedReason));
        Assert.Equal(code == 0 ? WebSocketCloseCodes.NoStatusReceived : code, parsed);
        Assert.Equal(reason.Length == 0 ? null : reason, parsedReason);
    }

    [Fact]
    public void The_reader_does_not_judge_a_close_payload_an_invalid_close_code_is_still_returned_as_control()
    {
        // Whether a close payload is valid is WebSocketCloseFrame's question, asked by the connection.
        var close = Assert.Single(FrameReaderHarness.ReadAll(ClientFrame.CloseFrame(1005)));

        Assert.Equal(WebSocketFrameStep.Control, close.Step);
    }

    [Fact]
    public void Bytes_after_a_close_frame_are_left_unread_for_the_connection_to_ignore()
    {
        // After the client's close frame the connection stops reading (RFC 6455 §5.5.1: nothing more may follow), so
        // what comes after, even garbage, is not the reader's business: Read returns the close and consumes only it.
        var close = ClientFrame.CloseFrame(1000, "bye");
        var after = ClientFrame.Concat(ClientFrame.TextFrame("late"), [0xFF, 0xFF, 0xFF]);
        var reader = new WebSocketFrameReader(1024, 16);
        var buffer = new ReadOnlySequence<byte>(ClientFrame.Concat(close, after));

        Assert.Equal(WebSocketFrameStep.Control, reader.Read(ref buffer, out var control));

        Assert.Equal(WebSocketOpcode.Close, control.Opcode);
        Assert.Equal(after, buffer.ToArray());
    }
}
