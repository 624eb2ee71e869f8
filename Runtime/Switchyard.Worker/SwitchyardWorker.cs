using System.Globalization;

namespace Switchyard.Worker;

/// <summary>
/// The command line of Channels' <c>runworker</c> for a worker executable: the channels to serve, then options
/// (<c>bigdata.process thumbnails --concurrency 4</c>).
/// <code>
/// var builder = Host.CreateApplicationBuilder(args);
/// builder.Services.AddSwitchyard().AddWorker(o => SwitchyardWorker.ParseArguments(args, o));
/// await builder.Build().RunAsync();
/// </code>
/// </summary>
public static class SwitchyardWorker
{
    /// <summary>Parses a runworker command line into worker options.</summary>
    /// <param name="args">Channel names, then <c>--concurrency N</c> and <c>--drain-timeout SECONDS</c>.</param>
    /// <param name="options">The options to fill.</param>
    /// <returns>The arguments it did not recognize (left for the host's configuration).</returns>
    /// <exception cref="ArgumentException">A value is malformed.</exception>
    public static string[] ParseArguments(IReadOnlyList<string> args, SwitchyardWorkerOptions options)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(options);
        var rest = new List<string>();
        for (var i = 0; i < args.Count; i++)
        {
            switch (args[i])
            {
                case "--concurrency" when i + 1 < args.Count:
                    options.Concurrency = ParsePositive(args[++i], "--concurrency");
                    break;
                case "--drain-timeout" when i + 1 < args.Count:
                    options.DrainTimeout = TimeSpan.FromSeconds(ParsePositive(args[++i], "--drain-timeout"));
                    break;
                case var arg when !arg.StartsWith('-') && ChannelNames.IsValidChannelName(arg):
                    options.Channels.Add(arg);
                    break;
                default:
                    rest.Add(args[i]);
                    break;
            }
        }

        return [.. rest];
    }

    private static int ParsePositive(string value, string option) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0
            ? n
            : throw new ArgumentException($"{option} takes a positive whole number, not '{value}'.");
}
