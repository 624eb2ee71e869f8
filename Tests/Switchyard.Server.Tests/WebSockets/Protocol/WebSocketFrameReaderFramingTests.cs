using Switchyard.Server.Tests.Support;
using Xunit;

namespace Switchyard.Server.Tests.WebSockets.Protocol;

/// <summary>
/// Single-frame text and binary messages at the edges of the three length forms (Autobahn section 1), and how the
/// reader copes with bytes arriving in any pieces: the same stream gives the same steps however it is cut.
/// </summary>
public sealed class WebSocketFrameReaderFramingTests
{
    private static readonly int[] Lengths = [0, 1, 125, 126, 127, 128, 65535, 65536];

    public static TheoryData<int, int, LengthForm> MessagesInEveryLengthForm()
    {
        var data = new TheoryData<int, int, LengthForm>();
        foreach (var opcode in new[] { ClientFrame.Text, ClientFrame.Binary })
        {
            foreach (var length in Lengths)
            {
                data.Add(opcode, length, LengthForm.Minimal);
                if (length <= 125)
                {
                    data.Add(opcode, length, LengthForm.Bits7);
                }

                if (length <= ushort.MaxValue)
                {
                    data.Add(opcode, length, LengthForm.Bits16);
                }

                data.Add(opcode, length, LengthForm.Bits64);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(MessagesInEveryLengthForm))]
    public void A_single_frame_message_is_delivered_exactly_whatever_the_length_form(int opcode, int length, LengthForm form)
    {
        // A longer length form than needed is not what a client should send (RFC 6455 §5.2), but the length is
        // unambiguous and the reader takes it, as browsers' peers commonly do.
        var payload = opcode == ClientFrame.Text ? Payloads.Ascii(length) : Payloads.Binary(length, seed: length);
        var frame = new ClientFrame { Opcode = opcode, Payload = payload, LengthForm = form }.ToBytes();

        var events = FrameReaderHarness.ReadAll(frame);

        var message = Assert.Single(events);
        Assert.Equal(WebSocketFrameStep.Message, message.Step);
        Assert.Equal(opcode == ClientFrame.Text, message.IsText);
        Assert.Equal(payload, message.Data);
    }

    [Theory]
    [InlineData(ClientFrame.Text)]
    [InlineData(ClientFrame.Binary)]
    public void A_1_MiB_message_at_the_default_limit_is_delivered_exactly_whole_and_in_random_pieces(int opcode)
    {
        var payload = opcode == ClientFrame.Text ? Payloads.Ascii(1024 * 1024) : Payloads.Binary(1024 * 1024);
        var frame = ClientFrame.Frame(opcode, payload);

        var whole = Assert.Single(FrameReaderHarness.ReadAll(frame));
        var pieces = Assert.Single(new FrameReaderHarness().FeedEach(Chunks.Random(frame, seed: 6455, maxSize: 20_000)));

        Assert.Equal(payload, whole.Data);
        Assert.Equal(whole, pieces);
        Assert.Equal(opcode == ClientFrame.Text, whole.IsText);
    }

    [Fact]
    public void Several_frames_in_one_buffer_are_read_one_per_call_in_order()
    {
        var stream = ClientFrame.Concat(
            ClientFrame.TextFrame("first"),
            ClientFrame.Frame(ClientFrame.Binary, [0, 1, 2, 255]),
            ClientFrame.Frame(ClientFrame.Ping, [9]),
            ClientFrame.TextFrame("third"));

        var events = FrameReaderHarness.ReadAll(stream);

        Assert.Equal(
            [
                "Message text=True first",
                "Message text=False 000102FF",
                "Control Ping 09",
                "Message text=True third",
            ],
            events.Select(Describe));
    }

    [Fact]
    public void The_same_stream_gives_the_same_steps_whole_byte_by_byte_in_random_pieces_and_as_one_multi_segment_buffer()
    {
        var stream = MixedStream();
        var expected = FrameReaderHarness.ReadAll(stream).Select(e => e.Summary).ToList();
        Assert.Equal(9, expected.Count);

        Assert.Equal(expected, new FrameReaderHarness().FeedEach(Chunks.OfSize(stream, 1)).Select(e => e.Summary));
        for (var seed = 1; seed <= 20; seed++)
        {
            Assert.Equal(expected, new FrameReaderHarness().FeedEach(Chunks.Random(stream, seed, maxSize: 300)).Select(e => e.Summary));
        }

        // One read whose buffer is made of many small segments (a frame's header, mask and payload straddle them).
        foreach (var size in new[] { 1, 2, 3, 5, 7, 13, 64 })
        {
            Assert.Equal(expected, new FrameReaderHarness().Feed([.. Chunks.OfSize(stream, size)]).Select(e => e.Summary));
        }
    }

    [Fact]
    public void A_frame_split_into_two_segments_at_every_offset_reads_the_same()
    {
        var frame = new ClientFrame { Opcode = ClientFrame.Binary, Payload = Payloads.Binary(300), LengthForm = LengthForm.Bits64 }.ToBytes();
        var expected = Assert.Single(FrameReaderHarness.ReadAll(frame));

        for (var cut = 0; cut <= frame.Length; cut++)
        {
            var events = new FrameReaderHarness().Feed([.. Chunks.Split(frame, cut)]);
            Assert.Equal(expected, Assert.Single(events));
        }
    }

    [Fact]
    public void An_incomplete_frame_needs_more_data_consumes_nothing_and_reads_once_the_rest_arrives_at_every_cut()
    {
        var frame = new ClientFrame { Opcode = ClientFrame.Text, Payload = Payloads.Ascii(200) }.ToBytes();

        for (var cut = 0; cut < frame.Length; cut++)
        {
            var harness = new FrameReaderHarness();

            // The harness checks that NeedMoreData leaves the buffer as it was; nothing is reported yet.
            Assert.Empty(harness.Feed(frame.AsMemory(0, cut)));
            Assert.Equal(cut, harness.Pending);
            Assert.False(harness.Reader.InMessage);

            var message = Assert.Single(harness.Feed(frame.AsMemory(cut)));
            Assert.Equal(Payloads.Ascii(200), message.Data);
            Assert.Equal(0, harness.Pending);
        }
    }

    [Fact]
    public void Read_on_an_empty_buffer_needs_more_data()
    {
        var reader = new WebSocketFrameReader(1024, 16);
        var buffer = System.Buffers.ReadOnlySequence<byte>.Empty;

        Assert.Equal(WebSocketFrameStep.NeedMoreData, reader.Read(ref buffer, out _));
        Assert.True(buffer.IsEmpty);
    }

    [Fact]
    public void A_frame_followed_by_part_of_the_next_is_read_and_leaves_exactly_the_part()
    {
        var first = ClientFrame.TextFrame("one");
        var second = ClientFrame.TextFrame("two");
        var harness = new FrameReaderHarness();

        var events = harness.Feed(ClientFrame.Concat(first, second[..5]));

        Assert.Equal(["Message text=True one"], events.Select(Describe));
        Assert.Equal(5, harness.Pending);
        Assert.Equal(["Message text=True two"], harness.Feed(second.AsMemory(5)).Select(Describe));
    }

    internal static byte[] MixedStream() => ClientFrame.Concat(
        ClientFrame.TextFrame("hello"),
        ClientFrame.Frame(ClientFrame.Binary, Payloads.Binary(70_000)),
        ClientFrame.TextFrame("frag", fin: false),
        ClientFrame.Frame(ClientFrame.Ping, [1, 2, 3]),
        ClientFrame.Frame(ClientFrame.Continuation, Payloads.Ascii(1000), fin: false),
        ClientFrame.Frame(ClientFrame.Pong, []),
        ClientFrame.Frame(ClientFrame.Continuation, Payloads.Ascii(126)),
        ClientFrame.Frame(ClientFrame.Binary, []),
        ClientFrame.CloseFrame(1000, "done"));

    private static string Describe(ReadEvent e) => e.Step switch
    {
        WebSocketFrameStep.Message when e.IsText => $"Message text=True {System.Text.Encoding.UTF8.GetString(e.Data)}",
        WebSocketFrameStep.Message => $"Message text=False {Convert.ToHexString(e.Data)}",
        WebSocketFrameStep.Control => $"Control {e.Opcode} {Convert.ToHexString(e.Data)}",
        _ => e.Summary,
    };
}
