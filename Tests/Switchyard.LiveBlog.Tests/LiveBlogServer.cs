using Switchyard.LiveBlog.Tests.Support;
using Xunit;

namespace Switchyard.LiveBlog.Tests;

/// <summary>One live-blog process on its embedded defaults (SQLite in a temporary file, in-memory layer, worker inside), shared by a test class.</summary>
public sealed class LiveBlogServer : IAsyncLifetime
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "switchyard-liveblog-" + Guid.NewGuid().ToString("N"));

    internal LiveBlogProcess Process { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        Directory.CreateDirectory(_directory);
        Process = await LiveBlogProcess.StartAsync(Path.Combine(_directory, "liveblog.db"));
    }

    public async ValueTask DisposeAsync()
    {
        await Process.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }
}
