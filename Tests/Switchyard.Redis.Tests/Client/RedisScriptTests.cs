using Switchyard.Redis.Client;
using Switchyard.Redis.Tests.Support;
using Xunit;

namespace Switchyard.Redis.Tests.Client;

public sealed class RedisScriptTests : IAsyncLifetime
{
    private RedisServer _server = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _server = await RedisServer.StartAsync();

    public async ValueTask DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task A_script_runs_by_sha_and_is_sent_whole_again_after_the_cache_is_flushed()
    {
        await using var connection = await RedisConnection.ConnectAsync(RedisConnectionOptions.Parse(_server.ConnectionString), Ct);
        var script = new RedisScript("redis.call('SET', KEYS[1], ARGV[1]); return redis.call('INCRBY', KEYS[2], ARGV[2])");

        Assert.Equal(5, (await script.EvaluateAsync(connection, ["a", "n"], ["x", 5], Ct)).AsInteger());
        Assert.Equal(1, (await connection.ExecuteAsync(["SCRIPT", "EXISTS", script.Sha1], Ct)).Items![0].AsInteger());

        await connection.ExecuteAsync(["SCRIPT", "FLUSH"], Ct);
        Assert.Equal(12, (await script.EvaluateAsync(connection, ["a", "n"], ["y", 7], Ct)).AsInteger());
        Assert.Equal("y", (await connection.ExecuteAsync(["GET", "a"], Ct)).AsString());
    }

    [Fact]
    public async Task A_script_error_is_a_server_exception_with_redis_message()
    {
        await using var connection = await RedisConnection.ConnectAsync(RedisConnectionOptions.Parse(_server.ConnectionString), Ct);
        var script = new RedisScript("return redis.error_reply('LAYER full')");
        var error = await Assert.ThrowsAsync<RedisServerException>(() => script.EvaluateAsync(connection, [], [], Ct));
        Assert.Contains("LAYER full", error.Message, StringComparison.Ordinal);
    }
}
