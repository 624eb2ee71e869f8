using BenchmarkDotNet.Running;

namespace Switchyard.Benchmarks;

/// <summary>
/// Entry point: <c>dotnet run -c Release -- --filter '*'</c> (see bench/README.md); <c>-- deflate-broadcast [rounds]</c>
/// runs <see cref="DeflateBroadcast"/> instead.
/// </summary>
public static class Program
{
    /// <summary>Runs the benchmarks selected on the command line.</summary>
    /// <param name="args">BenchmarkDotNet's command-line arguments.</param>
    /// <returns>A task that completes when the benchmarks ran.</returns>
    public static async Task Main(string[] args)
    {
        if (args is ["deflate-broadcast", ..])
        {
            await DeflateBroadcast.RunAsync(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 3);
            return;
        }

        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
    }
}
