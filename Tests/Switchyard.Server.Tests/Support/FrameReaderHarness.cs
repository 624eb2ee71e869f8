using System.Buffers;
using Xunit;

namespace Switchyard.Server.Tests.Support;

/// <summary>
/// Drives a <see cref="WebSocketFrameReader"/> the way the connection's receive loop does: bytes arrive in pieces and
/// are appended to what was not consumed; the reader is called until it needs more. Each piece stays a segment of its
/// own, so frames straddle segment boundaries. It checks the reader's promise that NeedMoreData and Failed consume
/// nothing, takes each message (returning its pooled buffer) and records every step.
/// </summary>
internal sealed class FrameReaderHarness(int maxMessageSize = 1024 * 1024, int maxMessageFragments = 1024)
{
    // The bytes received and not consumed: a chain of segments that reads append to, and where the reader stopped.
    private SequenceSegment? _start;
    private int _startIndex;
    private SequenceSegment? _last;

    public WebSocketFrameReader Reader { get; } = new(maxMessageSize, maxMessageFragments);

    public List<ReadEvent> Events { get; } = [];

    public bool Failed { get; private set; }

    /// <summary>Gets how many bytes were received and not consumed.</summary>
    public long Pending => Buffer().Length;

    /// <summary>Feeds one byte stream whole, in a single segment, and returns every step it produced.</summary>
    public static List<ReadEvent> ReadAll(byte[] bytes, int maxMessageSize = 1024 * 1024, int maxMessageFragments = 1024)
    {
        var harness = new FrameReaderHarness(maxMessageSize, maxMessageFragments);
        harness.Feed(bytes);
        return harness.Events;
    }

    /// <summary>Feeds the pieces one after the other, each as one transport read.</summary>
    public List<ReadEvent> FeedEach(IEnumerable<ReadOnlyMemory<byte>> pieces)
    {
        foreach (var piece in pieces)
        {
            if (Failed)
            {
                break;
            }

            Feed(piece);
        }

        return Events;
    }

    /// <summary>Appends the pieces to the unconsumed bytes as one read of several segments, and reads all it can.</summary>
    /// <returns>The steps of this read, NeedMoreData excluded.</returns>
    public List<ReadEvent> Feed(params ReadOnlyMemory<byte>[] pieces)
    {
        Assert.False(Failed, "The reader failed; nothing more is read after that.");
        foreach (var piece in pieces)
        {
            if (_last is null)
            {
                _start = _last = new SequenceSegment(piece, 0);
                _startIndex = 0;
            }
            else
            {
                _last = _last.Append(piece);
            }
        }

        var buffer = Buffer();
        var before = Events.Count;
        while (true)
        {
            var start = buffer.Start;
            var length = buffer.Length;
            var step = Reader.Read(ref buffer, out var control);
            if (step is WebSocketFrameStep.NeedMoreData or WebSocketFrameStep.Failed)
            {
                Assert.Equal(start, buffer.Start);
                Assert.Equal(length, buffer.Length);
            }
            else
            {
                Assert.True(buffer.Length < length, $"{step} consumed nothing.");
            }

            switch (step)
            {
                case WebSocketFrameStep.NeedMoreData:
                    Keep(buffer);
                    return Events[before..];
                case WebSocketFrameStep.FrameDone:
                    Events.Add(new ReadEvent(step, WebSocketOpcode.Continuation, [], false, 0));
                    break;
                case WebSocketFrameStep.Control:
                    Events.Add(new ReadEvent(step, control.Opcode, control.Payload.ToArray(), false, 0));
                    break;
                case WebSocketFrameStep.Message:
                    var message = Reader.TakeMessage(out var rented);
                    Events.Add(new ReadEvent(step, WebSocketOpcode.Continuation, message.Data.ToArray(), message.IsText, 0));
                    if (rented is not null)
                    {
                        ArrayPool<byte>.Shared.Return(rented);
                    }

                    break;
                default:
                    Assert.Equal(WebSocketFrameStep.Failed, step);
                    Assert.False(string.IsNullOrWhiteSpace(Reader.FailReason), "A failure says why.");
                    Events.Add(new ReadEvent(step, WebSocketOpcode.Continuation, [], false, Reader.FailCode));
                    Failed = true;
                    Reader.Reset();
                    Keep(buffer);
                    return Events[before..];
            }
        }
    }

    private ReadOnlySequence<byte> Buffer() => _start is null
        ? ReadOnlySequence<byte>.Empty
        : new ReadOnlySequence<byte>(_start, _startIndex, _last!, _last!.Memory.Length);

    private void Keep(ReadOnlySequence<byte> rest)
    {
        if (rest.Start.GetObject() is SequenceSegment segment)
        {
            _start = segment;
            _startIndex = rest.Start.GetInteger();
        }
        else
        {
            _start = _last = null;
        }
    }
}
