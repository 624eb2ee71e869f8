using System.Diagnostics;
using System.Globalization;
using System.Text;
using Switchyard.Ipc.Tests.Support;
using Xunit;

namespace Switchyard.Ipc.Tests.Layer;

/// <summary>
/// A ring lost to a full doorbell queue (a Unix datagram socket queues <c>net.unix.max_dgram_qlen</c> datagrams, 10 by
/// default): the sender records it in the segment, the receiving process's next sweep takes it and looks at every
/// channel it waits on, and every message arrives. Real processes: the receiver is stopped with SIGSTOP while it is rung.
/// </summary>
public sealed class IpcLostRingTests : IDisposable
{
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(10);
    private readonly IpcNamespace _namespace = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _namespace.Dispose();

    [Fact]
    public async Task Rings_lost_while_the_receiver_is_stopped_are_made_up_by_its_sweep_and_every_message_reaches_its_forwarder()
    {
        // Forwarders, not receives: a waiting receive also looks again every second by itself, a forwarder does not, so
        // the messages whose rings were lost reach it through the missed-ring path or not at all.
        const int Channels = 64;
        const int PerChannel = 4;
        await using var sender = IpcChannelLayer.Open(_namespace.Options());
        await using var receiver = await IpcChild.StartAsync("forward", _namespace.Directory, _namespace.Name, Channels.ToString(CultureInfo.InvariantCulture), "100");
        var channels = receiver.Channels;
        Assert.Equal(Channels, channels.Length);
        using var view = SegmentView.Open(_namespace);
        var slot = view.SlotOf(receiver.Pid);
        Assert.True(slot >= 0, "the receiver has no slot in the process table");
        Assert.False(view.MissedRing(slot));

        // Its doorbell is not read while it is stopped: after the first few datagrams its queue is full.
        await receiver.StopOutsideTransactionsAsync(view, Within);
        for (var n = 0; n < PerChannel; n++)
        {
            foreach (var channel in channels)
            {
                await sender.SendAsync(channel, new ChannelMessage("text", Encoding.UTF8.GetBytes(n.ToString(CultureInfo.InvariantCulture))), Ct);
            }
        }

        Assert.True(view.MissedRing(slot), $"{Channels * PerChannel} rings to a stopped process all fitted in its doorbell's queue (net.unix.max_dgram_qlen: {QueueLength()}): none was lost, so this test shows nothing");
        Assert.DoesNotContain(receiver.Lines, line => line.StartsWith("got ", StringComparison.Ordinal));

        var continued = Stopwatch.StartNew();
        await receiver.ContinueAsync();
        await receiver.WaitUntilAsync(lines => lines.Count(line => line.StartsWith("got ", StringComparison.Ordinal)) >= Channels * PerChannel, Within);
        TestContext.Current.TestOutputHelper?.WriteLine($"All {Channels * PerChannel} messages forwarded {continued.ElapsedMilliseconds} ms after the receiver was continued.");

        // Its sweep took the lost ring (nothing else clears the mark), and each channel got its messages once, in order.
        Assert.False(view.MissedRing(slot));
        var got = receiver.Lines.Where(line => line.StartsWith("got ", StringComparison.Ordinal)).Select(line => line.Split(' ')).ToList();
        foreach (var channel in channels)
        {
            Assert.Equal(Enumerable.Range(0, PerChannel).Select(n => n.ToString(CultureInfo.InvariantCulture)), got.Where(parts => parts[1] == channel).Select(parts => parts[2]));
        }
    }

    // Datagrams a Unix datagram socket queues on Linux.
    private static string QueueLength() =>
        File.Exists("/proc/sys/net/unix/max_dgram_qlen") ? File.ReadAllText("/proc/sys/net/unix/max_dgram_qlen").Trim() : "unknown";
}
