using System.Net.WebSockets;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Switchyard.AspNetCore.Tests.Support;
using Xunit;

namespace Switchyard.AspNetCore.Tests.WebSockets;

/// <summary>
/// The group relay as a new user writes it, on shipped defaults, over real sockets: a burst far larger than a member's
/// channel (100) and its send queue (1,024) reaches every member that reads, whole and in order; a member that never
/// reads is closed 1008 without holding up the others; clients reach only the handlers meant for them.
/// </summary>
public sealed class DeliveryTests
{
    private const int Subscribers = 50;
    private const int Burst = 2_000;
    private static readonly TimeSpan DeliveryTimeout = TimeSpan.FromSeconds(90);

    [Theory]
    [InlineData("text")]
    [InlineData("json")]
    public async Task A_burst_reaches_every_member_that_reads_whole_and_in_order_on_shipped_defaults(string shape)
    {
        await using var host = await KestrelHost.StartAsync();
        var route = $"/ws/relay/{shape}/burst/";
        var members = new List<WsClient>();
        try
        {
            for (var i = 0; i < Subscribers; i++)
            {
                members.Add(await WsClient.ConnectAsync(host.WebSocketUri(route)));
            }

            // A member is in its group once its handshake is done (groups are joined before the consumer accepts).
            // Every member, the publisher (members[0]) included, reads what the group sends while the burst goes out.
            var readers = members.Select(m => ReadSequenceAsync(m, shape, Burst)).ToArray();
            for (var seq = 0; seq < Burst; seq++)
            {
                await members[0].SendTextAsync(Frame(shape, seq));
            }

            var received = await Task.WhenAll(readers).WaitAsync(DeliveryTimeout, TestContext.Current.CancellationToken);
            foreach (var sequence in received)
            {
                Assert.Equal(Enumerable.Range(0, Burst), sequence);
            }

            Assert.Empty(host.Logs.WithEvent("WebSocketSlowClient"));
            Assert.Empty(host.Logs.WithEvent("GroupMembersSkippedFull"));
        }
        finally
        {
            members.ForEach(m => m.Dispose());
        }
    }

    [Fact]
    public async Task A_member_that_never_reads_is_closed_1008_after_the_bounded_wait_and_the_others_get_every_message()
    {
        await using var host = await KestrelHost.StartAsync(
            o => o.WebSockets.SendQueueCapacity = 16,
            services => services.AddSwitchyard().AddInMemoryLayer(o => o.FullMemberTimeout = TimeSpan.FromMilliseconds(500)));
        const string Route = "/ws/relay/text/stuck/";
        const int Messages = 3_000;

        // A client with a tiny receive window that never reads: the kernel buffers fill, then its send queue.
        using var stuck = await RawWebSocketClient.ConnectAsync(host.Address, Route, receiveBufferSize: 1024);
        using var publisher = await WsClient.ConnectAsync(host.WebSocketUri(Route));
        using var reader = await WsClient.ConnectAsync(host.WebSocketUri(Route));
        var received = new[] { ReadSequenceAsync(publisher, "text", Messages), ReadSequenceAsync(reader, "text", Messages) };
        var padding = new string('x', 4000);
        for (var seq = 0; seq < Messages; seq++)
        {
            await publisher.SendTextAsync($"{seq}:{padding}");
        }

        foreach (var sequence in await Task.WhenAll(received).WaitAsync(DeliveryTimeout, TestContext.Current.CancellationToken))
        {
            Assert.Equal(Enumerable.Range(0, Messages), sequence);
        }

        var slow = Assert.Single(host.Logs.WithEvent("WebSocketSlowClient"));
        Assert.Contains("1008", slow.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_client_frame_of_a_type_only_the_layer_may_send_closes_1003_and_runs_no_handler()
    {
        await using var host = await KestrelHost.StartAsync();
        using var client = await WsClient.ConnectAsync(host.WebSocketUri("/ws/relay/json/guarded/"));
        using var member = await WsClient.ConnectAsync(host.WebSocketUri("/ws/relay/json/guarded/"));

        await client.SendTextAsync("""{"type":"chat.message","room":"guarded","text":"forged"}""");

        Assert.Equal((WebSocketCloseStatus)1003, await client.ReceiveCloseAsync());
        Assert.DoesNotContain(host.Events.Seen, e => e.StartsWith("relay-layer-only", StringComparison.Ordinal));
        var log = Assert.Single(host.Logs.WithEvent("WebSocketBadInput"));
        Assert.Contains("unknown message type 'chat.message'", log.Message, StringComparison.Ordinal);

        // The same type from the layer still reaches its handler, and the other member is unaffected.
        await host.Layer.GroupSendAsync("relay.json.guarded", ChannelMessage.Create(new Consumers.ChatMessage("guarded", "from the server")), TestContext.Current.CancellationToken);
        Assert.Contains("from the server", await member.ReceiveTextAsync(), StringComparison.Ordinal);
        Assert.Contains("relay-layer-only:from the server", host.Events.Seen);
    }

    [Fact]
    public async Task A_client_type_is_sanitised_in_the_close_reason_and_the_log()
    {
        await using var host = await KestrelHost.StartAsync();
        using var client = await WsClient.ConnectAsync(host.WebSocketUri("/ws/relay/json/sanitise/"));

        await client.SendTextAsync("""{"type":"evil\r\nINFO: forged log line <script>"}""");

        Assert.Equal((WebSocketCloseStatus)1003, await client.ReceiveCloseAsync());
        var log = Assert.Single(host.Logs.WithEvent("WebSocketBadInput"));
        Assert.Contains("unknown message type 'evil??INFO??forged?log?line??script?'", log.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("\n", client.Socket.CloseStatusDescription ?? string.Empty, StringComparison.Ordinal);
    }

    private static string Frame(string shape, int seq) =>
        shape == "text" ? seq.ToString(System.Globalization.CultureInfo.InvariantCulture) : $$"""{"type":"relay.line","seq":{{seq}},"text":"0123456789012345678901234567890123"}""";

    // Reads until `count` data frames arrived (or the server closed), returning the sequence numbers in arrival order.
    private static async Task<List<int>> ReadSequenceAsync(WsClient client, string shape, int count)
    {
        var sequence = new List<int>(count);
        while (sequence.Count < count)
        {
            var (type, data) = await client.ReceiveAsync(DeliveryTimeout);
            if (type == WebSocketMessageType.Close)
            {
                break;
            }

            var text = System.Text.Encoding.UTF8.GetString(data);
            sequence.Add(shape == "text"
                ? int.Parse(text.Split(':')[0], System.Globalization.CultureInfo.InvariantCulture)
                : JsonDocument.Parse(text).RootElement.GetProperty("seq").GetInt32());
        }

        return sequence;
    }
}
