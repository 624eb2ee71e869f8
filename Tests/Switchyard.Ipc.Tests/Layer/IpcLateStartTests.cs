using System.Globalization;
using Switchyard.Ipc.Tests.Support;
using Xunit;

namespace Switchyard.Ipc.Tests.Layer;

/// <summary>
/// Processes of a namespace start in any order (real processes, Tests/Switchyard.Ipc.TestProcess): what a sender queued
/// before its receiver started waits in the segment for it, even after the sender exited; a receiver that started
/// before any sender existed is rung by the first one.
/// </summary>
public sealed class IpcLateStartTests : IDisposable
{
    private const int Messages = 20;
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(10);
    private readonly IpcNamespace _namespace = new();

    public void Dispose() => _namespace.Dispose();

    [Fact]
    public async Task What_a_sender_queued_before_its_receiver_started_reaches_the_receiver_when_it_starts_after_the_sender_exited()
    {
        Assert.False(Directory.Exists(_namespace.Directory));

        // The sender makes the namespace, sends to a plain channel and to a group (its member a plain channel), and exits.
        await using (var sender = await IpcChild.StartAsync("send", _namespace.Directory, _namespace.Name, "late.inbox", "late.room", "late.member", Count(Messages)))
        {
            Assert.Contains($"delivered {Messages}", sender.Lines);
            Assert.Equal(0, await sender.WaitForExitAsync(Within));
        }

        // The receiver starts afterwards and gets all of it, each channel in order.
        await using var receiver = await IpcChild.StartAsync("receive", _namespace.Directory, _namespace.Name, "late.room", "late.inbox", "late.member");
        await receiver.WaitUntilAsync(lines => Got(lines, "late.inbox").Count >= Messages && Got(lines, "late.member").Count >= Messages, Within);
        Assert.Equal(Numbered("late.inbox"), Got(receiver.Lines, "late.inbox"));
        Assert.Equal(Numbered("late.room"), Got(receiver.Lines, "late.member"));
    }

    [Fact]
    public async Task A_receiver_that_started_before_any_sender_existed_gets_what_a_later_sender_sends_to_its_channel_and_its_group()
    {
        // The receiver makes the namespace: it waits on a plain channel, and on a channel of its own it added to a group.
        await using var receiver = await IpcChild.StartAsync("receive", _namespace.Directory, _namespace.Name, "early.room", "early.inbox");
        var own = Assert.Single(receiver.Channels);

        await using (var sender = await IpcChild.StartAsync("send", _namespace.Directory, _namespace.Name, "early.inbox", "early.room", "-", Count(Messages)))
        {
            Assert.Contains($"delivered {Messages}", sender.Lines);
            Assert.Equal(0, await sender.WaitForExitAsync(Within));
        }

        await receiver.WaitUntilAsync(lines => Got(lines, "early.inbox").Count >= Messages && Got(lines, own).Count >= Messages, Within);
        Assert.Equal(Numbered("early.inbox"), Got(receiver.Lines, "early.inbox"));
        Assert.Equal(Numbered("early.room"), Got(receiver.Lines, own));
    }

    private static string Count(int n) => n.ToString(CultureInfo.InvariantCulture);

    // What the sender sends to a channel or group: "<name> <n>" for n = 0 to Messages - 1.
    private static List<string> Numbered(string name) => [.. Enumerable.Range(0, Messages).Select(n => $"{name} {Count(n)}")];

    // What the receiver printed as received on a channel ("got <channel> <text>"), in order.
    private static List<string> Got(IEnumerable<string> lines, string channel) =>
        [.. lines.Where(line => line.StartsWith($"got {channel} ", StringComparison.Ordinal)).Select(line => line[$"got {channel} ".Length..])];
}
