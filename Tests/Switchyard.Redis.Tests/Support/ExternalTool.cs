using System.Diagnostics;
using System.Globalization;

namespace Switchyard.Redis.Tests.Support;

/// <summary>Finds and runs the command-line tools the fixtures need (redis-server, redis-cli, openssl) as short-lived processes.</summary>
internal static class ExternalTool
{
    /// <summary>Finds <paramref name="name"/> in /usr/bin, /usr/local/bin or on PATH.</summary>
    /// <exception cref="InvalidOperationException">It is not installed; the message says how test.sh installs it.</exception>
    public static string Find(string name, string package) =>
        new[] { "/usr/bin", "/usr/local/bin" }.Concat((Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(':', StringSplitOptions.RemoveEmptyEntries))
            .Select(directory => Path.Combine(directory, name))
            .FirstOrDefault(File.Exists)
        ?? throw new InvalidOperationException($"{name} is not installed; ./test.sh installs it (apt-get install -y {package}).");

    /// <summary>Runs a tool to completion and returns what it wrote (standard output and error together).</summary>
    /// <exception cref="InvalidOperationException">It exited with a non-zero code; the message has its output.</exception>
    /// <exception cref="TimeoutException">It did not exit within <paramref name="timeout"/> (it is killed then).</exception>
    public static async Task<string> RunAsync(string fileName, IEnumerable<string> arguments, string workingDirectory, TimeSpan timeout)
    {
        var start = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = workingDirectory,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{fileName} did not start.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        var commandLine = $"{Path.GetFileName(fileName)} {string.Join(' ', start.ArgumentList)}";
        try
        {
            await process.WaitForExitAsync().WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            throw new TimeoutException($"`{commandLine}` did not finish within {timeout.TotalSeconds} s:\n{await output}{await error}");
        }

        var text = await output + await error;
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture, $"`{commandLine}` failed (exit {process.ExitCode}):\n{text}"));
        }

        return text;
    }
}
