using System.Text;
using Switchyard.Server.Tests.Support;
using Xunit;

namespace Switchyard.Server.Tests.WebSockets.Protocol;

/// <summary>
/// Text messages must be UTF-8 (RFC 6455 §8.1, Autobahn section 6): the whole message, checked once it is complete, so a
/// code point split across fragments is fine and a sequence cut off at the message's end is not. Binary is never checked.
/// </summary>
public sealed class WebSocketFrameReaderUtf8Tests
{
    // ASCII, 2-byte (U+0080, U+07FF, é), 3-byte (U+0800, U+D7FF, U+E000, €, U+FFFD, U+FFFF), 4-byte (U+10000, 😀, U+10FFFF).
    private const string Valid = "a\u0080\u07FFé\u0800\uD7FF\uE000€\uFFFD\uFFFF\U00010000😀\U0010FFFFκόσμε";

    public static TheoryData<string> InvalidSequences() =>
    [
        // Continuation bytes with no lead byte.
        "80", "BF", "80BF", "80BF80BF", "41BF42",
        // A lead byte followed by something that is not a continuation.
        "C241", "E28241", "F09F9841", "C2C2",
        // Overlong encodings: '/' and U+0000 in 2, 3 and 4 bytes, and the largest overlong of each length.
        "C0AF", "C080", "C1BF", "E080AF", "E09FBF", "F08080AF", "F08FBFBF",
        // UTF-16 surrogates, alone and as a pair encoded one by one (CESU-8).
        "EDA080", "EDADBF", "EDAE80", "EDAFBF", "EDB080", "EDBFBF", "EDA080EDB080",
        // Beyond U+10FFFF, and bytes that never occur in UTF-8.
        "F4908080", "F5808080", "F7BFBFBF", "F888808080", "FC8480808080", "FE", "FF", "FEFF",
        // A valid start whose sequence is cut off by the end of the message.
        "C2", "E282", "E2", "F09F98", "F0", "41F09F98",
    ];

    [Fact]
    public void Text_with_1_2_3_and_4_byte_sequences_is_delivered_as_sent()
    {
        var bytes = Encoding.UTF8.GetBytes(Valid);

        var message = Assert.Single(FrameReaderHarness.ReadAll(ClientFrame.Frame(ClientFrame.Text, bytes)));

        Assert.Equal(WebSocketFrameStep.Message, message.Step);
        Assert.Equal(bytes, message.Data);
    }

    [Fact]
    public void Valid_text_split_into_two_fragments_at_every_byte_offset_is_accepted()
    {
        var bytes = Encoding.UTF8.GetBytes(Valid);

        for (var cut = 0; cut <= bytes.Length; cut++)
        {
            var stream = ClientFrame.Concat(
                ClientFrame.Frame(ClientFrame.Text, bytes[..cut], fin: false),
                ClientFrame.Frame(ClientFrame.Continuation, bytes[cut..]));

            var message = FrameReaderHarness.ReadAll(stream)[^1];

            Assert.Equal(WebSocketFrameStep.Message, message.Step);
            Assert.Equal(bytes, message.Data);
        }
    }

    [Fact]
    public void Valid_text_in_1_byte_fragments_is_accepted()
    {
        var bytes = Encoding.UTF8.GetBytes(Valid);

        var message = FrameReaderHarness.ReadAll(WebSocketFrameReaderFragmentationTests.Fragment(ClientFrame.Text, bytes, 1))[^1];

        Assert.Equal(WebSocketFrameStep.Message, message.Step);
        Assert.Equal(bytes, message.Data);
    }

    [Theory]
    [MemberData(nameof(InvalidSequences))]
    public void Invalid_UTF_8_in_a_single_frame_text_message_fails_with_1007(string hex)
    {
        var payload = Convert.FromHexString(hex);

        var failed = Assert.Single(FrameReaderHarness.ReadAll(ClientFrame.Frame(ClientFrame.Text, payload)));

        Assert.Equal(WebSocketFrameStep.Failed, failed.Step);
        Assert.Equal(WebSocketCloseCodes.InvalidPayloadData, failed.FailCode);
    }

    [Theory]
    [MemberData(nameof(InvalidSequences))]
    public void Invalid_UTF_8_anywhere_in_a_fragmented_text_message_fails_with_1007_at_its_final_frame(string hex)
    {
        var payload = Encoding.UTF8.GetBytes("valid é ").Concat(Convert.FromHexString(hex)).ToArray();

        for (var cut = 0; cut <= payload.Length; cut++)
        {
            var stream = ClientFrame.Concat(
                ClientFrame.Frame(ClientFrame.Text, payload[..cut], fin: false),
                ClientFrame.Frame(ClientFrame.Continuation, payload[cut..]));

            var events = FrameReaderHarness.ReadAll(stream);

            Assert.Equal([WebSocketFrameStep.FrameDone, WebSocketFrameStep.Failed], events.Select(e => e.Step));
            Assert.Equal(WebSocketCloseCodes.InvalidPayloadData, events[1].FailCode);
        }
    }

    [Fact]
    public void A_valid_message_after_one_that_ends_mid_sequence_does_not_rescue_it()
    {
        // The check is per message: the bytes completing the sequence come in the next message, too late.
        var stream = ClientFrame.Concat(
            ClientFrame.Frame(ClientFrame.Text, [0xE2, 0x82]),
            ClientFrame.Frame(ClientFrame.Text, [0xAC]));

        var failed = Assert.Single(FrameReaderHarness.ReadAll(stream));

        Assert.Equal(WebSocketCloseCodes.InvalidPayloadData, failed.FailCode);
    }

    [Theory]
    [MemberData(nameof(InvalidSequences))]
    public void A_binary_message_of_the_same_bytes_is_delivered_unchecked(string hex)
    {
        var payload = Convert.FromHexString(hex);

        var message = Assert.Single(FrameReaderHarness.ReadAll(ClientFrame.Frame(ClientFrame.Binary, payload)));

        Assert.Equal(WebSocketFrameStep.Message, message.Step);
        Assert.False(message.IsText);
        Assert.Equal(payload, message.Data);
    }

    [Fact]
    public void A_text_message_failing_UTF_8_consumes_nothing_as_Failed_promises()
    {
        var frame = ClientFrame.Frame(ClientFrame.Text, [0x41, 0xFF]);
        var reader = new WebSocketFrameReader(1024, 16);
        var buffer = new System.Buffers.ReadOnlySequence<byte>(frame);

        Assert.Equal(WebSocketFrameStep.Failed, reader.Read(ref buffer, out _));

        Assert.Equal(frame.Length, buffer.Length);
        Assert.Equal(WebSocketCloseCodes.InvalidPayloadData, reader.FailCode);
    }
}
