using Xunit;

namespace Switchyard.ChannelLayers.Specification;

/// <summary>Close: waiting receives fail, later operations throw, close is idempotent.</summary>
public abstract partial class ChannelLayerSpecificationTests
{
    /// <summary>Gets every operation, with the words its <see cref="ChannelLayerClosedException"/> message must contain.</summary>
    public static TheoryData<string, string> OperationsAfterClose => new()
    {
        { "send", "send" },
        { "receive", "receive" },
        { "new_channel", "create a channel" },
        { "group_add", "add to a group" },
        { "group_discard", "discard from a group" },
        { "group_send", "send to a group" },
        { "flush", "flush" },
    };

    [Fact]
    public async Task Closing_fails_waiting_receives_with_ChannelLayerClosedException()
    {
        var layer = await NewLayerAsync();
        using var timeout = new CancellationTokenSource(WaitTimeout);
        var receives = new[]
        {
            layer.ReceiveAsync(Name("a"), timeout.Token).AsTask(),
            layer.ReceiveAsync(Name("a"), timeout.Token).AsTask(),
            layer.ReceiveAsync(await LocalNameAsync(layer, "specific", "b"), timeout.Token).AsTask(),
        };
        Assert.DoesNotContain(receives, r => r.IsCompleted);

        await layer.CloseAsync().AsTask().WaitAsync(WaitTimeout);

        Assert.True(layer.IsClosed);
        foreach (var receive in receives)
        {
            await Assert.ThrowsAsync<ChannelLayerClosedException>(() => receive.WaitAsync(WaitTimeout));
        }
    }

    [Theory]
    [MemberData(nameof(OperationsAfterClose))]
    public async Task Every_operation_after_close_throws_ChannelLayerClosedException_naming_the_operation(string operation, string words)
    {
        var layer = await NewLayerAsync();
        if (operation.StartsWith("group_", StringComparison.Ordinal))
        {
            RequireCapability(layer, ChannelLayerCapabilities.Groups);
        }
        else if (operation == "flush")
        {
            RequireCapability(layer, ChannelLayerCapabilities.Flush);
        }

        await layer.CloseAsync();
        using var timeout = new CancellationTokenSource(WaitTimeout);

        var error = await Assert.ThrowsAsync<ChannelLayerClosedException>(async () =>
        {
            switch (operation)
            {
                case "send":
                    await layer.SendAsync(Name("chan"), Message("x"), timeout.Token);
                    break;
                case "receive":
                    await layer.ReceiveAsync(Name("chan"), timeout.Token);
                    break;
                case "new_channel":
                    await layer.NewChannelAsync(cancellationToken: timeout.Token);
                    break;
                case "group_add":
                    await layer.GroupAddAsync(Name("group"), Name("chan"), timeout.Token);
                    break;
                case "group_discard":
                    await layer.GroupDiscardAsync(Name("group"), Name("chan"), timeout.Token);
                    break;
                case "group_send":
                    await layer.GroupSendAsync(Name("group"), Message("x"), timeout.Token);
                    break;
                case "flush":
                    await layer.FlushAsync(timeout.Token);
                    break;
                default:
                    throw new ArgumentOutOfRangeException(nameof(operation), operation, "Unknown operation.");
            }
        });

        Assert.Contains(words, error.Message, StringComparison.Ordinal);
        Assert.Contains("closed", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Close_is_idempotent_and_dispose_closes()
    {
        var layer = await NewLayerAsync();
        Assert.False(layer.IsClosed);

        await layer.CloseAsync();
        await layer.CloseAsync();
        await layer.DisposeAsync();

        Assert.True(layer.IsClosed);
        await Assert.ThrowsAsync<ChannelLayerClosedException>(async () => await layer.SendAsync(Name("chan"), Message("x")));

        var disposed = await NewLayerAsync();
        await disposed.DisposeAsync();
        Assert.True(disposed.IsClosed);
        await Assert.ThrowsAsync<ChannelLayerClosedException>(async () => await disposed.ReceiveAsync(Name("chan")));
    }

    [Fact]
    public async Task Concurrent_closes_all_complete()
    {
        var layer = await NewLayerAsync();
        using var timeout = new CancellationTokenSource(WaitTimeout);
        var receive = layer.ReceiveAsync(Name("a"), timeout.Token).AsTask();

        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(async () => await layer.CloseAsync()))).WaitAsync(WaitTimeout);

        Assert.True(layer.IsClosed);
        await Assert.ThrowsAsync<ChannelLayerClosedException>(() => receive.WaitAsync(WaitTimeout));
    }

    [Fact]
    public async Task Receives_racing_with_close_all_end_and_none_hangs()
    {
        const int Iterations = 25;
        for (var iteration = 0; iteration < Iterations; iteration++)
        {
            var layer = await NewLayerAsync();

            // The receives' deadline starts once the close has returned: closing may take up to CloseTimeout, and a
            // receive may wait as long as the close does, but not after it.
            using var timeout = new CancellationTokenSource();
            var receives = new List<Task<ChannelMessage>>();

            // Receives start on this thread while another thread closes the layer, until a few after it closed.
            var close = Task.Run(async () => await layer.CloseAsync());
            for (var i = 0; receives.Count < 1_000 && (!close.IsCompleted || i < 4); i++)
            {
                receives.Add(ReceiveOrFailAsync(layer, Name($"c{receives.Count % 16}"), timeout.Token));
            }

            await close.WaitAsync(CloseTimeout);
            timeout.CancelAfter(WaitTimeout);
            foreach (var receive in receives)
            {
                // Whichever won, a receive that started around close must fail with the closed exception,
                // not keep waiting on a layer that will never deliver.
                var error = await Record.ExceptionAsync(() => receive);
                Assert.False(timeout.IsCancellationRequested, $"Iteration {iteration}: a receive racing with close kept waiting after the layer closed.");
                Assert.IsType<ChannelLayerClosedException>(error);
            }
        }

        static async Task<ChannelMessage> ReceiveOrFailAsync(ChannelLayer layer, string channel, CancellationToken cancellationToken) =>
            await layer.ReceiveAsync(channel, cancellationToken);
    }
}
