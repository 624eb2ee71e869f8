// A process of an IPC namespace for the crash tests, killed by them with SIGKILL:
//   member <directory> <name> <group> <channels> <plain channel>
//       joins <group> with <channels> channels of its own (printed: "channels a b c"), receives on them, and sends
//       numbered messages to <plain channel> as fast as it can (so a kill lands in the middle of a transaction), then
//       prints "ready" (after the first send) and goes on until killed
//   hold-transaction <directory> <name>
//       begins a transaction on the segment, changes the heap's top and a free list, prints "ready" and waits to be
//       killed in the middle of it
using System.Globalization;
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
    default:
        Console.Error.WriteLine("usage: member <directory> <name> <group> <channels> <plain channel> | hold-transaction <directory> <name>");
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
