using System.Globalization;

namespace Switchyard.LoadBench;

/// <summary>What the relay's frames are: raw text (a plain WebSocketConsumer) or JSON messages (a JsonWebSocketConsumer).</summary>
internal enum RelayShape
{
    Raw,
    Json,
}

/// <summary>The command line: <c>&lt;scenario&gt; --kind raw|signalr|switchyard --url ws://host:port [options]</c>.</summary>
internal sealed class BenchOptions
{
    public const string Usage = """
        usage: Switchyard.LoadBench <echo|fanout|paced|relay|idle|churn> --kind <raw|signalr|switchyard> --url <ws://host:port> [options]
               Switchyard.LoadBench header <echo|fanout|paced|relay|idle|churn>     (prints the Markdown table header)
               Switchyard.LoadBench median <echo|fanout|paced|relay|idle|churn> <rows file>...
                   (one row per run label: the median of each figure over the files, the worst round for lost,
                   duplicates, reordered, closed by server and errors; each file holds one round's rows)

          --server-pid <pid>          the server's process id: CPU time and RSS are read from /proc/<pid>
          --out <file>                append the result row to this file (it is always printed to stdout)
          --label <text>              the first column of the row (default: the kind, "(batched)" with --batch)
          --batch                     switchyard only: subscribers ask for the switchyard.batch subprotocol
          --size <bytes>              message size (default 64)
          --connections <n>           echo: concurrent connections (50); idle: connections to open (5000); churn: per cycle (10000)
          --cycles <n>                churn: open/close cycles (3)
          --interval <ms>             churn: one GET /stats?gc=false due every this many ms (10)
          --seconds <s>               echo: measured seconds (10); paced: measured seconds (10)
          --warmup <s>                echo: warm-up seconds, not counted (2); paced: warm-up seconds (1)
          --subscribers <n>           fanout, paced: subscribers (100); relay: members of the group, one of them the publisher (100)
          --messages <n>              fanout, relay: messages per burst (2000)
          --shape <raw|json>          relay: raw text frames (route /ws/group/{name}/) or JSON bench.tick (/ws/json/{name}/) (raw)
          --group <name>              relay: the group's name (default: a new random name per run)
          --layer-pid <pid>           relay: a channel layer's process (redis-server): its CPU per delivery is reported too
          --rate <n>                  paced: messages per second (50)
          --quiet <s>                 fanout/paced/relay: stop waiting when nothing arrived (and no send went out) for this long (3)
          --connect-concurrency <n>   connections opened at once (64)
          --timeout <s>               hard limit for the whole run; the client exits after it (600)
        """;

    public required string Scenario { get; init; }

    public ServerKind Kind { get; private set; } = ServerKind.Raw;

    public Uri Url { get; private set; } = new("ws://127.0.0.1:5080/");

    public int? ServerPid { get; private set; }

    public string? Out { get; private set; }

    public string? LabelOverride { get; private set; }

    public bool Batch { get; private set; }

    public RelayShape Shape { get; private set; } = RelayShape.Raw;

    public string Group { get; private set; } = "bench-" + Guid.NewGuid().ToString("N")[..8];

    public int? LayerPid { get; private set; }

    public int Size { get; private set; } = 64;

    public int? ConnectionsOverride { get; private set; }

    public double? SecondsOverride { get; private set; }

    public double? WarmupOverride { get; private set; }

    public int Subscribers { get; private set; } = 100;

    public int Messages { get; private set; } = 2000;

    public double Rate { get; private set; } = 50;

    public double QuietSeconds { get; private set; } = 3;

    public int ConnectConcurrency { get; private set; } = 64;

    public double TimeoutSeconds { get; private set; } = 600;

    public int Cycles { get; private set; } = 3;

    public double IntervalMilliseconds { get; private set; } = 10;

    public int Connections => ConnectionsOverride ?? Scenario switch
    {
        "idle" => 5000,
        "churn" => 10_000,
        _ => 50,
    };

    public double Seconds => SecondsOverride ?? 10;

    public double Warmup => WarmupOverride ?? (Scenario == "paced" ? 1 : 2);

    public string Label => LabelOverride ?? (Kind.ToString().ToLowerInvariant() + (Batch ? " (batched)" : "") +
                                             (Scenario == "relay" ? $" ({Shape.ToString().ToLowerInvariant()})" : ""));

    /// <summary>The server's /stats endpoint, on the same host and port as the WebSocket URL.</summary>
    public Uri StatsUri => new UriBuilder(Url) { Scheme = Url.Scheme == "wss" ? "https" : "http", Path = "/stats" }.Uri;

    public static BenchOptions Parse(string[] args)
    {
        if (args.Length == 0)
        {
            throw new ArgumentException("missing scenario");
        }

        var options = new BenchOptions { Scenario = args[0] };
        for (var i = 1; i < args.Length; i++)
        {
            var name = args[i];
            string Value()
            {
                if (i + 1 >= args.Length)
                {
                    throw new ArgumentException($"{name} needs a value");
                }

                return args[++i];
            }

            switch (name)
            {
                case "--kind":
                    options.Kind = Value().ToLowerInvariant() switch
                    {
                        "raw" => ServerKind.Raw,
                        "signalr" => ServerKind.SignalR,
                        "switchyard" => ServerKind.Switchyard,
                        var other => throw new ArgumentException($"unknown kind '{other}'"),
                    };
                    break;
                case "--url":
                    var url = Value();
                    options.Url = new Uri(url.EndsWith('/') ? url : url + "/");
                    break;
                case "--server-pid": options.ServerPid = Int(Value()); break;
                case "--out": options.Out = Value(); break;
                case "--label": options.LabelOverride = Value(); break;
                case "--batch": options.Batch = true; break;
                case "--shape":
                    options.Shape = Value().ToLowerInvariant() switch
                    {
                        "raw" => RelayShape.Raw,
                        "json" => RelayShape.Json,
                        var other => throw new ArgumentException($"unknown shape '{other}'"),
                    };
                    break;
                case "--group": options.Group = Value(); break;
                case "--layer-pid": options.LayerPid = Int(Value()); break;
                case "--size": options.Size = Int(Value()); break;
                case "--connections": options.ConnectionsOverride = Int(Value()); break;
                case "--seconds": options.SecondsOverride = Double(Value()); break;
                case "--warmup": options.WarmupOverride = Double(Value()); break;
                case "--subscribers": options.Subscribers = Int(Value()); break;
                case "--messages": options.Messages = Int(Value()); break;
                case "--rate": options.Rate = Double(Value()); break;
                case "--quiet": options.QuietSeconds = Double(Value()); break;
                case "--connect-concurrency": options.ConnectConcurrency = Int(Value()); break;
                case "--timeout": options.TimeoutSeconds = Double(Value()); break;
                case "--cycles": options.Cycles = Int(Value()); break;
                case "--interval": options.IntervalMilliseconds = Double(Value()); break;
                default: throw new ArgumentException($"unknown option '{name}'");
            }
        }

        if (options.Batch && options.Kind != ServerKind.Switchyard)
        {
            throw new ArgumentException("--batch is for --kind switchyard only");
        }

        if (!options.Group.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_') || options.Group.Length is 0 or > 64)
        {
            throw new ArgumentException("--group must be 1 to 64 ASCII letters, digits, '-' or '_'");
        }

        if (options.Size is < 1 or > Payload.MaxSize / 2)
        {
            throw new ArgumentException($"--size must be between 1 and {Payload.MaxSize / 2}");
        }

        if (options.Rate <= 0 || options.Messages <= 0 || options.Subscribers <= 0 || options.Connections <= 0 ||
            options.Cycles <= 0 || options.IntervalMilliseconds <= 0)
        {
            throw new ArgumentException("counts and rates must be positive");
        }

        return options;
    }

    private static int Int(string text) => int.Parse(text, NumberStyles.Integer, CultureInfo.InvariantCulture);

    private static double Double(string text) => double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);
}
