using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Switchyard.Redis.Client;

/// <summary>
/// The two connections a Redis layer keeps to each of its servers: one for commands, and one for subscriptions (RESP3,
/// so their messages arrive as pushes next to command replies). Every connection is tried once, all at once. With
/// <c>abortOnConnectFail</c>, connecting is all or nothing: if a server cannot be reached, the connections made are
/// closed and the error names that server. Without it, the clients of a server that cannot be reached are returned
/// unconnected, and the layer starts them connecting in the background (<see cref="StartConnecting"/>) once it listens
/// to their events. A server that answers but refuses the handshake (a wrong password) is an error either way.
/// </summary>
internal sealed partial class ServerConnections
{
    private readonly ILogger _logger;
    private readonly Dictionary<RedisClient, Exception> _failed;

    private ServerConnections(RedisClient[] commands, RedisClient[] subscribers, Dictionary<RedisClient, Exception> failed, ILogger logger)
    {
        Commands = commands;
        Subscribers = subscribers;
        _failed = failed;
        _logger = logger;
    }

    /// <summary>Gets the command connection of each server, in the order of the servers.</summary>
    public RedisClient[] Commands { get; }

    /// <summary>Gets the subscription connection of each server, in the order of the servers.</summary>
    public RedisClient[] Subscribers { get; }

    /// <exception cref="RedisConnectionException">With <paramref name="abortOnConnectFail"/>, a server cannot be reached.</exception>
    /// <exception cref="RedisServerException">A server refused the handshake (authentication, database).</exception>
    public static async Task<ServerConnections> ConnectAsync(
        IEnumerable<string> servers, bool abortOnConnectFail, ILoggerFactory? loggerFactory, CancellationToken cancellationToken)
    {
        var parsed = servers.Select(RedisConnectionOptions.Parse).ToArray();
        var logger = (ILogger?)loggerFactory?.CreateLogger("Switchyard.Redis") ?? NullLogger.Instance;
        var commands = parsed.Select(server => new RedisClient(server, logger)).ToArray();
        var subscribers = parsed.Select(server => new RedisClient(server with { Protocol = 3 }, logger)).ToArray();
        RedisClient[] all = [.. commands, .. subscribers];
        var attempts = all.Select(client => client.ConnectAsync(cancellationToken)).ToArray();
        try
        {
            await Task.WhenAll(attempts).ConfigureAwait(false);
        }
        catch (Exception)
        {
            // Looked at one by one below.
        }

        var failed = new Dictionary<RedisClient, Exception>();
        for (var i = 0; i < all.Length; i++)
        {
            if (attempts[i].Exception?.InnerException is { } error)
            {
                failed[all[i]] = error;
            }
        }

        // A refused handshake is a configuration error, not an outage; so is any failure when the caller gave up.
        var fatal = failed.Values.FirstOrDefault(e => e is not RedisConnectionException)
            ?? (abortOnConnectFail || cancellationToken.IsCancellationRequested ? failed.Values.FirstOrDefault() : null);
        if (fatal is not null)
        {
            foreach (var client in all)
            {
                await client.DisposeAsync().ConfigureAwait(false);
            }

            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(fatal);
        }

        return new ServerConnections(commands, subscribers, failed, logger);
    }

    /// <summary>Starts every client that could not connect connecting in the background, logging each server once.</summary>
    public void StartConnecting()
    {
        var logged = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (client, error) in _failed)
        {
            var server = client.Options.ToString();
            if (logged.Add(server))
            {
                Log.StartedWithout(_logger, server, error.InnerException?.Message ?? error.Message, RedisClient.MaxBackoff);
            }

            client.ConnectInBackground(error);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 502, EventName = "RedisStartedWithoutServer", Level = LogLevel.Warning,
            Message = "Could not connect to Redis at {Server} ({Reason}); the layer starts without it and connects when it is there, trying every {Interval} at most.")]
        public static partial void StartedWithout(ILogger logger, string server, string reason, TimeSpan interval);
    }
}
