using Switchyard.Redis.Tests.Support;
using Xunit;

namespace Switchyard.LiveBlog.Tests.Support;

/// <summary>A test with several live-blog processes: one private redis-server (or IPC namespace) and one database file for them, removed after it.</summary>
public abstract class ScaledOutTest : IAsyncLifetime
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "switchyard-liveblog-" + Guid.NewGuid().ToString("N"));
    private RedisServer _redis = null!;

    /// <summary>Gets the SQLite file the processes share.</summary>
    protected string Database => Path.Combine(_directory, "liveblog.db");

    /// <summary>Gets the shared redis-server (to stop and restart it in a fault test).</summary>
    private protected RedisServer Redis => _redis;

    /// <summary>Gets the options that put a process on the shared Redis.</summary>
    protected string[] OnRedis => ["--redis", _redis.ConnectionString];

    /// <summary>Gets the options that put a process in the test's IPC namespace (its segment in the test's folder).</summary>
    protected string[] OnIpc => ["--ipc", "liveblog", "--Switchyard:Ipc:Directory", Path.Combine(_directory, "ipc")];

    public async ValueTask InitializeAsync()
    {
        Directory.CreateDirectory(_directory);
        _redis = await RedisServer.StartAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await _redis.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
        GC.SuppressFinalize(this);
    }
}
