using StackExchange.Redis;

namespace Switchyard.Redis.Connections;

/// <summary>
/// Turns what StackExchange.Redis throws into the layers' exceptions, so applications catch one family
/// (<see cref="RedisLayerException"/>) whichever client is underneath, and a send knows whether its command left.
/// </summary>
internal static class RedisErrors
{
    /// <summary>The layer's exception for <paramref name="error"/>, or <see langword="null"/> when it is not a Redis failure (let it pass).</summary>
    public static RedisLayerException? Translate(Exception error, RedisServerConnection server) => error switch
    {
        RedisLayerException => null,
        StackExchange.Redis.RedisConnectionException e => new RedisConnectionException($"The connection to Redis at {server.Name} is down: {e.Message}", e)
        {
            CommandMayHaveRun = e.CommandStatus is not (CommandStatus.WaitingToBeSent or CommandStatus.WaitingInBacklog),
        },
        RedisTimeoutException e => new RedisConnectionException($"Redis at {server.Name} did not answer within {server.CommandTimeout.TotalMilliseconds:0} ms: {e.Message}", e)
        {
            CommandMayHaveRun = e.Commandstatus is not (CommandStatus.WaitingToBeSent or CommandStatus.WaitingInBacklog),
        },
        // A cluster (or server) that cannot run any command yet refuses it before running it: Redis is away, not wrong.
        StackExchange.Redis.RedisServerException e when IsAway(e.Message) => new RedisConnectionException($"Redis at {server.Name} cannot serve this yet: {e.Message}", e)
        {
            CommandMayHaveRun = false,
        },
        StackExchange.Redis.RedisServerException e => new RedisServerException(e.Message, e),
        RedisCommandException e => new RedisServerException(e.Message, e),
        ObjectDisposedException e => new RedisConnectionException($"The connection to Redis at {server.Name} is closed.", e) { CommandMayHaveRun = false },
        _ => null,
    };

    private static bool IsAway(string message) =>
        message.StartsWith("CLUSTERDOWN", StringComparison.Ordinal) || message.StartsWith("TRYAGAIN", StringComparison.Ordinal)
        || message.StartsWith("MASTERDOWN", StringComparison.Ordinal) || message.StartsWith("LOADING", StringComparison.Ordinal);

    /// <summary>Awaits <paramref name="call"/>, translating its failure.</summary>
    public static async Task<T> Run<T>(RedisServerConnection server, Func<IDatabase, Task<T>> call)
    {
        try
        {
            return await call(server.Database).ConfigureAwait(false);
        }
        catch (Exception ex) when (Translate(ex, server) is { } translated)
        {
            throw translated;
        }
    }

    /// <summary>Awaits <paramref name="call"/>, translating its failure.</summary>
    public static async Task Run(RedisServerConnection server, Func<IDatabase, Task> call)
    {
        try
        {
            await call(server.Database).ConfigureAwait(false);
        }
        catch (Exception ex) when (Translate(ex, server) is { } translated)
        {
            throw translated;
        }
    }
}
