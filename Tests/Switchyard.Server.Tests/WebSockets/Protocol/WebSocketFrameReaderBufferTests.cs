using System.Buffers;
using System.Runtime.InteropServices;
using Switchyard.Server.Tests.Support;
using Xunit;

namespace Switchyard.Server.Tests.WebSockets.Protocol;

/// <summary>
/// The pooled message buffer: TakeMessage hands it to the caller and readies the reader for the next message; Reset drops
/// a message half received and gives its buffer back to the pool, once.
/// </summary>
public sealed class WebSocketFrameReaderBufferTests
{
    [Fact]
    public void TakeMessage_hands_over_the_pooled_array_behind_the_message()
    {
        var reader = new WebSocketFrameReader(1024 * 1024, 16);
        var buffer = new ReadOnlySequence<byte>(ClientFrame.Frame(ClientFrame.Binary, Payloads.Binary(3000)));

        Assert.Equal(WebSocketFrameStep.Message, reader.Read(ref buffer, out _));
        var message = reader.TakeMessage(out var rented);

        Assert.NotNull(rented);
        Assert.True(MemoryMarshal.TryGetArray(message.Data, out var segment));
        Assert.Same(rented, segment.Array);
        Assert.Equal(0, segment.Offset);
        Assert.Equal(Payloads.Binary(3000), message.Data.ToArray());
        Assert.False(reader.InMessage);
        ArrayPool<byte>.Shared.Return(rented);
    }

    [Fact]
    public void After_TakeMessage_the_next_message_goes_to_another_buffer_and_leaves_the_taken_one_alone()
    {
        var reader = new WebSocketFrameReader(1024 * 1024, 16);
        var buffer = new ReadOnlySequence<byte>(ClientFrame.Concat(
            ClientFrame.Frame(ClientFrame.Binary, Payloads.Binary(500, seed: 1)),
            ClientFrame.Frame(ClientFrame.Text, Payloads.Ascii(20), fin: false),
            ClientFrame.Frame(ClientFrame.Continuation, Payloads.Ascii(480))));

        Assert.Equal(WebSocketFrameStep.Message, reader.Read(ref buffer, out _));
        var first = reader.TakeMessage(out var firstRented);
        Assert.Equal(WebSocketFrameStep.FrameDone, reader.Read(ref buffer, out _));
        Assert.Equal(WebSocketFrameStep.Message, reader.Read(ref buffer, out _));
        var second = reader.TakeMessage(out var secondRented);

        // The first message is still being handled: the reader must not have written into its array.
        Assert.NotSame(firstRented, secondRented);
        Assert.Equal(Payloads.Binary(500, seed: 1), first.Data.ToArray());
        Assert.False(first.IsText);
        Assert.True(second.IsText);
        Assert.Equal(Payloads.Ascii(20).Concat(Payloads.Ascii(480)), second.Data.ToArray());
        ArrayPool<byte>.Shared.Return(firstRented!);
        ArrayPool<byte>.Shared.Return(secondRented!);
    }

    [Fact]
    public void An_empty_message_is_taken_as_empty_data()
    {
        var reader = new WebSocketFrameReader(1024, 16);
        var buffer = new ReadOnlySequence<byte>(ClientFrame.Frame(ClientFrame.Text, []));

        Assert.Equal(WebSocketFrameStep.Message, reader.Read(ref buffer, out _));
        var message = reader.TakeMessage(out var rented);

        Assert.True(message.IsText);
        Assert.True(message.Data.IsEmpty);
        Assert.Equal(string.Empty, message.GetText());
        if (rented is not null)
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    [Fact]
    public void Reset_in_the_middle_of_a_message_returns_its_buffer_to_the_pool()
    {
        // The shared pool keeps the array returned last on this thread and rents it out first, bytes and all: so the
        // array rented right after Reset is the reader's if, and only if, Reset gave it back.
        var partial = Payloads.Binary(3000, seed: 99);
        var reader = new WebSocketFrameReader(1024 * 1024, 16);
        var buffer = new ReadOnlySequence<byte>(ClientFrame.Frame(ClientFrame.Binary, partial, fin: false));
        Assert.Equal(WebSocketFrameStep.FrameDone, reader.Read(ref buffer, out _));
        Assert.True(reader.InMessage);

        reader.Reset();
        var next = ArrayPool<byte>.Shared.Rent(3000);

        Assert.False(reader.InMessage);
        Assert.Equal(partial, next[..3000]);
        ArrayPool<byte>.Shared.Return(next);
    }

    [Fact]
    public void Reset_twice_returns_the_buffer_only_once()
    {
        var reader = new WebSocketFrameReader(1024 * 1024, 16);
        var buffer = new ReadOnlySequence<byte>(ClientFrame.Frame(ClientFrame.Binary, Payloads.Binary(3000), fin: false));
        Assert.Equal(WebSocketFrameStep.FrameDone, reader.Read(ref buffer, out _));

        reader.Reset();
        reader.Reset();
        var a = ArrayPool<byte>.Shared.Rent(3000);
        var b = ArrayPool<byte>.Shared.Rent(3000);

        // An array returned twice would be rented out twice.
        Assert.NotSame(a, b);
        ArrayPool<byte>.Shared.Return(a);
        ArrayPool<byte>.Shared.Return(b);
    }

    [Fact]
    public void After_Reset_a_continuation_fails_and_a_new_message_starts_clean()
    {
        var harness = new FrameReaderHarness();
        harness.Feed(ClientFrame.TextFrame("stale ", fin: false));
        harness.Reader.Reset();

        var fresh = harness.Feed(ClientFrame.TextFrame("fresh"));
        Assert.Equal("fresh"u8.ToArray(), Assert.Single(fresh).Data);

        harness.Reader.Reset();
        var orphan = harness.Feed(ClientFrame.Frame(ClientFrame.Continuation, "x"u8.ToArray()));
        Assert.Equal(WebSocketCloseCodes.ProtocolError, Assert.Single(orphan).FailCode);
    }

    [Fact]
    public void Reset_with_no_message_is_harmless()
    {
        var harness = new FrameReaderHarness();

        harness.Reader.Reset();

        Assert.False(harness.Reader.InMessage);
        Assert.Equal("ok"u8.ToArray(), Assert.Single(harness.Feed(ClientFrame.TextFrame("ok"))).Data);
    }
}
