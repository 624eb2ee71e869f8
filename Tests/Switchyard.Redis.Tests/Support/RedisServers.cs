using Xunit;

namespace Switchyard.Redis.Tests.Support;

/// <summary>Private redis-servers shared by the tests of one class (xunit class fixture): one, or three for sharding.</summary>
public abstract class RedisServers : IAsyncLifetime
{
    private readonly int _count;

    protected RedisServers(int count) => _count = count;

    public IReadOnlyList<RedisServer> Servers { get; private set; } = [];

    public async ValueTask InitializeAsync() => Servers = await Task.WhenAll(Enumerable.Range(0, _count).Select(_ => RedisServer.StartAsync()));

    public async ValueTask DisposeAsync()
    {
        foreach (var server in Servers)
        {
            await server.DisposeAsync();
        }
    }
}

public sealed class OneRedisServer() : RedisServers(1);

public sealed class ThreeRedisServers() : RedisServers(3);
