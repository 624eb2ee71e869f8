using System.Net;
using System.Net.Sockets;
using System.Text;
using Switchyard.Redis.Client;
using Switchyard.Redis.Resp;
using Switchyard.Redis.Tests.Support;
using Xunit;

namespace Switchyard.Redis.Tests.Client;

/// <summary>The RESP client against a real redis-server (and, for garbage, a fake TCP peer).</summary>
public sealed class RedisConnectionTests : IAsyncLifetime
{
    private RedisServer _server = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _server = await RedisServer.StartAsync();

    public async ValueTask DisposeAsync() => await _server.DisposeAsync();

    [Theory]
    [InlineData(3)]
    [InlineData(2)]
    public async Task Commands_round_trip_in_both_protocols(int protocol)
    {
        await using var connection = await Connect($",resp={protocol}");
        Assert.Equal(protocol, connection.Protocol);
        Assert.Equal("PONG", (await connection.ExecuteAsync(["PING"], Ct)).AsString());
        Assert.Equal("OK", (await connection.ExecuteAsync(["SET", "k", "v"], Ct)).AsString());
        Assert.Equal("v", (await connection.ExecuteAsync(["GET", "k"], Ct)).AsString());
        Assert.True((await connection.ExecuteAsync(["GET", "missing"], Ct)).IsNull);
        Assert.Equal(5, (await connection.ExecuteAsync(["INCRBY", "n", 5], Ct)).AsInteger());
        var list = await connection.ExecuteAsync(["RPUSH", "l", "a", "b"], Ct);
        Assert.Equal(2, list.AsInteger());
        Assert.Equal(["a", "b"], (await connection.ExecuteAsync(["LRANGE", "l", 0, -1], Ct)).Items!.Select(i => i.AsString()));
    }

    [Fact]
    public async Task Large_binary_values_round_trip()
    {
        await using var connection = await Connect();
        var value = new byte[3 * 1024 * 1024];
        new Random(7).NextBytes(value);
        await connection.ExecuteAsync(["SET", "big", value], Ct);
        Assert.Equal(value, (await connection.ExecuteAsync(["GET", "big"], Ct)).Bytes);
    }

    [Fact]
    public async Task Concurrent_commands_are_pipelined_and_each_gets_its_own_reply()
    {
        await using var connection = await Connect();
        var replies = await Task.WhenAll(Enumerable.Range(0, 2000).Select(i => Task.Run(async () =>
            (Sent: i, Got: (await connection.ExecuteAsync(["ECHO", $"m{i}"], Ct)).AsString()), Ct)));
        Assert.All(replies, r => Assert.Equal($"m{r.Sent}", r.Got));
        var counters = await Task.WhenAll(Enumerable.Range(0, 500).Select(_ => connection.ExecuteAsync(["INCR", "c"], Ct)));
        Assert.Equal(Enumerable.Range(1, 500).Select(i => (long)i), counters.Select(c => c.AsInteger()).Order());
    }

    [Fact]
    public async Task An_error_reply_fails_that_command_only()
    {
        await using var connection = await Connect();
        await connection.ExecuteAsync(["SET", "s", "text"], Ct);
        var error = await Assert.ThrowsAsync<RedisServerException>(() => connection.ExecuteAsync(["LPUSH", "s", "x"], Ct));
        Assert.StartsWith("WRONGTYPE", error.Message, StringComparison.Ordinal);
        Assert.Equal("PONG", (await connection.ExecuteAsync(["PING"], Ct)).AsString());
    }

    [Fact]
    public async Task The_database_option_selects_the_database()
    {
        await using var zero = await Connect();
        await using var three = await Connect(",database=3");
        await three.ExecuteAsync(["SET", "where", "three"], Ct);
        Assert.True((await zero.ExecuteAsync(["GET", "where"], Ct)).IsNull);
        Assert.Equal("three", (await three.ExecuteAsync(["GET", "where"], Ct)).AsString());
    }

    [Fact]
    public async Task A_command_without_a_reply_in_time_times_out()
    {
        await using var connection = await Connect(",commandTimeout=200");
        var timeout = await Assert.ThrowsAsync<TimeoutException>(() => connection.ExecuteAsync(["BLPOP", "empty", 5], Ct));
        Assert.Contains("BLPOP", timeout.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Connecting_to_a_port_nobody_listens_on_fails_with_a_clear_error()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        var error = await Assert.ThrowsAsync<RedisConnectionException>(() => RedisConnection.ConnectAsync(RedisConnectionOptions.Parse($"127.0.0.1:{port},connectTimeout=2000"), Ct));
        Assert.Contains($"127.0.0.1:{port}", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_wrong_password_fails_the_connect()
    {
        await using var secured = await RedisServer.StartAsync("--requirepass", "s3cret");
        await Assert.ThrowsAsync<RedisServerException>(() => RedisConnection.ConnectAsync(RedisConnectionOptions.Parse($"{secured.ConnectionString},password=wrong"), Ct));
        await using var connection = await RedisConnection.ConnectAsync(RedisConnectionOptions.Parse($"{secured.ConnectionString},password=s3cret"), Ct);
        Assert.Equal("PONG", (await connection.ExecuteAsync(["PING"], Ct)).AsString());
    }

    [Fact]
    public async Task A_peer_that_is_not_redis_gets_a_protocol_error_not_a_hang()
    {
        using var fake = new TcpListener(IPAddress.Loopback, 0);
        fake.Start();
        var serve = Task.Run(async () =>
        {
            using var peer = await fake.AcceptTcpClientAsync(Ct);
            var stream = peer.GetStream();
            var request = new byte[1024];
            _ = await stream.ReadAsync(request, Ct);
            await stream.WriteAsync(Encoding.ASCII.GetBytes("HTTP/1.1 400 Bad Request\r\n\r\n"), Ct);
            // Keep the socket open: the client must fail on the bytes, not on a closed connection.
            _ = await stream.ReadAsync(request, Ct);
        }, Ct);

        var options = RedisConnectionOptions.Parse($"127.0.0.1:{((IPEndPoint)fake.LocalEndpoint).Port},resp=2,password=x,connectTimeout=5000");
        var error = await Assert.ThrowsAsync<RedisProtocolException>(() => RedisConnection.ConnectAsync(options, Ct)).WaitAsync(TimeSpan.FromSeconds(10), Ct);
        Assert.Contains("not a Redis server", error.Message, StringComparison.Ordinal);
        // The client dropped the connection: the fake peer's read ends.
        await serve.WaitAsync(TimeSpan.FromSeconds(10), Ct);
    }

    [Fact]
    public async Task Commands_in_flight_when_the_server_dies_fail_and_the_client_reconnects_by_itself()
    {
        await using var client = new RedisClient(RedisConnectionOptions.Parse(_server.ConnectionString));
        await client.ConnectAsync(Ct);
        var lost = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var back = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        client.Disconnected += _ => lost.TrySetResult();
        client.Reconnected += () => back.TrySetResult();
        var blocked = client.ExecuteAsync(["BLPOP", "never", 0], Ct);

        await _server.KillAsync();

        await Assert.ThrowsAsync<RedisConnectionException>(() => blocked).WaitAsync(TimeSpan.FromSeconds(10), Ct);
        await lost.Task.WaitAsync(TimeSpan.FromSeconds(10), Ct);
        await Assert.ThrowsAsync<RedisConnectionException>(() => client.ExecuteAsync(["PING"], Ct));

        await _server.RestartAsync();
        await back.Task.WaitAsync(TimeSpan.FromSeconds(20), Ct);
        Assert.Equal("PONG", (await client.ExecuteAsync(["PING"], Ct)).AsString());
    }

    [Fact]
    public void Connection_strings_are_parsed_and_bad_ones_named()
    {
        var options = RedisConnectionOptions.Parse("redis.local:6380,password=p,user=u,database=2,ssl=true,resp=2,connectTimeout=1500,commandTimeout=250");
        Assert.Equal(("redis.local", 6380, "u", "p", 2, true, 2), (options.Host, options.Port, options.User, options.Password, options.Database, options.Ssl, options.Protocol));
        Assert.Equal(TimeSpan.FromMilliseconds(1500), options.ConnectTimeout);
        Assert.Equal(TimeSpan.FromMilliseconds(250), options.CommandTimeout);
        Assert.Equal(6379, RedisConnectionOptions.Parse("localhost").Port);
        Assert.Contains("database", Assert.Throws<FormatException>(() => RedisConnectionOptions.Parse("h:1,database=-1")).Message, StringComparison.Ordinal);
        Assert.Contains("not known", Assert.Throws<FormatException>(() => RedisConnectionOptions.Parse("h:1,colour=blue")).Message, StringComparison.Ordinal);
        var bad = Assert.Throws<FormatException>(() => RedisConnectionOptions.Parse("h:99999,password=hunter2"));
        Assert.DoesNotContain("hunter2", bad.Message, StringComparison.Ordinal);
    }

    private Task<RedisConnection> Connect(string options = "") =>
        RedisConnection.ConnectAsync(RedisConnectionOptions.Parse(_server.ConnectionString + options), Ct);
}
