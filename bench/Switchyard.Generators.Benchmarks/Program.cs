using BenchmarkDotNet.Running;

namespace Switchyard.Generators.Benchmarks;

/// <summary>Entry point: <c>dotnet run -c Release -- --filter '*'</c> (see bench/README.md).</summary>
public static class Program
{
    /// <summary>Runs the benchmarks selected on the command line, or with <c>--verify</c> only their setup checks.</summary>
    /// <param name="args">BenchmarkDotNet's command-line arguments, or <c>--verify</c>.</param>
    public static void Main(string[] args)
    {
        if (args is ["--verify"])
        {
            // Every [GlobalSetup] checks its benchmarks measure real work (same bytes, handlers called, files written).
            new JsonBenchmarks().Setup();
            new DispatchBenchmarks().Setup();
            new GeneratorBenchmarks().Setup();
            Console.WriteLine("All benchmark setups passed their checks.");
            return;
        }

        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
    }
}
