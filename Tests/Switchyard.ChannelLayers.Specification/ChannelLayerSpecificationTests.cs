using System.Diagnostics.Metrics;
using System.Text;
using Xunit;

namespace Switchyard.ChannelLayers.Specification;

/// <summary>
/// The channel-layer conformance kit: Django Channels' channel-layer semantics stated once, as tests. Every
/// backend's test project inherits this class unchanged and implements <see cref="CreateLayerAsync"/>.
/// </summary>
/// <remarks>
/// <para>The kit uses only the public <see cref="ChannelLayer"/> API. Tests that need a capability
/// (<see cref="ChannelLayerCapabilities.Groups"/>, <see cref="ChannelLayerCapabilities.Flush"/>,
/// <see cref="ChannelLayerCapabilities.Capacity"/>, <see cref="ChannelLayerCapabilities.Expiry"/>,
/// <see cref="ChannelLayerCapabilities.Queued"/>, <see cref="ChannelLayerCapabilities.GroupMemberCounts"/>) skip
/// themselves on layers that lack it. Tests without <see cref="ChannelLayerCapabilities.Queued"/> start their receive
/// before the send, so they hold for a layer that delivers only to listening receivers.</para>
/// <para>Time-based tests move a <see cref="ManualTimeProvider"/>; nothing sleeps to let time pass. Every wait has
/// a timeout; "nothing arrives" is asserted with a receive cancelled after a short quiet period.</para>
/// <para>Channel and group names carry a per-test random tag, so backends that share a server between tests
/// running in parallel do not see each other's messages.</para>
/// </remarks>
public abstract partial class ChannelLayerSpecificationTests : IAsyncLifetime
{
    /// <summary>How long a test waits for something that should happen.</summary>
    protected static readonly TimeSpan WaitTimeout = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Gets how long a test waits for a layer's close that races with a thousand receives: <see cref="WaitTimeout"/>,
    /// unless closing the layer includes more than the layer (a layer in another process also ends that process).
    /// </summary>
    protected virtual TimeSpan CloseTimeout => WaitTimeout;

    /// <summary>How long a test waits to conclude that nothing arrives.</summary>
    protected static readonly TimeSpan QuietPeriod = TimeSpan.FromMilliseconds(100);

    /// <summary>The message type the kit's messages carry.</summary>
    protected const string TestMessageType = "spec.message";

    private readonly Lock _lock = new();
    private readonly List<ChannelLayer> _layers = [];

    /// <summary>Creates the test; xunit creates one instance per test.</summary>
    protected ChannelLayerSpecificationTests()
    {
        TestId = Guid.NewGuid().ToString("N")[..8];
    }

    /// <summary>Gets the clock every layer of this test uses.</summary>
    protected ManualTimeProvider Time { get; } = new();

    /// <summary>Gets the meter factory every layer of this test uses.</summary>
    protected TestMeterFactory MeterFactory { get; } = new();

    /// <summary>Gets a random tag, unique to this test, that the kit puts in every channel and group name.</summary>
    protected string TestId { get; }

    /// <inheritdoc />
    public virtual ValueTask InitializeAsync() => ValueTask.CompletedTask;

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await DisposeAsyncCore();
        GC.SuppressFinalize(this);
    }

    /// <summary>Creates the layer under test. The kit closes it after the test.</summary>
    /// <param name="options">The semantics to enforce.</param>
    /// <param name="timeProvider">The clock for expiry and group expiry (a <see cref="ManualTimeProvider"/>).</param>
    /// <param name="meterFactory">Where the layer's metrics go (a <see cref="TestMeterFactory"/>).</param>
    /// <returns>A new, empty layer.</returns>
    protected abstract ValueTask<ChannelLayer> CreateLayerAsync(ChannelLayerOptions options, TimeProvider timeProvider, IMeterFactory meterFactory);

    /// <summary>Closes every layer the test created and disposes the meters.</summary>
    /// <returns>A task that completes when done.</returns>
    protected virtual async ValueTask DisposeAsyncCore()
    {
        ChannelLayer[] layers;
        lock (_lock)
        {
            layers = [.. _layers];
            _layers.Clear();
        }

        foreach (var layer in layers)
        {
            await layer.DisposeAsync();
        }

        MeterFactory.Dispose();
    }

    /// <summary>Creates a layer through <see cref="CreateLayerAsync"/> with the test's clock and meters, and tracks it for disposal.</summary>
    /// <param name="options">The options; defaults when <see langword="null"/>.</param>
    /// <returns>The layer.</returns>
    protected async Task<ChannelLayer> NewLayerAsync(ChannelLayerOptions? options = null)
    {
        var layer = await CreateLayerAsync(options ?? new ChannelLayerOptions(), Time, MeterFactory);
        Assert.NotNull(layer);
        lock (_lock)
        {
            _layers.Add(layer);
        }

        return layer;
    }

    /// <summary>Returns a channel or group name unique to this test: <c>{stem}-{TestId}</c>.</summary>
    /// <param name="stem">A valid name part.</param>
    /// <returns>The name.</returns>
    protected string Name(string stem) => $"{stem}-{TestId}";

    /// <summary>
    /// Returns a process-local channel name of <paramref name="layer"/>'s process, unique to this test: the part before
    /// the <c>!</c> of a name from <see cref="ChannelLayer.NewChannelAsync"/> (prefix <c>{stem}-{TestId}</c>), then
    /// <paramref name="suffix"/>. A layer may refuse to receive on process-local names it did not make (Redis does).
    /// </summary>
    /// <param name="layer">The layer whose process owns the name.</param>
    /// <param name="stem">A valid name part.</param>
    /// <param name="suffix">The local part.</param>
    /// <returns>The name.</returns>
    protected async Task<string> LocalNameAsync(ChannelLayer layer, string stem, string suffix)
    {
        ArgumentNullException.ThrowIfNull(layer);
        var made = await layer.NewChannelAsync(Name(stem));
        return ChannelNames.NonLocalPart(made) + suffix;
    }

    /// <summary>Returns a valid name of exactly <paramref name="length"/> characters unique to this test.</summary>
    /// <param name="length">The length; at least 12.</param>
    /// <returns>The name.</returns>
    protected string NameOfLength(int length)
    {
        var stem = Name("n") + ".";
        return stem + new string('x', length - stem.Length);
    }

    /// <summary>Creates a message whose payload is <paramref name="text"/> in UTF-8.</summary>
    /// <param name="text">The payload text.</param>
    /// <param name="headers">Optional headers.</param>
    /// <returns>The message.</returns>
    protected static ChannelMessage Message(string text, MessageHeaders headers = default) =>
        new(TestMessageType, Encoding.UTF8.GetBytes(text), headers);

    /// <summary>Creates a message with a payload of <paramref name="size"/> bytes.</summary>
    /// <param name="size">The payload size.</param>
    /// <returns>The message.</returns>
    protected static ChannelMessage MessageOfSize(int size) => new(TestMessageType, new byte[size]);

    /// <summary>Returns the payload of <paramref name="message"/> as UTF-8 text.</summary>
    /// <param name="message">The message.</param>
    /// <returns>The text.</returns>
    protected static string Text(ChannelMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        return Encoding.UTF8.GetString(message.Payload.Span);
    }

    /// <summary>Receives from <paramref name="channel"/>, failing the test if nothing arrives within <see cref="WaitTimeout"/>.</summary>
    /// <param name="layer">The layer.</param>
    /// <param name="channel">The channel.</param>
    /// <returns>The message.</returns>
    protected static async Task<ChannelMessage> ReceiveWithinAsync(ChannelLayer layer, string channel)
    {
        ArgumentNullException.ThrowIfNull(layer);
        using var timeout = new CancellationTokenSource(WaitTimeout);
        try
        {
            return await layer.ReceiveAsync(channel, timeout.Token);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            Assert.Fail($"No message arrived on '{channel}' within {WaitTimeout.TotalSeconds} s.");
            throw;
        }
    }

    /// <summary>Receives a message from <paramref name="channel"/> and returns its payload text.</summary>
    /// <param name="layer">The layer.</param>
    /// <param name="channel">The channel.</param>
    /// <returns>The text.</returns>
    protected static async Task<string> ReceiveTextAsync(ChannelLayer layer, string channel) =>
        Text(await ReceiveWithinAsync(layer, channel));

    /// <summary>Asserts that no message arrives on any of <paramref name="channels"/> within one <see cref="QuietPeriod"/>.</summary>
    /// <param name="layer">The layer.</param>
    /// <param name="channels">The channels, watched at the same time.</param>
    /// <returns>A task that completes when the quiet period has passed.</returns>
    protected static async Task AssertNothingArrivesAsync(ChannelLayer layer, params string[] channels)
    {
        ArgumentNullException.ThrowIfNull(layer);
        ArgumentNullException.ThrowIfNull(channels);
        using var quiet = new CancellationTokenSource(QuietPeriod);
        var receives = channels.Select(channel => layer.ReceiveAsync(channel, quiet.Token).AsTask()).ToArray();
        try
        {
            await Task.WhenAll(receives).WaitAsync(WaitTimeout);
        }
        catch (OperationCanceledException) when (quiet.IsCancellationRequested)
        {
            // Expected for every channel; checked one by one below.
        }

        for (var i = 0; i < channels.Length; i++)
        {
            if (receives[i].IsCompletedSuccessfully)
            {
                Assert.Fail($"Expected no message on '{channels[i]}', but received '{Text(receives[i].Result)}'.");
            }

            // A receive that ended for any other reason than the quiet period's cancellation is a failure too.
            var error = await Record.ExceptionAsync(() => receives[i]);
            Assert.IsAssignableFrom<OperationCanceledException>(error);
        }
    }

    /// <summary>Skips the test when <paramref name="layer"/> lacks <paramref name="capability"/>.</summary>
    /// <param name="layer">The layer.</param>
    /// <param name="capability">The capability the test needs.</param>
    protected static void RequireCapability(ChannelLayer layer, ChannelLayerCapabilities capability)
    {
        ArgumentNullException.ThrowIfNull(layer);
        if ((layer.Capabilities & capability) != capability)
        {
            Assert.Skip($"The {layer.Name} channel layer lacks the {capability} capability.");
        }
    }

    /// <summary>Creates a layer and skips the test when it has no groups.</summary>
    /// <param name="options">The options.</param>
    /// <returns>The layer.</returns>
    protected async Task<ChannelLayer> NewGroupLayerAsync(ChannelLayerOptions? options = null)
    {
        var layer = await NewLayerAsync(options);
        RequireCapability(layer, ChannelLayerCapabilities.Groups);
        return layer;
    }
}
