using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Switchyard.Ipc.Tests.Support;
using Xunit;

namespace Switchyard.Ipc.Tests.Layer;

public sealed class IpcLayerRegistrationTests : IDisposable
{
    private readonly IpcNamespace _namespace = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _namespace.Dispose();

    [Fact]
    public async Task AddIpcLayer_replaces_the_in_memory_layer_and_two_containers_of_one_namespace_share_channels()
    {
        await using var first = new ServiceCollection().AddSwitchyard().AddIpcLayer(Configure).Services.BuildServiceProvider();
        await using var second = new ServiceCollection().AddSwitchyard().AddIpcLayer(Configure).Services.BuildServiceProvider();

        var sender = first.GetRequiredService<ChannelLayer>();
        var receiver = second.GetRequiredService<ChannelLayer>();
        Assert.IsType<IpcChannelLayer>(sender);
        Assert.NotSame(sender, receiver);

        var receive = receiver.ReceiveAsync("jobs.resize", Ct).AsTask();
        await sender.SendAsync("jobs.resize", new ChannelMessage("jobs.resize", "img-1"u8.ToArray()), Ct);
        Assert.Equal("img-1"u8.ToArray(), (await receive.WaitAsync(TimeSpan.FromSeconds(10), Ct)).Payload.ToArray());
    }

    [Fact]
    public async Task Options_come_from_configuration_and_Configure_of_the_options_reaches_the_layer_after_them()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Ipc:Name"] = "from-config",
            ["Ipc:Directory"] = _namespace.Directory,
            ["Ipc:SegmentSize"] = (8L << 20).ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Ipc:MaxNames"] = "1024",
            ["Ipc:Layer:Capacity"] = "7",
            ["Ipc:Layer:Expiry"] = "00:00:30",
        }).Build();
        var services = new ServiceCollection().AddSwitchyard().AddIpcLayer(configuration.GetSection("Ipc")).Services;
        services.Configure<IpcChannelLayerOptions>(o => o.Layer.Capacity = 9);
        await using var provider = services.BuildServiceProvider();

        var options = provider.GetRequiredService<IOptions<IpcChannelLayerOptions>>().Value;
        Assert.Equal("from-config", options.Name);
        Assert.Equal(1024, options.MaxNames);
        Assert.Equal(TimeSpan.FromSeconds(30), options.Layer.Expiry);
        Assert.Equal(9, provider.GetRequiredService<ChannelLayer>().Options.Capacity);
        Assert.StartsWith(_namespace.Directory, ((IpcChannelLayer)provider.GetRequiredService<ChannelLayer>()).SegmentPath, StringComparison.Ordinal);
    }

    [Fact]
    public void A_value_configuration_cannot_read_is_an_error_naming_its_key()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Ipc:SegmentSize"] = "lots" }).Build();
        using var provider = new ServiceCollection().AddSwitchyard().AddIpcLayer(configuration.GetSection("Ipc")).Services.BuildServiceProvider();

        var error = Assert.Throws<InvalidOperationException>(() => provider.GetRequiredService<IOptions<IpcChannelLayerOptions>>().Value);
        Assert.Contains("Ipc:SegmentSize", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Invalid_options_stop_the_hosts_start_naming_the_option()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddSwitchyard().AddIpcLayer(o =>
        {
            Configure(o);
            o.Name = "has a space";
        });
        using var host = builder.Build();

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync(Ct));
        Assert.Contains("IpcChannelLayerOptions.Name", error.Message, StringComparison.Ordinal);
    }

    private void Configure(IpcChannelLayerOptions options)
    {
        options.Name = _namespace.Name;
        options.Directory = _namespace.Directory;
        options.SegmentSize = 8L << 20;
        options.MaxNames = 1024;
    }
}
