using System.Diagnostics;
using Xunit;

namespace Switchyard.Package.Tests;

/// <summary>The dotnet CLI as a user runs it: a command in a directory, its exit code and everything it wrote.</summary>
internal static class Dotnet
{
    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromMinutes(5);

    /// <summary>Runs <c>dotnet</c> with <paramref name="arguments"/> in <paramref name="directory"/> and waits for it.</summary>
    /// <param name="directory">The working directory (created when missing).</param>
    /// <param name="arguments">The arguments, each passed as one.</param>
    /// <param name="environment">Variables to set for the command, on top of the test's own.</param>
    /// <param name="timeout">How long it may run; five minutes unless given. It is killed when it takes longer.</param>
    /// <returns>Its exit code, and its standard output followed by its standard error.</returns>
    /// <exception cref="TimeoutException">It did not exit in time.</exception>
    public static async Task<(int ExitCode, string Output)> RunAsync(
        string directory, string[] arguments, IReadOnlyDictionary<string, string>? environment = null, TimeSpan? timeout = null)
    {
        var ct = TestContext.Current.CancellationToken;
        using var process = Process.Start(StartInfo(directory, arguments, environment))!;
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync(ct);
        var stderr = process.StandardError.ReadToEndAsync(ct);
        try
        {
            await process.WaitForExitAsync(ct).WaitAsync(timeout ?? DefaultTimeout, ct);
        }
        catch (Exception e) when (e is TimeoutException or OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None);
            throw new TimeoutException($"dotnet {string.Join(' ', arguments)} did not finish in time:\n{await stdout}{await stderr}", e);
        }

        return (process.ExitCode, await stdout + await stderr);
    }

    /// <summary>
    /// How the tests start <c>dotnet</c>: output redirected, standard input closed (no terminal to answer a prompt
    /// from), and no build processes left behind (MSBuild's reused nodes and the compiler server outlive a build).
    /// </summary>
    /// <param name="directory">The working directory (created when missing).</param>
    /// <param name="arguments">The arguments, each passed as one.</param>
    /// <param name="environment">Variables to set for the command, on top of the test's own.</param>
    /// <returns>The start information.</returns>
    public static ProcessStartInfo StartInfo(string directory, IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment = null)
    {
        Directory.CreateDirectory(directory);
        var start = new ProcessStartInfo("dotnet", arguments)
        {
            WorkingDirectory = directory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        start.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        start.Environment["DOTNET_CLI_USE_MSBUILD_SERVER"] = "0";
        start.Environment["UseSharedCompilation"] = "false";
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        return start;
    }
}
