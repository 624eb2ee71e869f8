using Switchyard.Ipc.Tests.Support;
using Xunit;

namespace Switchyard.Ipc.Tests.Layer;

/// <summary>
/// Presence across processes on the IPC layer: a process present in a group is killed with SIGKILL; the next sweep of
/// another process removes its member and tells the group it left.
/// </summary>
public sealed class IpcPresenceCrashTests : IDisposable
{
    private readonly IpcNamespace _namespace = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _namespace.Dispose();

    [Fact]
    public async Task The_member_of_a_killed_process_leaves_and_the_group_is_told()
    {
        var options = _namespace.Options();
        options.SweepInterval = TimeSpan.FromMilliseconds(200);
        options.Layer.WithPresence("room");
        await using var survivor = IpcChannelLayer.Open(options);
        var mine = await survivor.NewChannelAsync("survivor", Ct);
        await survivor.JoinPresenceAsync("room", mine, "bob", cancellationToken: Ct);

        await using var victim = await IpcChild.StartAsync("presence-member", _namespace.Directory, _namespace.Name, "room", "alice");
        var theirs = victim.Lines.Single(l => l.StartsWith("channels ", StringComparison.Ordinal))["channels ".Length..];

        // Each process tells the group of its own joins: bob hears alice's from her process.
        var joined = new HashSet<string>(StringComparer.Ordinal);
        while (!joined.Contains("alice"))
        {
            var presence = await ReceivePresenceAsync(survivor, mine);
            Assert.Empty(presence.Leaves);
            joined.UnionWith(presence.Joins.Select(m => m.UserId!));
        }

        var alice = Assert.Single((await survivor.GroupPresenceAsync("room", cancellationToken: Ct)).Members, m => m.UserId == "alice");
        Assert.Equal((theirs, $"process {victim.Pid}"), (alice.Channel, alice.Info));
        Assert.Equal(2, await survivor.GroupMemberCountAsync("room", Ct));

        await victim.KillAsync();

        var left = await ReceivePresenceAsync(survivor, mine);
        Assert.Equal([alice], left.Leaves);
        Assert.Empty(left.Joins);
        Assert.Equal(1, left.Count);
        Assert.Equal(["bob"], (await survivor.GroupPresenceAsync("room", cancellationToken: Ct)).Members.Select(m => m.UserId));
    }

    private static async Task<PresenceEvent> ReceivePresenceAsync(ChannelLayer layer, string channel)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(10));
        var message = await layer.ReceiveAsync(channel, timeout.Token);
        Assert.Equal(PresenceEvent.MessageType, message.Type);
        return message.Read<PresenceEvent>();
    }
}
