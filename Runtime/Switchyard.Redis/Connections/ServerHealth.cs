namespace Switchyard.Redis.Connections;

/// <summary>What the Redis layers' health checks ask of their servers: every connection up, and each server answering a PING in time.</summary>
internal static class ServerHealth
{
    /// <summary>How long a server has to answer the health check's PING.</summary>
    public static readonly TimeSpan PingTimeout = TimeSpan.FromSeconds(2);

    /// <summary>Finds the first problem: a server with a connection down, or one not answering PING within <see cref="PingTimeout"/>.</summary>
    /// <returns>The problem, naming the server (never its password); <see langword="null"/> when there is none.</returns>
    public static async Task<string?> FindProblemAsync(IReadOnlyList<RedisServerConnection> servers, CancellationToken cancellationToken)
    {
        foreach (var server in servers)
        {
            if (!server.IsConnected)
            {
                return $"not connected to Redis at {server.Name}" + (server.LastError is { } error ? $" ({Reason(error)})" : string.Empty);
            }
        }

        var answers = await Task.WhenAll(servers.Select(server => PingAsync(server, cancellationToken))).ConfigureAwait(false);
        return answers.FirstOrDefault(problem => problem is not null);
    }

    /// <summary>Counts the servers whose connections are all up.</summary>
    public static int Connected(IReadOnlyList<RedisServerConnection> servers) => servers.Count(s => s.IsConnected);

    private static async Task<string?> PingAsync(RedisServerConnection server, CancellationToken cancellationToken)
    {
        try
        {
            await RedisErrors.Run(server, db => db.PingAsync()).WaitAsync(PingTimeout, cancellationToken).ConfigureAwait(false);
            return null;
        }
        catch (Exception ex) when (ex is RedisLayerException or TimeoutException)
        {
            return $"Redis at {server.Name} did not answer PING within {PingTimeout.TotalSeconds:0} s ({Reason(ex)})";
        }
    }

    // The innermost message (a socket's "Connection refused"), not the chain of wrappers that repeat the server.
    private static string Reason(Exception error) => (error.InnerException ?? error).Message;
}
