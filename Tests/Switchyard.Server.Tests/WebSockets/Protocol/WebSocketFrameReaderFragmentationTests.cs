using System.Text;
using Switchyard.Server.Tests.Support;
using Xunit;

namespace Switchyard.Server.Tests.WebSockets.Protocol;

/// <summary>Messages in several frames, control frames between them, and fragmentation errors (Autobahn section 5).</summary>
public sealed class WebSocketFrameReaderFragmentationTests
{
    [Theory]
    [InlineData(ClientFrame.Text)]
    [InlineData(ClientFrame.Binary)]
    public void A_message_in_two_fragments_is_one_message(int opcode)
    {
        var stream = ClientFrame.Concat(
            ClientFrame.Frame(opcode, "frag"u8.ToArray(), fin: false),
            ClientFrame.Frame(ClientFrame.Continuation, "ment"u8.ToArray()));

        var events = FrameReaderHarness.ReadAll(stream);

        Assert.Equal([WebSocketFrameStep.FrameDone, WebSocketFrameStep.Message], events.Select(e => e.Step));
        Assert.Equal("fragment"u8.ToArray(), events[1].Data);
        Assert.Equal(opcode == ClientFrame.Text, events[1].IsText);
    }

    [Theory]
    [InlineData(ClientFrame.Text, 100, 1)]
    [InlineData(ClientFrame.Binary, 100, 1)]
    [InlineData(ClientFrame.Text, 40, 1000)]
    [InlineData(ClientFrame.Binary, 300, 257)]
    public void A_message_in_many_fragments_is_reassembled_in_order(int opcode, int fragments, int fragmentSize)
    {
        var payload = opcode == ClientFrame.Text ? Payloads.Ascii(fragments * fragmentSize) : Payloads.Binary(fragments * fragmentSize);
        var stream = Fragment(opcode, payload, fragmentSize);

        var events = FrameReaderHarness.ReadAll(stream);

        Assert.Equal(fragments, events.Count);
        Assert.All(events[..^1], e => Assert.Equal(WebSocketFrameStep.FrameDone, e.Step));
        Assert.Equal(WebSocketFrameStep.Message, events[^1].Step);
        Assert.Equal(payload, events[^1].Data);
    }

    [Fact]
    public void Fragments_of_growing_sizes_are_reassembled_exactly_as_the_buffer_grows()
    {
        var payload = Payloads.Binary(1 + 10 + 100 + 1000 + 10_000 + 100_000 + 7);
        var sizes = new[] { 1, 10, 100, 1000, 10_000, 100_000, 7 };
        var frames = new List<byte[]>();
        var offset = 0;
        for (var i = 0; i < sizes.Length; i++)
        {
            frames.Add(ClientFrame.Frame(i == 0 ? ClientFrame.Binary : ClientFrame.Continuation, payload[offset..(offset + sizes[i])], fin: i == sizes.Length - 1));
            offset += sizes[i];
        }

        var events = FrameReaderHarness.ReadAll(ClientFrame.Concat([.. frames]));

        Assert.Equal(payload, events[^1].Data);
    }

    [Fact]
    public void Empty_fragments_first_in_the_middle_and_last_add_nothing()
    {
        var stream = ClientFrame.Concat(
            ClientFrame.Frame(ClientFrame.Text, [], fin: false),
            ClientFrame.Frame(ClientFrame.Continuation, "ab"u8.ToArray(), fin: false),
            ClientFrame.Frame(ClientFrame.Continuation, [], fin: false),
            ClientFrame.Frame(ClientFrame.Continuation, "c"u8.ToArray(), fin: false),
            ClientFrame.Frame(ClientFrame.Continuation, []));

        var events = FrameReaderHarness.ReadAll(stream);

        Assert.Equal(5, events.Count);
        Assert.Equal("abc"u8.ToArray(), events[^1].Data);
    }

    [Theory]
    [InlineData(ClientFrame.Text)]
    [InlineData(ClientFrame.Binary)]
    public void A_message_of_only_empty_fragments_is_an_empty_message(int opcode)
    {
        var stream = ClientFrame.Concat(
            ClientFrame.Frame(opcode, [], fin: false),
            ClientFrame.Frame(ClientFrame.Continuation, [], fin: false),
            ClientFrame.Frame(ClientFrame.Continuation, []));

        var message = FrameReaderHarness.ReadAll(stream)[^1];

        Assert.Equal(WebSocketFrameStep.Message, message.Step);
        Assert.Empty(message.Data);
        Assert.Equal(opcode == ClientFrame.Text, message.IsText);
    }

    [Theory]
    [InlineData(ClientFrame.Ping)]
    [InlineData(ClientFrame.Pong)]
    [InlineData(ClientFrame.Close)]
    public void A_control_frame_between_fragments_is_returned_and_the_message_continues_after_it(int controlOpcode)
    {
        var controlPayload = controlOpcode == ClientFrame.Close ? new byte[] { 0x03, 0xE8 } : [42];
        var stream = ClientFrame.Concat(
            ClientFrame.TextFrame("Hel", fin: false),
            ClientFrame.Frame(controlOpcode, controlPayload),
            ClientFrame.Frame(ClientFrame.Continuation, Encoding.UTF8.GetBytes("lo, "), fin: false),
            ClientFrame.Frame(controlOpcode, controlPayload),
            ClientFrame.Frame(ClientFrame.Continuation, Encoding.UTF8.GetBytes("world")));

        var events = FrameReaderHarness.ReadAll(stream);

        Assert.Equal(
            [WebSocketFrameStep.FrameDone, WebSocketFrameStep.Control, WebSocketFrameStep.FrameDone, WebSocketFrameStep.Control, WebSocketFrameStep.Message],
            events.Select(e => e.Step));
        Assert.Equal((WebSocketOpcode)controlOpcode, events[1].Opcode);
        Assert.Equal(controlPayload, events[3].Data);
        Assert.Equal("Hello, world", Encoding.UTF8.GetString(events[^1].Data));
        Assert.True(events[^1].IsText);
    }

    [Fact]
    public void The_reader_is_in_a_message_from_its_first_fragment_until_it_is_taken()
    {
        var harness = new FrameReaderHarness();
        Assert.False(harness.Reader.InMessage);

        harness.Feed(ClientFrame.TextFrame("a", fin: false));
        Assert.True(harness.Reader.InMessage);

        harness.Feed(ClientFrame.Frame(ClientFrame.Ping, []));
        Assert.True(harness.Reader.InMessage);

        harness.Feed(ClientFrame.Frame(ClientFrame.Continuation, "b"u8.ToArray()));
        Assert.False(harness.Reader.InMessage);
        Assert.Equal("ab"u8.ToArray(), harness.Events[^1].Data);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void A_continuation_frame_with_no_message_to_continue_fails_with_1002(bool fin)
    {
        var failed = Assert.Single(FrameReaderHarness.ReadAll(ClientFrame.Frame(ClientFrame.Continuation, "x"u8.ToArray(), fin)));

        Assert.Equal(WebSocketCloseCodes.ProtocolError, failed.FailCode);
    }

    [Fact]
    public void A_continuation_frame_after_a_finished_message_fails_with_1002()
    {
        var stream = ClientFrame.Concat(ClientFrame.TextFrame("done"), ClientFrame.Frame(ClientFrame.Continuation, "more"u8.ToArray()));

        var events = FrameReaderHarness.ReadAll(stream);

        Assert.Equal([WebSocketFrameStep.Message, WebSocketFrameStep.Failed], events.Select(e => e.Step));
        Assert.Equal(WebSocketCloseCodes.ProtocolError, events[1].FailCode);
    }

    [Theory]
    [InlineData(ClientFrame.Text, ClientFrame.Text, true)]
    [InlineData(ClientFrame.Text, ClientFrame.Binary, true)]
    [InlineData(ClientFrame.Binary, ClientFrame.Text, false)]
    [InlineData(ClientFrame.Binary, ClientFrame.Binary, false)]
    public void A_new_data_frame_while_a_message_is_unfinished_fails_with_1002(int first, int second, bool secondFin)
    {
        var stream = ClientFrame.Concat(ClientFrame.Frame(first, "a"u8.ToArray(), fin: false), ClientFrame.Frame(second, "b"u8.ToArray(), secondFin));

        var events = FrameReaderHarness.ReadAll(stream);

        Assert.Equal([WebSocketFrameStep.FrameDone, WebSocketFrameStep.Failed], events.Select(e => e.Step));
        Assert.Equal(WebSocketCloseCodes.ProtocolError, events[1].FailCode);
    }

    [Theory]
    [InlineData(ClientFrame.Ping)]
    [InlineData(ClientFrame.Pong)]
    [InlineData(ClientFrame.Close)]
    public void A_fragmented_control_frame_inside_a_fragmented_message_fails_with_1002(int controlOpcode)
    {
        var stream = ClientFrame.Concat(
            ClientFrame.TextFrame("a", fin: false),
            ClientFrame.Frame(controlOpcode, [], fin: false),
            ClientFrame.Frame(ClientFrame.Continuation, "b"u8.ToArray()));

        var events = FrameReaderHarness.ReadAll(stream);

        Assert.Equal([WebSocketFrameStep.FrameDone, WebSocketFrameStep.Failed], events.Select(e => e.Step));
        Assert.Equal(WebSocketCloseCodes.ProtocolError, events[1].FailCode);
    }

    [Fact]
    public void A_message_in_exactly_MaxMessageFragments_frames_is_accepted_and_the_count_starts_again_for_the_next()
    {
        var message = Fragment(ClientFrame.Text, Payloads.Ascii(8), 2);

        var events = FrameReaderHarness.ReadAll(ClientFrame.Concat(message, message), maxMessageFragments: 4);

        Assert.Equal(2, events.Count(e => e.Step == WebSocketFrameStep.Message));
        Assert.DoesNotContain(events, e => e.Step == WebSocketFrameStep.Failed);
    }

    [Fact]
    public void One_fragment_more_than_MaxMessageFragments_fails_with_1008_from_its_header()
    {
        // Four frames pass; the fifth fails on its header, so its payload is never needed.
        var four = NonFinalFragments(4, 2);
        var fifthHeader = new ClientFrame { Opcode = ClientFrame.Continuation, Payload = Payloads.Binary(1000) }.HeaderBytes();

        var events = FrameReaderHarness.ReadAll(ClientFrame.Concat(four, fifthHeader), maxMessageFragments: 4);

        Assert.Equal(4, events.Count(e => e.Step == WebSocketFrameStep.FrameDone));
        Assert.Equal(WebSocketCloseCodes.PolicyViolation, events[^1].FailCode);
    }

    [Fact]
    public void Empty_fragments_count_toward_MaxMessageFragments_but_control_frames_between_them_do_not()
    {
        var empties = ClientFrame.Concat(
            ClientFrame.Frame(ClientFrame.Text, [], fin: false),
            ClientFrame.Frame(ClientFrame.Ping, []),
            ClientFrame.Frame(ClientFrame.Continuation, [], fin: false),
            ClientFrame.Frame(ClientFrame.Pong, []),
            ClientFrame.Frame(ClientFrame.Continuation, []));
        var tooMany = ClientFrame.Concat(
            ClientFrame.Frame(ClientFrame.Text, [], fin: false),
            ClientFrame.Frame(ClientFrame.Continuation, [], fin: false),
            ClientFrame.Frame(ClientFrame.Continuation, [], fin: false),
            ClientFrame.Frame(ClientFrame.Continuation, []));

        Assert.Equal(WebSocketFrameStep.Message, FrameReaderHarness.ReadAll(empties, maxMessageFragments: 3)[^1].Step);
        Assert.Equal(WebSocketCloseCodes.PolicyViolation, FrameReaderHarness.ReadAll(tooMany, maxMessageFragments: 3)[^1].FailCode);
    }

    [Fact]
    public void A_1_MiB_message_in_1024_fragments_of_1_KiB_passes_the_default_limits_and_one_more_fragment_does_not()
    {
        var payload = Payloads.Binary(1024 * 1024);
        var fits = Fragment(ClientFrame.Binary, payload, 1024);
        var over = ClientFrame.Concat(NonFinalFragments(1024, 1024), ClientFrame.Frame(ClientFrame.Continuation, []));

        var fitting = FrameReaderHarness.ReadAll(fits);
        var failing = FrameReaderHarness.ReadAll(over);

        Assert.Equal(1024, fitting.Count);
        Assert.Equal(payload, fitting[^1].Data);
        Assert.Equal(1025, failing.Count);
        Assert.Equal(WebSocketCloseCodes.PolicyViolation, failing[^1].FailCode);
    }

    /// <summary>The first <paramref name="count"/> frames of a binary message, none of them final.</summary>
    private static byte[] NonFinalFragments(int count, int size) => ClientFrame.Concat(
        [.. Enumerable.Range(0, count).Select(i => ClientFrame.Frame(i == 0 ? ClientFrame.Binary : ClientFrame.Continuation, Payloads.Binary(size, seed: i), fin: false))]);

    /// <summary>Cuts a payload into fragments of <paramref name="size"/> bytes: the first with the opcode, the last final.</summary>
    internal static byte[] Fragment(int opcode, byte[] payload, int size)
    {
        var frames = new List<byte[]>();
        for (var offset = 0; offset < payload.Length; offset += size)
        {
            var end = Math.Min(offset + size, payload.Length);
            frames.Add(ClientFrame.Frame(offset == 0 ? opcode : ClientFrame.Continuation, payload[offset..end], fin: end == payload.Length));
        }

        return ClientFrame.Concat([.. frames]);
    }
}
