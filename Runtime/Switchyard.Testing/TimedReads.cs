using System.Threading.Channels;

namespace Switchyard.Testing;

/// <summary>The one way the communicators wait for what a consumer sent: bounded, with a message that names the consumer.</summary>
internal static class TimedReads
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(1);

    /// <summary>Reads the next item, or throws <see cref="TimeoutException"/> after <paramref name="timeout"/> (default 1 s).</summary>
    /// <exception cref="TimeoutException">Nothing arrived in time.</exception>
    /// <exception cref="InvalidOperationException">The connection is closed and nothing more will arrive.</exception>
    public static async Task<T> ReadAsync<T>(ChannelReader<T> reader, TimeSpan? timeout, Consumer consumer)
    {
        using var cts = new CancellationTokenSource(timeout ?? DefaultTimeout);
        try
        {
            return await reader.ReadAsync(cts.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"Nothing was received from {consumer.GetType().Name} within {timeout ?? DefaultTimeout}.");
        }
        catch (ChannelClosedException)
        {
            throw new InvalidOperationException($"The connection to {consumer.GetType().Name} is closed; nothing more will arrive.");
        }
    }
}
