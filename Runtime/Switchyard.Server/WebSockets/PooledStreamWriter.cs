using System.Buffers;
using System.IO.Pipelines;

namespace Switchyard.Server;

/// <summary>
/// A <see cref="PipeWriter"/> over a stream that holds memory only between <see cref="GetMemory"/> and the next
/// flush: one buffer rented from the shared pool, grown as frames are written, written to the stream in one call and
/// returned. An idle connection keeps nothing (a general-purpose stream pipe writer keeps its segment bookkeeping).
/// </summary>
internal sealed class PooledStreamWriter(Stream stream) : PipeWriter
{
    private const int MinimumSize = 4096;
    private byte[]? _buffer;
    private int _written;
    private bool _completed;

    public override void Advance(int bytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bytes);
        if (_buffer is null || _written + bytes > _buffer.Length)
        {
            throw new InvalidOperationException("Advanced past the memory that was handed out.");
        }

        _written += bytes;
    }

    public override Memory<byte> GetMemory(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _buffer.AsMemory(_written);
    }

    public override Span<byte> GetSpan(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _buffer.AsSpan(_written);
    }

    public override async ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default)
    {
        if (_buffer is null)
        {
            return new FlushResult(isCanceled: false, _completed);
        }

        try
        {
            await stream.WriteAsync(_buffer.AsMemory(0, _written), cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            Release();
        }

        return new FlushResult(isCanceled: false, _completed);
    }

    public override void CancelPendingFlush()
    {
        // Flushes are single stream writes; the token passed to FlushAsync cancels them.
    }

    public override void Complete(Exception? exception = null)
    {
        _completed = true;
        Release();
    }

    private void Ensure(int sizeHint)
    {
        var needed = _written + Math.Max(sizeHint, 1);
        if (_buffer is not null && needed <= _buffer.Length)
        {
            return;
        }

        var grown = ArrayPool<byte>.Shared.Rent(Math.Max(needed, Math.Max(MinimumSize, (_buffer?.Length ?? 0) * 2)));
        if (_buffer is not null)
        {
            _buffer.AsSpan(0, _written).CopyTo(grown);
            ArrayPool<byte>.Shared.Return(_buffer);
        }

        _buffer = grown;
    }

    private void Release()
    {
        if (_buffer is not null)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = null;
        }

        _written = 0;
    }
}
