using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OpenTelemetry.Trace;
using Switchyard.Redis.Tests.Support;
using Xunit;

namespace Switchyard.Redis.Tests.Layer;

/// <summary>OpenTelemetry's StackExchange.Redis instrumentation sees the layer's commands, wired as docs/channel-layers.md shows.</summary>
public sealed class RedisInstrumentationTests(OneRedisServer redis) : IClassFixture<OneRedisServer>
{
    [Fact]
    public async Task The_layers_connections_are_traced_by_OpenTelemetrys_Redis_instrumentation()
    {
        var ct = TestContext.Current.CancellationToken;
        var traced = new TaskCompletionSource<Activity>(TaskCreationOptions.RunContinuationsAsynchronously);
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddSwitchyard().AddRedisLayer(o =>
        {
            o.Servers.Add(redis.Servers[0].ConnectionString);
            o.Prefix = $"otel{Guid.NewGuid():N}";
        });
        builder.Services.AddOpenTelemetry().WithTracing(tracing => tracing
            .AddRedisInstrumentation(o => o.FlushInterval = TimeSpan.FromMilliseconds(100))
            .ConfigureRedisInstrumentation((services, instrumentation) =>
                (services.GetRequiredService<ChannelLayer>() as RedisChannelLayer)?.ObserveConnections(c => instrumentation.AddConnection(c)))
            .AddProcessor(new Signal(traced)));
        using var host = builder.Build();
        await host.StartAsync(ct);

        var layer = host.Services.GetRequiredService<ChannelLayer>();
        await layer.SendAsync("jobs.traced", new ChannelMessage("jobs.traced", "x"u8.ToArray()), ct);
        await layer.ReceiveAsync("jobs.traced", ct);

        // The layer's scripts run as EVALSHA; the instrumentation names each activity after its command.
        var activity = await traced.Task.WaitAsync(TimeSpan.FromSeconds(10), ct);
        Assert.Equal(ActivityKind.Client, activity.Kind);
        await host.StopAsync(ct);
    }

    /// <summary>Signals the first traced script call.</summary>
    private sealed class Signal(TaskCompletionSource<Activity> traced) : OpenTelemetry.BaseProcessor<Activity>
    {
        public override void OnEnd(Activity data)
        {
            if (data.DisplayName.Contains("EVALSHA", StringComparison.OrdinalIgnoreCase))
            {
                traced.TrySetResult(data);
            }
        }
    }
}
