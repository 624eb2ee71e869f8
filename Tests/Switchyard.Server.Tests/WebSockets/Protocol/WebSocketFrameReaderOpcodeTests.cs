using Switchyard.Server.Tests.Support;
using Xunit;

namespace Switchyard.Server.Tests.WebSockets.Protocol;

/// <summary>The reserved opcodes, data (3–7) and control (11–15), fail the connection with 1002 (Autobahn section 4).</summary>
public sealed class WebSocketFrameReaderOpcodeTests
{
    public static TheoryData<int, int> ReservedOpcodes()
    {
        var data = new TheoryData<int, int>();
        foreach (var opcode in new[] { 3, 4, 5, 6, 7, 11, 12, 13, 14, 15 })
        {
            data.Add(opcode, 0);
            data.Add(opcode, 20);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(ReservedOpcodes))]
    public void A_reserved_opcode_fails_with_1002_with_or_without_payload(int opcode, int length)
    {
        var failed = Assert.Single(FrameReaderHarness.ReadAll(ClientFrame.Frame(opcode, Payloads.Ascii(length))));

        Assert.Equal(WebSocketFrameStep.Failed, failed.Step);
        Assert.Equal(WebSocketCloseCodes.ProtocolError, failed.FailCode);
    }

    [Theory]
    [InlineData(3)]
    [InlineData(7)]
    [InlineData(11)]
    [InlineData(15)]
    public void A_reserved_opcode_fails_with_a_reason_that_names_it(int opcode)
    {
        var harness = new FrameReaderHarness();
        var reader = harness.Reader;
        var buffer = new System.Buffers.ReadOnlySequence<byte>(ClientFrame.Frame(opcode, []));

        Assert.Equal(WebSocketFrameStep.Failed, reader.Read(ref buffer, out _));
        Assert.Contains(opcode.ToString(System.Globalization.CultureInfo.InvariantCulture), reader.FailReason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(5)]
    [InlineData(13)]
    public void A_reserved_opcode_after_a_good_message_or_within_a_fragmented_one_fails(int opcode)
    {
        var afterMessage = ClientFrame.Concat(ClientFrame.TextFrame("ok"), ClientFrame.Frame(opcode, [1]));
        var midMessage = ClientFrame.Concat(ClientFrame.TextFrame("o", fin: false), ClientFrame.Frame(opcode, [1]), ClientFrame.Frame(ClientFrame.Continuation, "k"u8.ToArray()));

        Assert.Equal([WebSocketFrameStep.Message, WebSocketFrameStep.Failed], FrameReaderHarness.ReadAll(afterMessage).Select(e => e.Step));
        Assert.Equal([WebSocketFrameStep.FrameDone, WebSocketFrameStep.Failed], FrameReaderHarness.ReadAll(midMessage).Select(e => e.Step));
    }

    [Fact]
    public void A_reserved_data_opcode_without_fin_fails_as_well()
    {
        var frame = new ClientFrame { Opcode = 3, Payload = [1, 2], Fin = false }.ToBytes();

        Assert.Equal(WebSocketCloseCodes.ProtocolError, Assert.Single(FrameReaderHarness.ReadAll(frame)).FailCode);
    }
}
