// A process of an IPC namespace for the multi-process tests (Tests/Switchyard.Ipc.Tests):
//   member <directory> <name> <group> <channels> <plain channel>
//       joins <group> with <channels> channels of its own (printed: "channels a b c"), receives on them, and sends
//       numbered messages to <plain channel> as fast as it can (so a kill lands in the middle of a transaction), then
//       prints "ready" (after the first send) and goes on until killed
//   hold-transaction <directory> <name>
//       begins a transaction on the segment, changes the heap's top and a free list, prints "ready" and waits to be
//       killed in the middle of it
//   forward <directory> <name> <channels> <sweep ms>
//       makes <channels> channels of its own with a forwarder attached to each (printed: "channels a b c"), prints
//       "ready", and prints "got <channel> <text>" for every message forwarded (a forwarder has no poll of its own: a
//       message whose ring was lost reaches it only through the sweep's missed-ring path)
//   hosted-member <directory> <name> <group> <channels>
//       a generic host with the IPC layer registered as an application does (AddSwitchyard().AddIpcLayer); joins
//       <group> with <channels> channels of its own (printed: "channels a b c"), prints "ready", and runs until SIGTERM,
//       when the host stops and disposes the layer and the process exits 0
//   send <directory> <name> <channel> <group> <member> <messages>
//       adds the plain channel <member> to <group> unless it is "-", sends "<channel> <n>" to <channel> and group-sends
//       "<group> <n>" to <group>, n = 0 to <messages> - 1, prints "delivered <total of the group sends' Delivered>" and
//       "ready", closes its layer and exits 0
//   receive <directory> <name> <group> <plain channel>...
//       makes a channel of its own and joins <group> with it (printed: "channels a"), receives on it and on each plain
//       channel, prints "ready", and prints "got <channel> <text>" for every message received, until killed
//   presence-member <directory> <name> <group> <user>
//       makes a channel of its own and joins <group> with presence as <user> (printed: "channels a"), prints "ready",
//       and waits until killed
using System.Globalization;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Switchyard;
using Switchyard.Ipc;
using Switchyard.Ipc.Segment;

switch (args)
{
    case ["member", var directory, var name, var group, var count, var plain]:
        await MemberAsync(directory, name, group, int.Parse(count, CultureInfo.InvariantCulture), plain);
        break;
    case ["hold-transaction", var directory, var name]:
        HoldTransaction(directory, name);
        break;
    case ["forward", var directory, var name, var count, var sweep]:
        await ForwardAsync(directory, name, int.Parse(count, CultureInfo.InvariantCulture), TimeSpan.FromMilliseconds(int.Parse(sweep, CultureInfo.InvariantCulture)));
        break;
    case ["hosted-member", var directory, var name, var group, var count]:
        await HostedMemberAsync(directory, name, group, int.Parse(count, CultureInfo.InvariantCulture));
        break;
    case ["send", var directory, var name, var channel, var group, var member, var count]:
        await SendAsync(directory, name, channel, group, member, int.Parse(count, CultureInfo.InvariantCulture));
        break;
    case ["presence-member", var directory, var name, var group, var user]:
        await PresenceMemberAsync(directory, name, group, user);
        break;
    case ["receive", var directory, var name, var group, .. var plain] when plain.Length > 0:
        await ReceiveAsync(directory, name, group, plain);
        break;
    default:
        Console.Error.WriteLine(
            "usage: member <directory> <name> <group> <channels> <plain channel> | hold-transaction <directory> <name> | forward <directory> <name> <channels> <sweep ms>"
            + " | hosted-member <directory> <name> <group> <channels> | send <directory> <name> <channel> <group> <member> <messages> | receive <directory> <name> <group> <plain channel>..."
            + " | presence-member <directory> <name> <group> <user>");
        Environment.Exit(2);
        break;
}

static async Task MemberAsync(string directory, string name, string group, int count, string plain)
{
    var options = new IpcChannelLayerOptions { Name = name, Directory = directory, SegmentSize = 8L << 20, MaxNames = 4096, SweepInterval = TimeSpan.FromMilliseconds(200) };
    options.Layer.Capacity = 1_000_000;
    var layer = IpcChannelLayer.Open(options);
    var channels = new List<string>();
    for (var i = 0; i < count; i++)
    {
        channels.Add(await layer.NewChannelAsync("victim"));
        await layer.GroupAddAsync(group, channels[^1]);
    }

    Console.WriteLine("channels " + string.Join(' ', channels));
    foreach (var channel in channels)
    {
        _ = Task.Run(async () =>
        {
            while (true)
            {
                await layer.ReceiveAsync(channel);
            }
        });
    }

    for (var n = 0L; ; n++)
    {
        await layer.SendAsync(plain, new ChannelMessage("traffic", BitConverter.GetBytes(n)));
        if (n == 0)
        {
            Console.WriteLine("ready");
        }
    }
}

static void HoldTransaction(string directory, string name)
{
    var segment = SharedSegment.Open(directory, name, 8L << 20, 4096);
    var tx = segment.Begin();
    tx.Write(SegmentLayout.HeapTopOffset, tx.Read(SegmentLayout.HeapTopOffset) + 4096);
    tx.Write(SegmentLayout.FreeListsOffset, 12345 * 8);
    Console.WriteLine("ready");
    Thread.Sleep(Timeout.Infinite);
}

static IpcChannelLayerOptions Options(string directory, string name, TimeSpan? sweep = null)
{
    var options = new IpcChannelLayerOptions { Name = name, Directory = directory, SegmentSize = 8L << 20, MaxNames = 4096 };
    if (sweep is { } interval)
    {
        options.SweepInterval = interval;
    }

    return options;
}

static async Task ForwardAsync(string directory, string name, int count, TimeSpan sweep)
{
    var layer = IpcChannelLayer.Open(Options(directory, name, sweep));
    var channels = new List<string>();
    for (var i = 0; i < count; i++)
    {
        channels.Add(await layer.NewChannelAsync("forwarded"));
        layer.AttachForwarder(channels[^1], new PrintingForwarder(channels[^1]));
    }

    Console.WriteLine("channels " + string.Join(' ', channels));
    Console.WriteLine("ready");
    await Task.Delay(Timeout.Infinite);
}

static async Task HostedMemberAsync(string directory, string name, string group, int count)
{
    var builder = Host.CreateApplicationBuilder();
    builder.Logging.ClearProviders();
    builder.Services.AddSwitchyard().AddIpcLayer(o =>
    {
        o.Name = name;
        o.Directory = directory;
        o.SegmentSize = 8L << 20;
        o.MaxNames = 4096;
    });
    var host = builder.Build();
    await host.StartAsync();
    var layer = host.Services.GetRequiredService<ChannelLayer>();
    var channels = new List<string>();
    for (var i = 0; i < count; i++)
    {
        channels.Add(await layer.NewChannelAsync("hosted"));
        await layer.GroupAddAsync(group, channels[^1]);
    }

    Console.WriteLine("channels " + string.Join(' ', channels));
    Console.WriteLine("ready");

    // SIGTERM stops the host (as RunAsync does); disposing it disposes the layer, which leaves the namespace.
    await host.WaitForShutdownAsync();
    await ((IAsyncDisposable)host).DisposeAsync();
}

static async Task SendAsync(string directory, string name, string channel, string group, string member, int count)
{
    await using var layer = IpcChannelLayer.Open(Options(directory, name));
    if (member != "-")
    {
        await layer.GroupAddAsync(group, member);
    }

    var delivered = 0;
    for (var n = 0; n < count; n++)
    {
        await layer.SendAsync(channel, Text(FormattableString.Invariant($"{channel} {n}")));
        delivered += (await layer.GroupSendAsync(group, Text(FormattableString.Invariant($"{group} {n}")))).Delivered;
    }

    Console.WriteLine(FormattableString.Invariant($"delivered {delivered}"));
    Console.WriteLine("ready");
}

static async Task ReceiveAsync(string directory, string name, string group, string[] plain)
{
    var layer = IpcChannelLayer.Open(Options(directory, name));
    var own = await layer.NewChannelAsync("receiver");
    await layer.GroupAddAsync(group, own);
    Console.WriteLine("channels " + own);
    foreach (var channel in (string[])[own, .. plain])
    {
        _ = Task.Run(async () =>
        {
            while (true)
            {
                var message = await layer.ReceiveAsync(channel);
                Console.WriteLine($"got {channel} {Encoding.UTF8.GetString(message.Payload.Span)}");
            }
        });
    }

    Console.WriteLine("ready");
    await Task.Delay(Timeout.Infinite);
}

static async Task PresenceMemberAsync(string directory, string name, string group, string user)
{
    var options = Options(directory, name);
    options.Layer.WithPresence(group);
    var layer = IpcChannelLayer.Open(options);
    var own = await layer.NewChannelAsync("present");
    await layer.JoinPresenceAsync(group, own, user, $"process {Environment.ProcessId}");
    Console.WriteLine("channels " + own);
    Console.WriteLine("ready");
    await Task.Delay(Timeout.Infinite);
}

static ChannelMessage Text(string text) => new("text", Encoding.UTF8.GetBytes(text));

// Prints what it is offered: a forwarder that always has room.
internal sealed class PrintingForwarder(string channel) : IChannelForwarder
{
    public ForwardOutcome Forward(ChannelMessage message, bool mayWait)
    {
        Console.WriteLine($"got {channel} {Encoding.UTF8.GetString(message.Payload.Span)}");
        return ForwardOutcome.Forwarded;
    }

    public ValueTask WaitForRoomAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;
}
