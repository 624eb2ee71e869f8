using Switchyard.Server.Tests.Support;
using Xunit;

namespace Switchyard.Server.Tests.WebSockets.Protocol;

/// <summary>
/// The message size limit (1009), impossible lengths and unmasked frames (1002), and that a declared length is judged
/// from the header, before any of the payload arrives and before any buffer is taken for it (Autobahn section 9).
/// </summary>
public sealed class WebSocketFrameReaderLimitsTests
{
    private const int Max = 1000;

    [Theory]
    [InlineData(ClientFrame.Text)]
    [InlineData(ClientFrame.Binary)]
    public void A_single_frame_message_of_exactly_MaxMessageSize_is_accepted(int opcode)
    {
        var message = Assert.Single(FrameReaderHarness.ReadAll(ClientFrame.Frame(opcode, Payloads.Ascii(Max)), maxMessageSize: Max));

        Assert.Equal(WebSocketFrameStep.Message, message.Step);
        Assert.Equal(Max, message.Data.Length);
    }

    [Theory]
    [InlineData(ClientFrame.Text)]
    [InlineData(ClientFrame.Binary)]
    public void A_single_frame_message_one_byte_over_fails_with_1009_from_its_header(int opcode)
    {
        var frame = new ClientFrame { Opcode = opcode, Payload = Payloads.Ascii(Max + 1) };

        var whole = Assert.Single(FrameReaderHarness.ReadAll(frame.ToBytes(), maxMessageSize: Max));
        var header = Assert.Single(FrameReaderHarness.ReadAll(frame.HeaderBytes(), maxMessageSize: Max));

        Assert.Equal(WebSocketCloseCodes.MessageTooBig, whole.FailCode);
        Assert.Equal(whole, header);
    }

    [Fact]
    public void A_fragmented_message_of_exactly_MaxMessageSize_is_accepted_with_control_frames_between_not_counted()
    {
        var stream = ClientFrame.Concat(
            ClientFrame.Frame(ClientFrame.Binary, Payloads.Binary(600), fin: false),
            ClientFrame.Frame(ClientFrame.Ping, Payloads.Binary(125)),
            ClientFrame.Frame(ClientFrame.Continuation, Payloads.Binary(400), fin: false),
            ClientFrame.Frame(ClientFrame.Continuation, []));

        var events = FrameReaderHarness.ReadAll(stream, maxMessageSize: Max);

        Assert.Equal(Max, events[^1].Data.Length);
        Assert.Equal(WebSocketFrameStep.Message, events[^1].Step);
    }

    [Fact]
    public void A_fragmented_message_one_byte_over_fails_with_1009_at_the_header_of_the_fragment_that_crosses()
    {
        var stream = ClientFrame.Concat(
            WebSocketFrameReaderFragmentationTests.Fragment(ClientFrame.Text, Payloads.Ascii(Max), 100)[..^(6 + 100)],
            ClientFrame.Frame(ClientFrame.Continuation, Payloads.Ascii(100), fin: false),
            new ClientFrame { Opcode = ClientFrame.Continuation, Payload = [0x41] }.HeaderBytes());

        var events = FrameReaderHarness.ReadAll(stream, maxMessageSize: Max);

        Assert.Equal(10, events.Count(e => e.Step == WebSocketFrameStep.FrameDone));
        Assert.Equal(WebSocketCloseCodes.MessageTooBig, events[^1].FailCode);
    }

    [Fact]
    public void The_size_count_starts_again_with_each_message()
    {
        var atMax = ClientFrame.Frame(ClientFrame.Binary, Payloads.Binary(Max));

        var events = FrameReaderHarness.ReadAll(ClientFrame.Concat(atMax, atMax, atMax), maxMessageSize: Max);

        Assert.Equal(3, events.Count(e => e.Step == WebSocketFrameStep.Message));
    }

    [Theory]
    [InlineData(0x8000_0000_0000_0000UL)]
    [InlineData(0x8000_0000_0000_0005UL)]
    [InlineData(ulong.MaxValue)]
    public void A_64_bit_length_with_its_most_significant_bit_set_fails_with_1002_from_the_header(ulong declared)
    {
        var header = new ClientFrame { Opcode = ClientFrame.Binary, DeclaredLength = declared, LengthForm = LengthForm.Bits64 }.HeaderBytes();

        var failed = Assert.Single(FrameReaderHarness.ReadAll(header));

        Assert.Equal(WebSocketCloseCodes.ProtocolError, failed.FailCode);
    }

    [Theory]
    [InlineData(ClientFrame.Text, 5)]
    [InlineData(ClientFrame.Binary, 0)]
    [InlineData(ClientFrame.Ping, 3)]
    [InlineData(ClientFrame.Pong, 0)]
    [InlineData(ClientFrame.Close, 2)]
    public void An_unmasked_client_frame_fails_with_1002(int opcode, int length)
    {
        var frame = new ClientFrame { Opcode = opcode, Payload = Payloads.Ascii(length), Masked = false }.ToBytes();

        var failed = Assert.Single(FrameReaderHarness.ReadAll(frame));

        Assert.Equal(WebSocketCloseCodes.ProtocolError, failed.FailCode);
    }

    [Fact]
    public void An_unmasked_continuation_frame_fails_with_1002()
    {
        var stream = ClientFrame.Concat(
            ClientFrame.TextFrame("a", fin: false),
            new ClientFrame { Opcode = ClientFrame.Continuation, Payload = "b"u8.ToArray(), Masked = false }.ToBytes());

        Assert.Equal(WebSocketCloseCodes.ProtocolError, FrameReaderHarness.ReadAll(stream)[^1].FailCode);
    }

    [Theory]
    [InlineData(1024L * 1024 + 1)]
    [InlineData(int.MaxValue)]
    [InlineData(1L << 40)]
    [InlineData(long.MaxValue)]
    public void A_huge_declared_length_fails_with_1009_from_the_header_alone_without_allocating_for_it(long declared)
    {
        var header = new ClientFrame { Opcode = ClientFrame.Binary, DeclaredLength = (ulong)declared, LengthForm = LengthForm.Bits64 }.HeaderBytes();
        var reader = new WebSocketFrameReader(1024 * 1024, 1024);
        var buffer = new System.Buffers.ReadOnlySequence<byte>(header);

        var allocated = GC.GetAllocatedBytesForCurrentThread();
        var step = reader.Read(ref buffer, out _);
        allocated = GC.GetAllocatedBytesForCurrentThread() - allocated;

        Assert.Equal(WebSocketFrameStep.Failed, step);
        Assert.Equal(WebSocketCloseCodes.MessageTooBig, reader.FailCode);
        Assert.True(allocated < 16 * 1024, $"Failing the header allocated {allocated} bytes.");
    }

    [Fact]
    public void A_large_frame_within_the_limit_takes_no_buffer_until_its_payload_has_arrived()
    {
        // 256 MiB declared, only the header and a little payload here: the reader waits, holding nothing for it.
        const int declared = 256 * 1024 * 1024;
        var header = new ClientFrame { Opcode = ClientFrame.Binary, DeclaredLength = declared }.HeaderBytes();
        var reader = new WebSocketFrameReader(int.MaxValue, 1024);
        var buffer = new System.Buffers.ReadOnlySequence<byte>(ClientFrame.Concat(header, new byte[1000]));

        var allocated = GC.GetAllocatedBytesForCurrentThread();
        var step = reader.Read(ref buffer, out _);
        allocated = GC.GetAllocatedBytesForCurrentThread() - allocated;

        Assert.Equal(WebSocketFrameStep.NeedMoreData, step);
        Assert.False(reader.InMessage);
        Assert.True(allocated < 16 * 1024, $"Waiting for the payload allocated {allocated} bytes.");
    }
}
