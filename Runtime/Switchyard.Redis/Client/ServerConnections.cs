using Microsoft.Extensions.Logging;

namespace Switchyard.Redis.Client;

/// <summary>
/// The two connections a Redis layer keeps to each of its servers: one for commands, and one for subscriptions (RESP3,
/// so their messages arrive as pushes next to command replies). Connecting is all or nothing: if one server cannot be
/// reached, the connections already made are closed and the error names that server.
/// </summary>
internal static class ServerConnections
{
    public static async Task<(RedisClient[] Commands, RedisClient[] Subscribers)> ConnectAsync(
        IEnumerable<string> servers, ILoggerFactory? loggerFactory, CancellationToken cancellationToken)
    {
        var parsed = servers.Select(RedisConnectionOptions.Parse).ToArray();
        var logger = loggerFactory?.CreateLogger("Switchyard.Redis");
        var commands = new List<RedisClient>();
        var subscribers = new List<RedisClient>();
        try
        {
            foreach (var server in parsed)
            {
                var command = new RedisClient(server, logger);
                commands.Add(command);
                await command.ConnectAsync(cancellationToken).ConfigureAwait(false);
                var subscriber = new RedisClient(server with { Protocol = 3 }, logger);
                subscribers.Add(subscriber);
                await subscriber.ConnectAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        catch
        {
            foreach (var client in commands.Concat(subscribers))
            {
                await client.DisposeAsync().ConfigureAwait(false);
            }

            throw;
        }

        return ([.. commands], [.. subscribers]);
    }
}
