using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Switchyard.AspNetCore.Tests.Support;
using Xunit;

namespace Switchyard.AspNetCore.Tests.Http;

/// <summary>
/// Offloaded routes end to end: the interface server sends each request to the named channel with a reply channel,
/// the worker host (here in the same process, sharing the in-memory layer; across processes it needs the Redis layer)
/// answers, and the reply is streamed back.
/// </summary>
public sealed class OffloadTests : IAsyncLifetime
{
    private KestrelHost _host = null!;
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(10) };

    public async ValueTask InitializeAsync() => _host = await KestrelHost.StartAsync(
        o => o.OffloadTimeout = TimeSpan.FromMilliseconds(300),
        services => services.AddSwitchyard().AddWorker(o =>
        {
            o.Channels.Add("bigdata.process");
            o.Concurrency = 2;
        }),
        app => app.MapSwitchyardOffload("/offload/{**rest}", "bigdata.process"));

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        await _host.DisposeAsync();
    }

    [Fact]
    public async Task A_worker_answers_an_offloaded_request_and_the_reply_is_streamed_back()
    {
        using var content = new StringContent("payload");
        using var response = await _http.PostAsync(_host.HttpUri("/offload/reports/7"), content, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal("bigdata", response.Headers.GetValues("x-worker").Single());
        Assert.Equal("processed:payload", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Equal("worker:POST /offload/reports/7", await _host.Events.WaitForAsync("worker:"));
    }

    [Fact]
    public async Task No_reply_within_the_timeout_gets_504()
    {
        using var response = await _http.GetAsync(_host.HttpUri("/offload/slow"), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.GatewayTimeout, response.StatusCode);
        Assert.Contains(_host.Logs.WithEvent("OffloadTimedOut"), r => r.Message.Contains("bigdata.process", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Concurrent_requests_are_spread_over_the_workers_and_each_gets_its_own_reply()
    {
        var cancellation = TestContext.Current.CancellationToken;
        var requests = Enumerable.Range(0, 20).Select(async i =>
        {
            using var content = new StringContent($"n{i}");
            using var response = await _http.PostAsync(_host.HttpUri($"/offload/n/{i}"), content, cancellation);
            return await response.Content.ReadAsStringAsync(cancellation);
        });
        var bodies = await Task.WhenAll(requests);
        Assert.Equal(Enumerable.Range(0, 20).Select(i => $"processed:n{i}"), bodies);
    }
}
