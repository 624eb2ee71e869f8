using System.Threading.Channels;
using Xunit;

namespace Switchyard.Client.Tests.Support;

/// <summary>The messages of one type a client received, in order, for tests to read with a timeout.</summary>
public sealed class Inbox<T>
    where T : IChannelMessage<T>, Serialization.IJsonMessage<T>
{
    private readonly Channel<T> _received = Channel.CreateUnbounded<T>();

    public Inbox(SwitchyardClient client) => Registration = client.On<T>((message, _) =>
    {
        _received.Writer.TryWrite(message);
        return default;
    });

    public IDisposable Registration { get; }

    public async Task<T> ReceiveAsync(TimeSpan? timeout = null)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        cts.CancelAfter(timeout ?? TimeSpan.FromSeconds(10));
        try
        {
            return await _received.Reader.ReadAsync(cts.Token);
        }
        catch (OperationCanceledException) when (!TestContext.Current.CancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"No {typeof(T).Name} within the timeout.");
        }
    }

    public async Task<List<T>> ReceiveAsync(int count, TimeSpan? timeout = null)
    {
        var list = new List<T>(count);
        for (var i = 0; i < count; i++)
        {
            list.Add(await ReceiveAsync(timeout));
        }

        return list;
    }

    /// <summary>Whether a message is already waiting (no wait).</summary>
    public bool TryReceive(out T message) => _received.Reader.TryRead(out message!);
}
