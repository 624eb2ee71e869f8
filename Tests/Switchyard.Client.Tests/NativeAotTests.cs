using System.Diagnostics;
using Switchyard.Client.Tests.Support;
using Xunit;

namespace Switchyard.Client.Tests;

/// <summary>
/// A client application (Tests/Switchyard.Client.AotApp) published with Native AOT for linux-x64 without a single
/// warning (trim and AOT analysis of the client, the core and the generated messages), and the binary talking to a
/// real server. The only test of the project that publishes.
/// </summary>
public sealed class NativeAotTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "switchyard-client-aot-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    [Fact]
    public async Task A_client_app_publishes_with_native_aot_without_warnings_and_the_binary_talks_to_a_real_server()
    {
        var ct = TestContext.Current.CancellationToken;
        var output = Path.Combine(_directory, "publish");
        var project = Path.Combine(Repository.Root(), "Tests", "Switchyard.Client.AotApp", "Switchyard.Client.AotApp.csproj");
        var (publishCode, publishText) = await RunAsync("dotnet", ["publish", project, "-r", "linux-x64", "-c", "Release", "-o", output, "-nologo"], TimeSpan.FromMinutes(5), ct);
        Assert.True(publishCode == 0, publishText);
        Assert.DoesNotContain("warning", publishText, StringComparison.OrdinalIgnoreCase);
        var binary = Path.Combine(output, "Switchyard.Client.AotApp");
        Assert.True(File.Exists(binary), $"No native binary at {binary}.");
        TestContext.Current.TestOutputHelper?.WriteLine($"native binary: {new FileInfo(binary).Length} bytes");

        await using var server = await TestServer.StartAsync();
        var (code, text) = await RunAsync(binary, [$"ws://127.0.0.1:{server.Port}"], TimeSpan.FromSeconds(30), ct);

        Assert.True(code == 0, text);
        var lines = text.ReplaceLineEndings("\n").Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(
            ["state: Connecting", "state: Open", "echoed: native (6)", "sum: 42", "refused: no thanks", "called: answer:True:aot", "position: none", "state: Closed"],
            lines);
    }

    private static async Task<(int Code, string Output)> RunAsync(string file, string[] arguments, TimeSpan timeout, CancellationToken ct)
    {
        var start = new ProcessStartInfo(file, arguments) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync(ct);
        var stderr = process.StandardError.ReadToEndAsync(ct);
        try
        {
            await process.WaitForExitAsync(ct).WaitAsync(timeout, ct);
        }
        catch (TimeoutException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        return (process.ExitCode, await stdout + await stderr);
    }
}
