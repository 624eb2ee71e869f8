using Switchyard.Ipc.Tests.Support;
using Xunit;

namespace Switchyard.Ipc.Tests.Layer;

/// <summary>What the IPC layer does beyond the conformance kit: namespaces, file modes, ownership, a full segment.</summary>
public sealed class IpcChannelLayerTests : IDisposable
{
    private readonly IpcNamespace _namespace = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _namespace.Dispose();

    [Fact]
    public async Task Two_namespaces_in_one_directory_do_not_see_each_others_channels()
    {
        var other = _namespace.Options();
        other.Name = "other";
        await using var a = IpcChannelLayer.Open(_namespace.Options());
        await using var b = IpcChannelLayer.Open(other);

        await a.SendAsync("jobs", new ChannelMessage("jobs", new byte[] { 1 }), Ct);
        await b.SendAsync("jobs", new ChannelMessage("jobs", new byte[] { 2 }), Ct);

        Assert.Equal(new byte[] { 2 }, (await b.ReceiveAsync("jobs", Ct)).Payload.ToArray());
        Assert.Equal(new byte[] { 1 }, (await a.ReceiveAsync("jobs", Ct)).Payload.ToArray());
    }

    [Fact]
    public async Task The_directory_is_user_only_and_every_file_in_it_too()
    {
        await using var layer = IpcChannelLayer.Open(_namespace.Options());

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(_namespace.Directory));
        var files = Directory.GetFiles(_namespace.Directory);
        Assert.Contains(layer.SegmentPath, files);
        Assert.All(files, file => Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file)));
    }

    [Fact]
    public async Task A_directory_open_to_others_is_made_user_only()
    {
        Directory.CreateDirectory(_namespace.Directory);
        File.SetUnixFileMode(_namespace.Directory, (UnixFileMode)0b111_111_111);

        await using var layer = IpcChannelLayer.Open(_namespace.Options());

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(_namespace.Directory));
    }

    [Fact]
    public async Task A_receive_on_another_processs_local_channel_fails_at_once_naming_it_and_a_send_to_it_works()
    {
        await using var owner = IpcChannelLayer.Open(_namespace.Options());
        await using var other = IpcChannelLayer.Open(_namespace.Options());
        var channel = await owner.NewChannelAsync("reply", Ct);

        var error = await Assert.ThrowsAsync<ArgumentException>(async () => await other.ReceiveAsync(channel, Ct));
        Assert.Contains(channel, error.Message, StringComparison.Ordinal);

        await other.SendAsync(channel, new ChannelMessage("reply", new byte[] { 7 }), Ct);
        Assert.Equal(new byte[] { 7 }, (await owner.ReceiveAsync(channel, Ct)).Payload.ToArray());
    }

    [Fact]
    public async Task A_full_segment_fails_the_send_with_a_clear_error_and_keeps_what_it_holds()
    {
        var options = _namespace.Options();
        options.Layer.Capacity = 100_000;
        options.Layer.MaxMessageSize = 1 << 20;
        await using var layer = IpcChannelLayer.Open(options);
        var big = new ChannelMessage("blob", new byte[512 * 1024]);

        var sent = 0;
        var error = await Assert.ThrowsAsync<IpcLayerException>(async () =>
        {
            while (true)
            {
                await layer.SendAsync("blobs", big, Ct);
                sent++;
            }
        });

        Assert.Contains("SegmentSize", error.Message, StringComparison.Ordinal);
        Assert.InRange(sent, 1, 16);
        for (var i = 0; i < sent; i++)
        {
            Assert.Equal(big.Payload.Length, (await layer.ReceiveAsync("blobs", Ct)).Payload.Length);
        }

        // Receiving made room again.
        await layer.SendAsync("blobs", big, Ct);
    }

    [Fact]
    public async Task A_second_process_slot_is_taken_by_each_layer_and_given_back_on_close()
    {
        var first = IpcChannelLayer.Open(_namespace.Options());
        var channel = await first.NewChannelAsync("x", Ct);
        await first.DisposeAsync();

        await using var second = IpcChannelLayer.Open(_namespace.Options());
        var again = await second.NewChannelAsync("x", Ct);

        // The same slot (the first process's was given back), another incarnation: the names differ.
        Assert.Equal(channel[..(channel.IndexOf('!') - 12)], again[..(again.IndexOf('!') - 12)]);
        Assert.NotEqual(channel[..channel.IndexOf('!')], again[..again.IndexOf('!')]);
    }

    [Fact]
    public async Task Members_woken_together_by_group_sends_from_another_process_get_every_message_in_order()
    {
        var options = _namespace.Options();
        options.Layer.Capacity = 10_000;
        await using var sender = IpcChannelLayer.Open(options);
        await using var receiver = IpcChannelLayer.Open(options);
        var channels = new List<string>();
        for (var i = 0; i < 8; i++)
        {
            channels.Add(await receiver.NewChannelAsync("member", Ct));
            await receiver.GroupAddAsync("room", channels[^1], Ct);
        }

        const int Count = 500;
        var loops = channels.Select(channel => Task.Run(async () =>
        {
            var seen = new List<int>();
            while (seen.Count < Count)
            {
                seen.Add(BitConverter.ToInt32((await receiver.ReceiveAsync(channel, Ct)).Payload.Span));
            }

            return seen;
        })).ToArray();

        for (var n = 0; n < Count; n++)
        {
            Assert.Equal(channels.Count, (await sender.GroupSendAsync("room", new ChannelMessage("tick", BitConverter.GetBytes(n)), Ct)).Delivered);
        }

        foreach (var loop in loops)
        {
            Assert.Equal(Enumerable.Range(0, Count), await loop.WaitAsync(TimeSpan.FromSeconds(30), Ct));
        }
    }
}
