using Switchyard.Server.Tests.Support;
using Xunit;

namespace Switchyard.Server.Tests.WebSockets.Protocol;

/// <summary>No extension is negotiated, so any reserved bit fails the connection with 1002 (Autobahn section 3).</summary>
public sealed class WebSocketFrameReaderReservedBitsTests
{
    public static TheoryData<int, int> BitsOnOpcodes()
    {
        var data = new TheoryData<int, int>();
        foreach (var opcode in new[] { ClientFrame.Text, ClientFrame.Binary, ClientFrame.Ping, ClientFrame.Pong, ClientFrame.Close })
        {
            // RSV1, RSV2, RSV3 alone, two of them, and all three.
            foreach (var rsv in new[] { 4, 2, 1, 6, 3, 7 })
            {
                data.Add(opcode, rsv);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(BitsOnOpcodes))]
    public void A_frame_with_a_reserved_bit_fails_with_1002(int opcode, int rsv)
    {
        var payload = opcode == ClientFrame.Close ? [0x03, 0xE8] : Payloads.Ascii(10);
        var frame = new ClientFrame { Opcode = opcode, Rsv = rsv, Payload = payload }.ToBytes();

        var failed = Assert.Single(FrameReaderHarness.ReadAll(frame));

        Assert.Equal(WebSocketFrameStep.Failed, failed.Step);
        Assert.Equal(WebSocketCloseCodes.ProtocolError, failed.FailCode);
    }

    [Theory]
    [InlineData(4)]
    [InlineData(2)]
    [InlineData(1)]
    public void A_reserved_bit_after_a_good_message_fails_after_delivering_that_message(int rsv)
    {
        var stream = ClientFrame.Concat(
            ClientFrame.TextFrame("fine"),
            new ClientFrame { Opcode = ClientFrame.Text, Rsv = rsv, Payload = Payloads.Ascii(3) }.ToBytes(),
            ClientFrame.TextFrame("never read"));

        var events = FrameReaderHarness.ReadAll(stream);

        Assert.Equal([WebSocketFrameStep.Message, WebSocketFrameStep.Failed], events.Select(e => e.Step));
        Assert.Equal("fine"u8.ToArray(), events[0].Data);
        Assert.Equal(WebSocketCloseCodes.ProtocolError, events[1].FailCode);
    }

    [Theory]
    [InlineData(4)]
    [InlineData(1)]
    [InlineData(7)]
    public void A_reserved_bit_on_a_continuation_frame_fails_with_1002(int rsv)
    {
        var stream = ClientFrame.Concat(
            ClientFrame.TextFrame("part", fin: false),
            new ClientFrame { Opcode = ClientFrame.Continuation, Rsv = rsv, Payload = Payloads.Ascii(3) }.ToBytes());

        var events = FrameReaderHarness.ReadAll(stream);

        Assert.Equal([WebSocketFrameStep.FrameDone, WebSocketFrameStep.Failed], events.Select(e => e.Step));
        Assert.Equal(WebSocketCloseCodes.ProtocolError, events[1].FailCode);
    }

    [Fact]
    public void A_reserved_bit_fails_from_the_header_before_the_payload_arrives()
    {
        var header = new ClientFrame { Opcode = ClientFrame.Binary, Rsv = 4, Payload = Payloads.Binary(5000) }.HeaderBytes();

        Assert.Equal(WebSocketCloseCodes.ProtocolError, Assert.Single(FrameReaderHarness.ReadAll(header)).FailCode);
    }
}
