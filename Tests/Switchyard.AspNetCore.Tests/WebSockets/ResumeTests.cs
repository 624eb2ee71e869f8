using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Switchyard.AspNetCore.Tests.Consumers;
using Switchyard.AspNetCore.Tests.Support;
using Xunit;

namespace Switchyard.AspNetCore.Tests.WebSockets;

/// <summary>Resume after reconnect: a client that comes back with its last position gets what it missed, then live messages, none twice.</summary>
public sealed class ResumeTests : IAsyncLifetime
{
    private KestrelHost _host = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _host = await KestrelHost.StartAsync(
        services: services => services.Configure<ChannelLayerOptions>(o => o.WithGroupHistory("feed.*", maxCount: 100_000)));

    public async ValueTask DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task A_client_that_comes_back_with_its_position_gets_the_missed_messages_in_order_then_live_ones()
    {
        var start = (await _host.Layer.GroupHistoryAsync("feed.news", cancellationToken: Ct)).Position;
        for (var i = 1; i <= 5; i++)
        {
            await _host.Layer.GroupSendAsync("feed.news", ChannelMessage.Create(new ChatMessage("news", $"n{i}")), Ct);
        }

        using var client = await ConnectAsync("news", new GroupPosition(start.Epoch, 2));

        // Replayed frames are the frames the forwarding path sends live: each ends with its position.
        var replayed = new[] { await client.ReceiveTextAsync(), await client.ReceiveTextAsync(), await client.ReceiveTextAsync() };
        Assert.Equal(["n3", "n4", "n5"], replayed.Select(Text));
        Assert.Equal([$"{start.Epoch}:3", $"{start.Epoch}:4", $"{start.Epoch}:5"], replayed.Select(Position));
        var resumed = JsonDocument.Parse(await client.ReceiveTextAsync()).RootElement;
        Assert.Equal(3, resumed.GetProperty("replayed").GetInt32());
        Assert.Equal(new GroupPosition(start.Epoch, 5).ToString(), resumed.GetProperty("position").GetString());
        Assert.Equal("None", resumed.GetProperty("loss").GetString());

        await _host.Layer.GroupSendAsync("feed.news", ChannelMessage.Create(new ChatMessage("news", "n6")), Ct);
        var live = await client.ReceiveTextAsync();
        Assert.Equal("""{"type":"chat.message","room":"news","text":"n6","position":""" + $"\"{start.Epoch}:6\"}}", live);
    }

    [Fact]
    public async Task Messages_sent_while_a_client_resumes_arrive_exactly_once_and_in_order()
    {
        var start = (await _host.Layer.GroupHistoryAsync("feed.busy", cancellationToken: Ct)).Position;
        var sent = 0;
        var connecting = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var resumed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        // The sender keeps going while the client connects and replays, and 50 messages past its notice: some messages
        // are only in the history, some in the history and live at once, some only live.
        var sender = Task.Run(
            async () =>
            {
                var after = 0;
                while (after < 50 && sent < 20_000)
                {
                    await _host.Layer.GroupSendAsync("feed.busy", ChannelMessage.Create(new ChatMessage("busy", $"n{sent + 1}")), Ct);
                    sent++;
                    if (sent == 100)
                    {
                        connecting.SetResult();
                    }

                    after += resumed.Task.IsCompleted ? 1 : 0;
                }
            },
            Ct);

        await connecting.Task.WaitAsync(TimeSpan.FromSeconds(10), Ct);
        using var client = await ConnectAsync("busy", start);
        var texts = new List<string>();
        while (!resumed.Task.IsCompleted)
        {
            var frame = await client.ReceiveTextAsync();
            if (frame.Contains("\"test.resumed\"", StringComparison.Ordinal))
            {
                resumed.SetResult();
            }
            else
            {
                texts.Add(Text(frame));
            }
        }

        await sender.WaitAsync(TimeSpan.FromSeconds(30), Ct);
        while (texts.Count < sent)
        {
            texts.Add(Text(await client.ReceiveTextAsync()));
        }

        Assert.Equal(Enumerable.Range(1, sent).Select(i => $"n{i}"), texts);
        await AssertNothingMoreAsync(client);
    }

    [Fact]
    public async Task A_position_the_history_cannot_serve_is_told_and_live_messages_still_arrive()
    {
        await _host.Layer.GroupSendAsync("feed.lost", ChannelMessage.Create(new ChatMessage("lost", "old")), Ct);

        using var client = await ConnectAsync("lost", new GroupPosition("anotherepoch", 7));

        var resumed = JsonDocument.Parse(await client.ReceiveTextAsync()).RootElement;
        Assert.Equal("EpochChanged", resumed.GetProperty("loss").GetString());
        Assert.Equal(0, resumed.GetProperty("replayed").GetInt32());
        await _host.Layer.GroupSendAsync("feed.lost", ChannelMessage.Create(new ChatMessage("lost", "live")), Ct);
        Assert.Equal("live", Text(await client.ReceiveTextAsync()));
    }

    [Fact]
    public async Task Without_a_position_the_client_learns_the_latest_one_and_gets_only_live_messages()
    {
        await _host.Layer.GroupSendAsync("feed.fresh", ChannelMessage.Create(new ChatMessage("fresh", "before")), Ct);

        using var client = await ConnectAsync("fresh", since: null);

        var resumed = JsonDocument.Parse(await client.ReceiveTextAsync()).RootElement;
        Assert.EndsWith(":1", resumed.GetProperty("position").GetString(), StringComparison.Ordinal);
        Assert.Equal(0, resumed.GetProperty("replayed").GetInt32());
        await _host.Layer.GroupSendAsync("feed.fresh", ChannelMessage.Create(new ChatMessage("fresh", "after")), Ct);
        Assert.Equal("after", Text(await client.ReceiveTextAsync()));
    }

    [Fact]
    public async Task Resuming_a_group_that_keeps_no_history_fails_the_consumer_and_leaves_it_in_no_group()
    {
        await using var host = await KestrelHost.StartAsync();

        using var client = await WsClient.ConnectAsync(host.WebSocketUri("/ws/feed/plain/?since=0123456789abcdef:1"));

        Assert.Equal(System.Net.WebSockets.WebSocketCloseStatus.InternalServerError, await client.ReceiveCloseAsync());
        var failed = Assert.Single(await host.Logs.WaitForCountAsync("LifecycleHookFailed", 1));
        Assert.Contains("keeps no history", failed.Exception?.Message, StringComparison.Ordinal);
        Assert.Equal(0, await host.Layer.GroupMemberCountAsync("feed.plain", Ct));
    }

    private static string? Position(string frame) => JsonDocument.Parse(frame).RootElement.GetProperty("position").GetString();

    private static string Text(string frame)
    {
        var root = JsonDocument.Parse(frame).RootElement;
        Assert.Equal("chat.message", root.GetProperty("type").GetString());
        return root.GetProperty("text").GetString()!;
    }

    private static async Task AssertNothingMoreAsync(WsClient client)
    {
        var error = await Record.ExceptionAsync(() => client.ReceiveTextAsync(TimeSpan.FromMilliseconds(200)));
        Assert.IsAssignableFrom<OperationCanceledException>(error);
    }

    private Task<WsClient> ConnectAsync(string name, GroupPosition? since) =>
        WsClient.ConnectAsync(_host.WebSocketUri(since is { } position ? $"/ws/feed/{name}/?since={Uri.EscapeDataString(position.ToString())}" : $"/ws/feed/{name}/"));
}
