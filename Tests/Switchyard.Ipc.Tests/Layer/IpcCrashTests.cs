using Switchyard.Ipc.Segment;
using Switchyard.Ipc.Tests.Support;
using Xunit;

namespace Switchyard.Ipc.Tests.Layer;

/// <summary>
/// Processes of a namespace killed with SIGKILL (real processes, Tests/Switchyard.Ipc.TestProcess): the others are not
/// wedged and lose nothing addressed to them, a transaction cut short is undone, and what the dead process left (its
/// process-local channels, its memberships) is gone within a few sweeps.
/// </summary>
public sealed class IpcCrashTests : IDisposable
{
    private static readonly TimeSpan Sweep = TimeSpan.FromMilliseconds(200);
    private readonly IpcNamespace _namespace = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _namespace.Dispose();

    [Fact]
    public async Task A_transaction_cut_short_by_SIGKILL_is_undone_by_the_next_holder_of_the_lock()
    {
        using (var segment = SharedSegment.Open(_namespace.Directory, _namespace.Name, 8L << 20, 4096))
        {
            var top = ReadWord(segment, SegmentLayout.HeapTopOffset);
            var freeList = ReadWord(segment, SegmentLayout.FreeListsOffset);

            await using (var child = await IpcChild.StartAsync("hold-transaction", _namespace.Directory, _namespace.Name))
            {
                // The child holds the lock, its changes made: they are visible in the mapping, not yet undone.
                Assert.Equal(top + 4096, segment.Word(SegmentLayout.HeapTopOffset));
                await child.KillAsync();
            }

            Assert.Equal(top, ReadWord(segment, SegmentLayout.HeapTopOffset));
            Assert.Equal(freeList, ReadWord(segment, SegmentLayout.FreeListsOffset));
            Assert.Equal(1, segment.Recoveries);
        }

        // And the namespace works.
        await using var layer = IpcChannelLayer.Open(_namespace.Options());
        await layer.SendAsync("after", new ChannelMessage("after", new byte[] { 1 }), Ct);
        Assert.Equal(new byte[] { 1 }, (await layer.ReceiveAsync("after", Ct)).Payload.ToArray());
    }

    [Fact]
    public async Task A_process_killed_mid_traffic_wedges_nobody_loses_nothing_of_the_others_and_its_channels_and_memberships_go()
    {
        var options = _namespace.Options();
        options.SweepInterval = Sweep;
        options.Layer.Capacity = 1_000_000;
        await using var survivor = IpcChannelLayer.Open(options);
        var mine = new[] { await survivor.NewChannelAsync("survivor", Ct), await survivor.NewChannelAsync("survivor", Ct) };
        foreach (var channel in mine)
        {
            await survivor.GroupAddAsync("room", channel, Ct);
        }

        await using var victim = await IpcChild.StartAsync("member", _namespace.Directory, _namespace.Name, "room", "3", "work");
        var victimChannels = victim.Lines.Single(l => l.StartsWith("channels ", StringComparison.Ordinal))["channels ".Length..].Split(' ');
        Assert.Equal(5, (await survivor.GroupSendAsync("room", Numbered(-1), Ct)).Delivered);

        // Group sends go on while the victim is killed in the middle of its own sends (each a transaction).
        const int Count = 2_000;
        var killed = false;
        for (var n = 0; n < Count; n++)
        {
            var sent = survivor.GroupSendAsync("room", Numbered(n), Ct).AsTask();
            Assert.True(await Task.WhenAny(sent, Task.Delay(TimeSpan.FromSeconds(10), Ct)) == sent, "a group send was wedged");
            if (n == Count / 4)
            {
                await victim.KillAsync();
                killed = true;
            }
        }

        Assert.True(killed);

        // Every message addressed to the survivor arrived, in order, once.
        foreach (var channel in mine)
        {
            Assert.Equal(-1, Number(await survivor.ReceiveAsync(channel, Ct)));
            for (var n = 0; n < Count; n++)
            {
                Assert.Equal(n, Number(await survivor.ReceiveAsync(channel, Ct)));
            }
        }

        // The victim's messages to "work" that it committed are all readable (none half written).
        var work = 0;
        using (var quiet = CancellationTokenSource.CreateLinkedTokenSource(Ct))
        {
            quiet.CancelAfter(TimeSpan.FromMilliseconds(500));
            try
            {
                while (true)
                {
                    Assert.Equal(work++, BitConverter.ToInt64((await survivor.ReceiveAsync("work", quiet.Token)).Payload.Span));
                }
            }
            catch (OperationCanceledException) when (quiet.IsCancellationRequested && !Ct.IsCancellationRequested)
            {
            }
        }

        Assert.True(work > 1);

        // Within a few sweeps its memberships and its process-local channels are gone.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while ((await survivor.GroupSendAsync("room", Numbered(Count), Ct)).Delivered != 2)
        {
            Assert.True(DateTime.UtcNow < deadline, "the dead process's memberships were not removed");
            await Task.Delay(Sweep, Ct);
        }

        using var segment = SharedSegment.Open(_namespace.Directory, _namespace.Name, options.SegmentSize, options.MaxNames);
        var names = ChannelNames(segment);
        Assert.DoesNotContain(names, name => victimChannels.Contains(name));
    }

    private static ChannelMessage Numbered(int n) => new("tick", BitConverter.GetBytes(n));

    private static int Number(ChannelMessage message) => BitConverter.ToInt32(message.Payload.Span);

    private static long ReadWord(SharedSegment segment, long offset)
    {
        using var tx = segment.Begin();
        var value = tx.Read(offset);
        tx.Commit();
        return value;
    }

    private static List<string> ChannelNames(SharedSegment segment)
    {
        using var tx = segment.Begin();
        var names = new List<string>();
        foreach (var block in NameTable.All(tx, BlockKind.Channel))
        {
            names.Add(NameTable.ReadName(tx, tx.Read(Heap.Payload(block))));
        }

        tx.Commit();
        return names;
    }
}
