using System.Diagnostics;
using System.Net;
using System.Text;
using Switchyard.LiveBlog.Tests.Support;
using Xunit;

namespace Switchyard.LiveBlog.Tests;

/// <summary>
/// The README's first command, exactly as the README writes it, run from the repository root the way a script, CI or
/// a container runs it: no terminal (stdin closed), no framework chosen. It must build, start on its embedded
/// defaults and serve the home page at the address the README names.
/// </summary>
public sealed class ReadmeRunCommandTests
{
    [Fact]
    public async Task The_README_run_command_serves_the_home_page_without_a_terminal()
    {
        var ct = TestContext.Current.CancellationToken;
        var root = LiveBlogProcess.RepositoryRoot();
        var (command, address) = ReadRunCommand(Path.Combine(root, "README.md"));
        Assert.Equal("dotnet run --project Samples/LiveBlog", command);

        var start = new ProcessStartInfo("/bin/sh", ["-c", command])
        {
            WorkingDirectory = root,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        var output = new StringBuilder();
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        void Keep(string? line)
        {
            if (line is null)
            {
                return;
            }

            lock (output)
            {
                output.AppendLine(line);
            }

            if (line.Contains("Live blog is running on", StringComparison.Ordinal))
            {
                ready.TrySetResult();
            }
        }

        process.OutputDataReceived += (_, e) => Keep(e.Data);
        process.ErrorDataReceived += (_, e) => Keep(e.Data);
        process.Exited += (_, _) => ready.TrySetException(new InvalidOperationException($"The README command exited ({process.ExitCode}) before serving:\n{output}"));
        Assert.True(process.Start());
        try
        {
            process.StandardInput.Close(); // no terminal: nothing to answer a framework prompt with
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();

            // dotnet run builds the sample first (Debug), so this allows for a cold build on a two-core machine.
            await ready.Task.WaitAsync(TimeSpan.FromMinutes(8), ct);

            using var http = new HttpClient { BaseAddress = address };
            using var response = await http.GetAsync("/", ct);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Contains("<title>", await response.Content.ReadAsStringAsync(ct), StringComparison.Ordinal);
        }
        finally
        {
            if (!process.HasExited)
            {
                // dotnet run's child (the sample) goes with it.
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync(CancellationToken.None);
            }
        }
    }

    // The first line of the README's "Run it" code block: the command before its comment, and the address the comment names.
    private static (string Command, Uri Address) ReadRunCommand(string readme)
    {
        var lines = File.ReadAllLines(readme);
        var block = Array.FindIndex(lines, l => l.StartsWith("```bash", StringComparison.Ordinal));
        Assert.True(block >= 0, "README.md has no bash code block.");
        var line = lines[block + 1];
        var comment = line.IndexOf('#', StringComparison.Ordinal);
        var url = line[line.IndexOf("http://", StringComparison.Ordinal)..].Split(' ')[0];
        return (line[..comment].Trim(), new Uri(url));
    }
}
