using System.Diagnostics;
using System.Net.WebSockets;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Switchyard.AspNetCore;

namespace Switchyard.Redis.Benchmarks.Resume;

/// <summary>
/// The resume of missed messages end to end: a Kestrel server in this process (the Redis layer with the history rule
/// <c>feed.*</c>, defaults) serving <see cref="ResumeFeedConsumer"/>; the batch is sent to the group through the layer,
/// then a client connects with <c>?since=</c> the position before it and the time runs from its connect until it has
/// the batch's last frame. Every frame is checked: the batch's messages, in order, then the notice saying all were
/// replayed.
/// </summary>
internal static class ResumeEndToEnd
{
    /// <summary>Runs <paramref name="repetitions"/> resumes (after 3 not counted) and returns each one's time in seconds.</summary>
    public static async Task<List<double>> RunAsync(string server, string prefix, int missed, int repetitions)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Services.AddSwitchyard().AddRedisLayer(o =>
        {
            o.Servers.Add(server);
            o.Prefix = prefix;
            o.Layer.WithGroupHistory("feed.*");
        });
        await using var app = builder.Build();
        app.MapSwitchyard();
        await app.StartAsync();
        var layer = app.Services.GetRequiredService<ChannelLayer>();
        var address = new Uri(app.Urls.First());

        // About 64 bytes of JSON per message: {"n":1000,"text":"..."}.
        var text = new string('x', 40);
        var times = new List<double>();
        const int WarmUp = 3;
        for (var i = 0; i < WarmUp + repetitions; i++)
        {
            var group = $"feed.e2e{i}";
            var before = (await layer.GroupHistoryAsync(group)).Position;
            for (var n = 1; n <= missed; n++)
            {
                await layer.GroupSendAsync(group, ChannelMessage.Create(new FeedItem(n, text)));
            }

            var uri = new Uri($"ws://{address.Authority}/ws/resume/e2e{i}/?since={Uri.EscapeDataString(before.ToString())}");
            var started = Stopwatch.GetTimestamp();
            using var client = new ClientWebSocket();
            await client.ConnectAsync(uri, CancellationToken.None);
            var buffer = new byte[64 * 1024];
            for (var n = 1; n <= missed; n++)
            {
                var frame = await ReceiveAsync(client, buffer);
                if (frame.GetProperty("type").GetString() != "bench.feed" || frame.GetProperty("n").GetInt32() != n)
                {
                    throw new InvalidOperationException($"Resume {i}: frame {n} was {frame}.");
                }
            }

            var took = Stopwatch.GetTimestamp() - started;
            var notice = await ReceiveAsync(client, buffer);
            if (notice.GetProperty("type").GetString() != "bench.resumed" || notice.GetProperty("replayed").GetInt32() != missed || notice.GetProperty("loss").GetString() != "None")
            {
                throw new InvalidOperationException($"Resume {i}: after the batch came {notice}.");
            }

            await client.CloseAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
            if (i >= WarmUp)
            {
                times.Add((double)took / Stopwatch.Frequency);
            }
        }

        await layer.FlushAsync();
        await app.StopAsync();
        return times;
    }

    // One whole text frame, as JSON; at most 10 s.
    private static async Task<JsonElement> ReceiveAsync(ClientWebSocket client, byte[] buffer)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var length = 0;
        while (true)
        {
            var result = await client.ReceiveAsync(buffer.AsMemory(length), timeout.Token);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                throw new InvalidOperationException($"The server closed the WebSocket ({client.CloseStatus} {client.CloseStatusDescription}).");
            }

            length += result.Count;
            if (result.EndOfMessage)
            {
                using var document = JsonDocument.Parse(buffer.AsMemory(0, length));
                return document.RootElement.Clone();
            }
        }
    }
}
