using StackExchange.Redis;

namespace Switchyard.Redis.Tests.Support;

/// <summary>A plain StackExchange.Redis connection for tests to look at what a layer wrote (not the layer's own connection).</summary>
public sealed class RedisProbe : IAsyncDisposable
{
    private readonly ConnectionMultiplexer _connection;

    private RedisProbe(ConnectionMultiplexer connection) => _connection = connection;

    public IDatabase Database => _connection.GetDatabase();

    public static async Task<RedisProbe> ConnectAsync(string connectionString) =>
        new(await ConnectionMultiplexer.ConnectAsync(connectionString));

    /// <summary>Runs one command (<c>["EXISTS", key]</c>); keys go as plain strings, so on a cluster name a node's own keys only.</summary>
    public Task<RedisResult> ExecuteAsync(object[] command, CancellationToken cancellationToken = default) =>
        Database.ExecuteAsync((string)command[0], command[1..]).WaitAsync(cancellationToken);

    public async ValueTask DisposeAsync() => await _connection.DisposeAsync();
}
