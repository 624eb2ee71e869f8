using System.Globalization;
using Switchyard.Ipc.Tests.Support;
using Xunit;

namespace Switchyard.Ipc.Tests.Layer;

/// <summary>Joining a namespace while the processes already in it sweep: the joining process keeps the slot it took.</summary>
public sealed class IpcJoinTests : IDisposable
{
    private readonly IpcNamespace _namespace = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _namespace.Dispose();

    [Fact]
    public async Task A_process_joining_while_another_sweeps_is_never_taken_for_dead()
    {
        // A sweep probes every registered slot's liveness lock; one that ran between a joiner's registration and its
        // taking that lock found the slot's lock free and freed the slot of a live process (its channels and
        // memberships then went at every sweep). Many joins against a sweep every millisecond give it every chance.
        var sweeping = _namespace.Options();
        sweeping.SweepInterval = TimeSpan.FromMilliseconds(1);
        await using var sweeper = IpcChannelLayer.Open(sweeping);
        using var view = SegmentView.Open(_namespace);
        for (var join = 0; join < 1000; join++)
        {
            await using var joiner = IpcChannelLayer.Open(_namespace.Options());
            var (slot, incarnation) = OwnerOf(await joiner.NewChannelAsync("joiner", Ct));
            Assert.True(view.Incarnation(slot) == incarnation, $"Join {join}: the joiner's slot {slot} was freed by a sweep while the joiner lives.");
        }
    }

    // The slot and incarnation in a process-local channel's name: "{prefix}.ipc{slot: 2 hex}{incarnation: 12 hex}!{suffix}".
    private static (int Slot, long Incarnation) OwnerOf(string channel)
    {
        var part = channel[(channel.LastIndexOf('.', channel.IndexOf('!', StringComparison.Ordinal)) + 1)..channel.IndexOf('!', StringComparison.Ordinal)];
        Assert.StartsWith("ipc", part, StringComparison.Ordinal);
        return (int.Parse(part[3..5], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture), long.Parse(part[5..], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture));
    }
}
