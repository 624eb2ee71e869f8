using System.Diagnostics;
using Switchyard.LiveBlog.Tests.Support;
using Xunit;

namespace Switchyard.LiveBlog.Tests;

/// <summary>
/// The samples' checked-in TypeScript modules (Client/switchyard.generated.ts), which their pages' TypeScript is
/// checked and bundled against, are what the build writes now: the build has just rewritten each one, so it must equal
/// the committed file (git show HEAD:path).
/// </summary>
public sealed class GeneratedModuleTests
{
    public static TheoryData<string> Modules => ["Samples/Chat/Client/switchyard.generated.ts", "Samples/LiveBlog/Client/switchyard.generated.ts"];

    [Theory]
    [MemberData(nameof(Modules))]
    public async Task A_samples_generated_TypeScript_module_is_committed_as_the_build_writes_it(string path)
    {
        var root = LiveBlogProcess.RepositoryRoot();
        var file = Path.Combine(root, path);
        Assert.True(File.Exists(file), $"{path} is missing: build the sample (dotnet build), which writes it, and commit it.");

        var (exitCode, committed, error) = await GitAsync(root, "show", $"HEAD:{path}");
        Assert.True(exitCode == 0, $"{path} is not committed (git show HEAD:{path}: {error.Trim()}): commit the file the build wrote.");
        var written = await File.ReadAllTextAsync(file, TestContext.Current.CancellationToken);
        Assert.True(
            Normalise(written) == Normalise(committed),
            $"{path} differs from the committed one: the build regenerated it from the sample's messages and consumers; commit the regenerated file (and rebuild the pages in Samples/web: npm run build).");
    }

    private static string Normalise(string text) => text.Replace("\r\n", "\n", StringComparison.Ordinal);

    private static async Task<(int ExitCode, string Output, string Error)> GitAsync(string directory, params string[] arguments)
    {
        var start = new ProcessStartInfo("git") { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var git = Process.Start(start) ?? throw new InvalidOperationException("git could not be started.");
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(30));
        var output = git.StandardOutput.ReadToEndAsync(timeout.Token);
        var error = git.StandardError.ReadToEndAsync(timeout.Token);
        await git.WaitForExitAsync(timeout.Token);
        return (git.ExitCode, await output, await error);
    }
}
