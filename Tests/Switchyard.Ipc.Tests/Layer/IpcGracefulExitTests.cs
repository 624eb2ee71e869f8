using Switchyard.Ipc.Tests.Support;
using Xunit;

namespace Switchyard.Ipc.Tests.Layer;

/// <summary>
/// A process that stops normally (SIGTERM to a host with the layer registered) leaves the namespace as it exits: its
/// slot is free, its process-local channels and memberships are gone, before any other process sweeps.
/// </summary>
public sealed class IpcGracefulExitTests : IDisposable
{
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(10);
    private readonly IpcNamespace _namespace = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _namespace.Dispose();

    [Fact]
    public async Task A_process_that_exits_on_SIGTERM_has_left_the_namespace_when_it_is_gone_without_a_sweep()
    {
        // The survivor never sweeps during the test: whatever is gone, the leaving process removed itself.
        var options = _namespace.Options();
        options.SweepInterval = TimeSpan.FromHours(1);
        await using var survivor = IpcChannelLayer.Open(options);
        foreach (var channel in new[] { await survivor.NewChannelAsync("survivor", Ct), await survivor.NewChannelAsync("survivor", Ct) })
        {
            await survivor.GroupAddAsync("room", channel, Ct);
        }

        await using var leaving = await IpcChild.StartAsync("hosted-member", _namespace.Directory, _namespace.Name, "room", "3");
        var leavingChannels = leaving.Channels;
        using var view = SegmentView.Open(_namespace);
        var slot = view.SlotOf(leaving.Pid);
        Assert.True(slot >= 0, "the leaving process has no slot in the process table");
        Assert.Equal(5, (await survivor.GroupSendAsync("room", Message(), Ct)).Delivered);
        Assert.Subset(view.ChannelNames().ToHashSet(), leavingChannels.ToHashSet());

        Assert.Equal(0, await leaving.TerminateAsync(Within));

        // Right after its exit: its members are not counted, its channels (with the message queued for them) are gone,
        // its slot is free and its doorbell removed.
        Assert.Equal(2, (await survivor.GroupSendAsync("room", Message(), Ct)).Delivered);
        Assert.Empty(view.ChannelNames().Intersect(leavingChannels));
        Assert.Equal(0, view.Incarnation(slot));
        Assert.False(File.Exists(Path.Combine(_namespace.Directory, $"{_namespace.Name}.{slot}.bell")));

        // The next process takes the freed slot (a slot is taken over from a dead process only when no slot is free).
        await using var next = await IpcChild.StartAsync("hosted-member", _namespace.Directory, _namespace.Name, "room", "1");
        Assert.Equal(slot, view.SlotOf(next.Pid));
        Assert.Equal(3, (await survivor.GroupSendAsync("room", Message(), Ct)).Delivered);
    }

    private static ChannelMessage Message() => new("text", "hello"u8.ToArray());
}
