// The WebSocket load benchmark's client. See bench/README.md, "Load benchmark", and bench/load/run.sh.

using Switchyard.LoadBench;

if (args.Length == 0 || args[0] is "--help" or "-h" or "help")
{
    Console.WriteLine(BenchOptions.Usage);
    return args.Length == 0 ? 2 : 0;
}

if (args.Length == 2 && args[0] == "header")
{
    var header = HeaderFor(args[1]);
    if (header is null)
    {
        Console.Error.WriteLine(BenchOptions.Usage);
        return 2;
    }

    Console.WriteLine(header);
    return 0;
}

if (args.Length >= 2 && args[0] == "median")
{
    var header = HeaderFor(args[1]);
    if (header is null)
    {
        Console.Error.WriteLine(BenchOptions.Usage);
        return 2;
    }

    foreach (var row in Medians.Rows(header, args[2..].Select(File.ReadAllLines).ToArray()))
    {
        Console.WriteLine(row);
    }

    return 0;
}

BenchOptions options;
try
{
    options = BenchOptions.Parse(args);
    if (HeaderFor(options.Scenario) is null)
    {
        throw new ArgumentException($"unknown scenario '{options.Scenario}'");
    }
}
catch (Exception e) when (e is ArgumentException or FormatException or OverflowException or UriFormatException)
{
    Console.Error.WriteLine($"error: {e.Message}");
    Console.Error.WriteLine(BenchOptions.Usage);
    return 2;
}

// Everything is bounded: cancel at the deadline, and leave the process a little later whatever still runs.
using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(options.TimeoutSeconds));
using var watchdog = new Timer(_ =>
{
    Console.Error.WriteLine($"[loadbench] {options.Scenario}/{options.Label}: hard timeout, exiting");
    Environment.Exit(3);
}, null, TimeSpan.FromSeconds(options.TimeoutSeconds + 15), Timeout.InfiniteTimeSpan);

using var probe = new ServerProbe(options.ServerPid, options.StatsUri);
try
{
    var row = options.Scenario switch
    {
        "echo" => await EchoScenario.RunAsync(options, probe, deadline.Token),
        "fanout" => await FanoutScenario.RunAsync(options, probe, FanoutMode.Fanout, deadline.Token),
        "paced" => await FanoutScenario.RunAsync(options, probe, FanoutMode.Paced, deadline.Token),
        "relay" => await FanoutScenario.RunAsync(options, probe, FanoutMode.Relay, deadline.Token),
        "churn" => await ChurnScenario.RunAsync(options, probe, deadline.Token),
        _ => await IdleScenario.RunAsync(options, probe, deadline.Token),
    };

    Console.WriteLine(row);
    if (options.Out is { } path)
    {
        await File.AppendAllTextAsync(path, row + Environment.NewLine);
    }

    return 0;
}
catch (Exception e)
{
    Console.Error.WriteLine($"[loadbench] {options.Scenario}/{options.Label} failed: {e}");
    return 1;
}

static string? HeaderFor(string scenario) => scenario switch
{
    "echo" => EchoScenario.Header,
    "fanout" => FanoutScenario.FanoutHeader,
    "paced" => FanoutScenario.PacedHeader,
    "relay" => FanoutScenario.RelayHeader,
    "idle" => IdleScenario.Header,
    "churn" => ChurnScenario.Header,
    _ => null,
};
