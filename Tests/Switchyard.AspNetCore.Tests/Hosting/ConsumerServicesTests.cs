using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Switchyard.AspNetCore.Tests.Support;
using Xunit;

namespace Switchyard.AspNetCore.Tests.Hosting;

/// <summary>
/// A consumer whose constructor needs a service nobody registered is found when the host starts — by the interface
/// server when it maps its routes, by the worker when it starts — with the consumer, its route and the service named,
/// instead of an HTTP 500 at the first connection. (This project's consumers take <see cref="ConsumerEvents"/>.)
/// </summary>
public sealed class ConsumerServicesTests
{
    [Fact]
    public void Mapping_the_routes_fails_naming_each_consumer_and_its_missing_service()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Services.AddSwitchyard();
        var app = builder.Build();

        var failure = Assert.Throws<InvalidOperationException>(() => app.MapSwitchyard());

        Assert.Contains("ChatConsumer (WebSocket '/ws/chat/{room}/') needs Switchyard.AspNetCore.Tests.Support.ConsumerEvents", failure.Message, StringComparison.Ordinal);
        Assert.Contains("EchoConsumer (WebSocket '/ws/echo/') needs Switchyard.AspNetCore.Tests.Support.ConsumerEvents", failure.Message, StringComparison.Ordinal);
        Assert.Contains("Register the missing services", failure.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("BigDataWorker", failure.Message, StringComparison.Ordinal); // a worker's consumer, not mapped here
    }

    [Fact]
    public void With_the_service_registered_the_routes_map()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Services.AddSingleton<ConsumerEvents>();
        builder.Services.AddSwitchyard();
        var app = builder.Build();

        Assert.NotNull(app.MapSwitchyard());
    }

    [Fact]
    public async Task A_worker_whose_consumer_needs_a_missing_service_does_not_start()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddSwitchyard().AddWorker(o => o.Channels.Add("bigdata.process"));
        using var host = builder.Build();

        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => host.StartAsync(TestContext.Current.CancellationToken));

        Assert.Contains("BigDataWorker (Channel 'bigdata.process') needs Switchyard.AspNetCore.Tests.Support.ConsumerEvents", failure.Message, StringComparison.Ordinal);
    }
}
