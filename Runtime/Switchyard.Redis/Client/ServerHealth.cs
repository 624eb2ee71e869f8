using Switchyard.Redis.Resp;

namespace Switchyard.Redis.Client;

/// <summary>What the Redis layers' health checks ask of their server connections: all connected, and each server answering a PING in time.</summary>
internal static class ServerHealth
{
    /// <summary>How long a server has to answer the health check's PING.</summary>
    public static readonly TimeSpan PingTimeout = TimeSpan.FromSeconds(2);

    private static readonly RedisArg[] Ping = ["PING"];

    /// <summary>Finds the first problem with the connections: one not connected, or a server not answering PING within <see cref="PingTimeout"/>.</summary>
    /// <returns>The problem, naming the server (never its password); <see langword="null"/> when there is none.</returns>
    public static async Task<string?> FindProblemAsync(RedisClient[] commands, RedisClient[] subscribers, CancellationToken cancellationToken)
    {
        foreach (var client in commands.Concat(subscribers))
        {
            if (!client.IsConnected)
            {
                return $"not connected to Redis at {client.Options}" + (client.LastError is { } error ? $" ({Reason(error)})" : string.Empty);
            }
        }

        var answers = await Task.WhenAll(commands.Select(client => PingAsync(client, cancellationToken))).ConfigureAwait(false);
        return answers.FirstOrDefault(problem => problem is not null);
    }

    /// <summary>Counts the servers whose command connection is up.</summary>
    public static int Connected(RedisClient[] commands) => commands.Count(c => c.IsConnected);

    private static async Task<string?> PingAsync(RedisClient client, CancellationToken cancellationToken)
    {
        try
        {
            await client.ExecuteAsync(Ping, cancellationToken).WaitAsync(PingTimeout, cancellationToken).ConfigureAwait(false);
            return null;
        }
        catch (Exception ex) when (ex is RedisLayerException or TimeoutException)
        {
            return $"Redis at {client.Options} did not answer PING within {PingTimeout.TotalSeconds:0} s ({Reason(ex)})";
        }
    }

    // The innermost message (a socket's "Connection refused"), not the chain of wrappers that repeat the server.
    private static string Reason(Exception error) => (error.InnerException ?? error).Message;
}
