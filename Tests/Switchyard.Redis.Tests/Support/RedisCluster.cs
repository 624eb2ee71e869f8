using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Switchyard.Redis.Tests.Support;

/// <summary>
/// A private Redis Cluster of masters without replicas on loopback, each redis-server in cluster mode with no
/// persistence, in a temp directory of its own; started for a test class and stopped after it.
/// </summary>
/// <remarks>
/// Each node listens on a port no higher than 55535, because Redis puts its cluster bus on port + 10000; the ports are
/// picked below the kernel's ephemeral range when there is room, so that no outgoing connection takes one between the
/// check and the bind, or while a killed master is down. With no replicas, a killed master's slots stay down (every
/// node reports <c>cluster_state:fail</c>, as <c>cluster-require-full-coverage</c> is on) until it is restarted.
/// </remarks>
public sealed class RedisCluster : IAsyncDisposable
{
    /// <summary>The number of hash slots a Redis Cluster splits its keys into.</summary>
    public const int SlotCount = 16384;

    private const int BusPortOffset = 10000;
    private const int HighestPort = 55535;
    private const int LowestPort = 20000;

    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(15);

    private readonly DirectoryInfo _directory;
    private readonly int[] _ports;
    private readonly ChildProcess?[] _processes;
    private readonly int[] _slotOwners = new int[SlotCount];
    private readonly TimeSpan _nodeTimeout;

    private RedisCluster(int masters, TimeSpan nodeTimeout)
    {
        _nodeTimeout = nodeTimeout;
        _directory = Directory.CreateTempSubdirectory("switchyard-redis-cluster-");
        _ports = new int[masters];
        _processes = new ChildProcess?[masters];
    }

    /// <summary>The client ports of the masters, by index.</summary>
    public IReadOnlyList<int> Nodes => _ports;

    /// <summary>Every master, for a cluster-aware client: <c>127.0.0.1:P1,127.0.0.1:P2,...</c>.</summary>
    public string ConnectionString => string.Join(',', _ports.Select(port => string.Create(CultureInfo.InvariantCulture, $"127.0.0.1:{port}")));

    /// <summary>Starts <paramref name="masters"/> redis-servers, makes a cluster of them and waits until every node says it is ok.</summary>
    /// <param name="masters">How many masters (1 or 3 in the fixtures).</param>
    /// <param name="nodeTimeout">
    /// <c>cluster-node-timeout</c>, 2 s unless given: how long a master must be unreachable before the others count it
    /// as failing. It also sets how long the others take to count a killed master as failed (measured: 1.4 to 1.75 times
    /// the timeout) and a restarted one to be ok again (about 2.2 times), which a test that kills masters may want shorter.
    /// </param>
    /// <exception cref="TimeoutException">The cluster was not ok on every node within 15 s.</exception>
    /// <exception cref="InvalidOperationException">redis-server or redis-cli is missing or failed; the message has its output.</exception>
    public static async Task<RedisCluster> StartAsync(int masters, TimeSpan? nodeTimeout = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(masters, 1);
        var cluster = new RedisCluster(masters, nodeTimeout ?? TimeSpan.FromSeconds(2));
        try
        {
            for (var index = 0; index < masters; index++)
            {
                await cluster.StartNewNodeAsync(index);
            }

            await cluster.CreateAsync();
            await cluster.WaitUntilHealthyAsync();
            await cluster.ReadSlotOwnersAsync();
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// The hash slot of <paramref name="key"/>: CRC16 (XMODEM: polynomial 0x1021, initial value 0) of its UTF-8 bytes,
    /// modulo 16384. When the key has a hash tag (the text between its first <c>{</c> and the first <c>}</c> after it,
    /// if not empty), only the tag is hashed, so keys with the same tag share a slot (Redis Cluster specification,
    /// "Keys distribution model"). The layer's own computation (its fixture tests check it against CLUSTER KEYSLOT).
    /// </summary>
    public static int HashSlot(string key) => Switchyard.Redis.Connections.ClusterSlot.Of(key);

    /// <summary>The index (into <see cref="Nodes"/>) of the master that owns <paramref name="key"/>'s slot.</summary>
    public int NodeIndexForKey(string key) => _slotOwners[HashSlot(key)];

    /// <summary>Kills master <paramref name="index"/> (kill -9, no shutdown handshake), like <see cref="RedisServer.KillAsync"/>.</summary>
    public async Task KillMasterAsync(int index)
    {
        if (_processes[index] is { } process)
        {
            _processes[index] = null;
            RedisPids.Forget(process.Id);
            await process.DisposeAsync();
        }
    }

    /// <summary>
    /// Starts master <paramref name="index"/> again on the same port with the same nodes.conf, so that it rejoins with
    /// its node id and its slots, and waits until every node says the cluster is ok again.
    /// </summary>
    /// <exception cref="InvalidOperationException">It is running.</exception>
    /// <exception cref="TimeoutException">The cluster was not ok on every node within 15 s.</exception>
    public async Task RestartMasterAsync(int index)
    {
        if (_processes[index] is not null)
        {
            throw new InvalidOperationException($"Master {index} (port {_ports[index]}) is running; kill it first.");
        }

        await StartNodeAsync(index);
        await WaitUntilHealthyAsync();
    }

    /// <summary>The reply of <c>CLUSTER INFO</c> on master <paramref name="index"/>.</summary>
    public Task<string> ClusterInfoAsync(int index) => RawRedis.TextAsync(_ports[index], CommandTimeout, "CLUSTER", "INFO");

    /// <summary>
    /// Waits until every running master reports <c>cluster_state:<paramref name="state"/></c> (<c>ok</c> or <c>fail</c>),
    /// asking every 50 ms.
    /// </summary>
    /// <exception cref="TimeoutException">Not within <paramref name="within"/>; the message has what each node said last.</exception>
    public Task WaitForClusterStateAsync(string state, TimeSpan within) =>
        PollAsync(within, $"cluster_state:{state} on every running master", async index =>
        {
            var info = await ClusterInfoAsync(index);
            return (info.Contains($"cluster_state:{state}", StringComparison.Ordinal), StateLine(info));
        });

    public async ValueTask DisposeAsync()
    {
        for (var index = 0; index < _processes.Length; index++)
        {
            await KillMasterAsync(index);
        }

        try
        {
            _directory.Delete(recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }

    private static string StateLine(string info) =>
        info.Split('\n').Select(line => line.Trim()).FirstOrDefault(line => line.StartsWith("cluster_state:", StringComparison.Ordinal)) ?? info;

    /// <summary>Two free ports, P and P + 10000 (the bus), with P in 20000..55535 and, when there is room, both below the ephemeral range.</summary>
    private static int PickPort(IReadOnlyCollection<int> taken)
    {
        var highest = HighestPort;
        var range = File.Exists("/proc/sys/net/ipv4/ip_local_port_range") ? File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range").Split((char[])['\t', ' ', '\n'], StringSplitOptions.RemoveEmptyEntries) : [];
        if (range.Length > 0 && int.TryParse(range[0], CultureInfo.InvariantCulture, out var ephemeralLow) && ephemeralLow - BusPortOffset - 1 >= LowestPort + 1000)
        {
            highest = Math.Min(highest, ephemeralLow - BusPortOffset - 1);
        }

        for (var attempt = 0; attempt < 100; attempt++)
        {
            var port = Random.Shared.Next(LowestPort, highest + 1);
            if (!taken.Contains(port) && IsFree(port) && IsFree(port + BusPortOffset))
            {
                return port;
            }
        }

        throw new InvalidOperationException($"No free pair of loopback ports P and P + {BusPortOffset} with P in {LowestPort}..{highest} after 100 tries.");
    }

    private static bool IsFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    /// <summary>Starts node <paramref name="index"/> on a newly picked port; another picked port if that one was taken meanwhile.</summary>
    private async Task StartNewNodeAsync(int index)
    {
        for (var attempt = 1; ; attempt++)
        {
            _ports[index] = PickPort(_ports.Take(index).ToArray());
            try
            {
                await StartNodeAsync(index);
                return;
            }
            catch (InvalidOperationException e) when (attempt < 5 && e.Message.Contains("Address already in use", StringComparison.Ordinal))
            {
            }
        }
    }

    private async Task StartNodeAsync(int index)
    {
        var port = _ports[index].ToString(CultureInfo.InvariantCulture);
        string[] arguments =
        [
            "--port", port, "--bind", "127.0.0.1", "--dir", _directory.FullName,
            "--cluster-enabled", "yes", "--cluster-config-file", Path.Combine(_directory.FullName, $"nodes-{port}.conf"), "--cluster-node-timeout", ((int)_nodeTimeout.TotalMilliseconds).ToString(CultureInfo.InvariantCulture),
            "--save", string.Empty, "--appendonly", "no",
        ];
        var process = await ChildProcess.StartAsync(ExternalTool.Find("redis-server", "redis-server"), arguments, "Ready to accept connections", TimeSpan.FromSeconds(10));
        _processes[index] = process;
        await RedisPids.RecordAsync(process.Id, $"127.0.0.1:{port} (cluster)");
    }

    /// <summary>Assigns the slots: redis-cli --cluster create for several masters; it refuses one, which gets them all with CLUSTER ADDSLOTSRANGE.</summary>
    private async Task CreateAsync()
    {
        if (_ports.Length == 1)
        {
            var reply = await RawRedis.CommandAsync(_ports[0], CommandTimeout, "CLUSTER", "ADDSLOTSRANGE", "0", (SlotCount - 1).ToString(CultureInfo.InvariantCulture));
            if (reply is not "OK")
            {
                throw new InvalidOperationException($"CLUSTER ADDSLOTSRANGE 0 {SlotCount - 1} on port {_ports[0]} answered {reply}.");
            }

            return;
        }

        string[] arguments = ["--cluster", "create", .. _ports.Select(port => string.Create(CultureInfo.InvariantCulture, $"127.0.0.1:{port}")), "--cluster-replicas", "0", "--cluster-yes"];
        await ExternalTool.RunAsync(ExternalTool.Find("redis-cli", "redis-tools"), arguments, _directory.FullName, ReadyTimeout);
    }

    /// <summary>
    /// Waits until every master says cluster_state:ok and, in CLUSTER NODES, knows every master as connected and not
    /// failing: after a restart, the others have reconnected too, not only stopped counting it as failed.
    /// </summary>
    private Task WaitUntilHealthyAsync() =>
        PollAsync(ReadyTimeout, "cluster_state:ok with every master connected", async index =>
        {
            var info = await ClusterInfoAsync(index);
            if (!info.Contains("cluster_state:ok", StringComparison.Ordinal))
            {
                return (false, StateLine(info));
            }

            var nodes = await RawRedis.TextAsync(_ports[index], CommandTimeout, "CLUSTER", "NODES");
            var lines = nodes.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            var unhealthy = lines.Where(line => line.Split(' ') is var fields
                && (fields.Length < 8 || fields[7] != "connected" || fields[2].Contains("fail", StringComparison.Ordinal)
                    || fields[2].Contains("handshake", StringComparison.Ordinal) || fields[2].Contains("noaddr", StringComparison.Ordinal))).ToArray();
            return lines.Length == _ports.Length && unhealthy.Length == 0
                ? (true, "ok")
                : (false, $"knows {lines.Length} of {_ports.Length} nodes; not healthy: {string.Join(" | ", unhealthy)}");
        });

    /// <summary>Asks every running master every 50 ms until <paramref name="check"/> holds for all of them at once.</summary>
    private async Task PollAsync(TimeSpan within, string what, Func<int, Task<(bool Holds, string Seen)>> check)
    {
        var deadline = DateTime.UtcNow + within;
        var seen = new string[_ports.Length];
        while (true)
        {
            var holds = true;
            for (var index = 0; index < _ports.Length; index++)
            {
                if (_processes[index] is null)
                {
                    seen[index] = "killed";
                    continue;
                }

                try
                {
                    (var nodeHolds, seen[index]) = await check(index);
                    holds &= nodeHolds;
                }
                catch (Exception e) when (e is SocketException or IOException or OperationCanceledException or InvalidOperationException)
                {
                    (holds, seen[index]) = (false, e.Message);
                }
            }

            if (holds)
            {
                return;
            }

            if (DateTime.UtcNow >= deadline)
            {
                var nodes = string.Join('\n', _ports.Select((port, index) => $"  127.0.0.1:{port}: {seen[index]}"));
                throw new TimeoutException($"The Redis Cluster did not reach {what} within {within.TotalSeconds} s; each node said last:\n{nodes}");
            }

            await Task.Delay(PollInterval);
        }
    }

    /// <summary>Reads which master owns each slot from CLUSTER NODES ("id ip:port@bus flags master ping pong epoch link slot...").</summary>
    private async Task ReadSlotOwnersAsync()
    {
        var nodes = await RawRedis.TextAsync(_ports[0], CommandTimeout, "CLUSTER", "NODES");
        Array.Fill(_slotOwners, -1);
        foreach (var line in nodes.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var fields = line.Split(' ');
            var address = fields[1];
            var port = int.Parse(address.AsSpan()[(address.LastIndexOf(':') + 1)..address.IndexOf('@', StringComparison.Ordinal)], CultureInfo.InvariantCulture);
            var index = Array.IndexOf(_ports, port);
            foreach (var range in fields.Skip(8).Where(field => !field.StartsWith('[')))
            {
                var bounds = range.Split('-');
                var first = int.Parse(bounds[0], CultureInfo.InvariantCulture);
                var last = int.Parse(bounds[^1], CultureInfo.InvariantCulture);
                _slotOwners.AsSpan(first, last - first + 1).Fill(index);
            }
        }

        if (Array.IndexOf(_slotOwners, -1) is var unowned and >= 0)
        {
            throw new InvalidOperationException($"Slot {unowned} has no master in CLUSTER NODES:\n{nodes}");
        }
    }
}
