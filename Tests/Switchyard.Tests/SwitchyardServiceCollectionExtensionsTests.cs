using Xunit;
using Microsoft.Extensions.DependencyInjection;

namespace Switchyard.Tests;

public sealed class SwitchyardServiceCollectionExtensionsTests
{
    [Fact]
    public async Task AddSwitchyard_registers_the_in_memory_layer_as_the_default_singleton()
    {
        await using var services = new ServiceCollection().AddLogging().AddSwitchyard().Services.BuildServiceProvider();

        var layer = services.GetRequiredService<ChannelLayer>();

        Assert.IsType<InMemoryChannelLayer>(layer);
        Assert.Same(layer, services.GetRequiredService<ChannelLayer>());
        Assert.Equal(ChannelLayerOptions.DefaultCapacity, layer.Options.Capacity);
    }

    [Fact]
    public async Task AddInMemoryLayer_applies_its_options()
    {
        await using var services = new ServiceCollection()
            .AddSwitchyard()
            .AddInMemoryLayer(o => o.WithCapacity("http.response!*", 5).Capacity = 7)
            .Services.BuildServiceProvider();

        var layer = services.GetRequiredService<ChannelLayer>();

        Assert.Equal(7, layer.Options.GetCapacity("chat.room"));
        Assert.Equal(5, layer.Options.GetCapacity("http.response!abc"));
        await layer.SendAsync("http.response!abc", new ChannelMessage("http.response", new byte[] { 1 }), TestContext.Current.CancellationToken);
        Assert.Equal(1, ((InMemoryChannelLayer)layer).GetQueuedCount("http.response!abc"));
    }

    [Fact]
    public async Task Invalid_options_fail_when_the_layer_is_resolved_naming_the_option()
    {
        // Without a host nothing validates at start (see OptionsValidationTests in the ASP.NET Core tests); resolving
        // the options still runs the validator AddSwitchyard registered.
        await using var services = new ServiceCollection().AddSwitchyard().AddInMemoryLayer(o => o.Capacity = 0).Services.BuildServiceProvider();

        var error = Assert.Throws<Microsoft.Extensions.Options.OptionsValidationException>(() => services.GetRequiredService<ChannelLayer>());
        Assert.Contains("ChannelLayerOptions.Capacity must be at least 1, not 0.", error.Message, StringComparison.Ordinal);
    }
}
