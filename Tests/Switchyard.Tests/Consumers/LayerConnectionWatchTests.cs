using Switchyard.Tests.Support;
using Xunit;

namespace Switchyard.Tests.Consumers;

/// <summary>
/// Consumers hear of their layer's connection through the layer's O(1) watch list (not a multicast event, whose cost per
/// subscribe and unsubscribe grows with the number of consumers): every running consumer hears, a stopped one no longer does.
/// </summary>
public sealed class LayerConnectionWatchTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    [InlineData(4)]
    public async Task Running_consumers_hear_of_a_lost_connection_and_a_stopped_one_does_not(int stopped)
    {
        await using var layer = new FlakyLayer();
        var consumers = new ScriptedConsumer[5];
        var runners = new ConsumerRunner[5];
        for (var i = 0; i < consumers.Length; i++)
        {
            consumers[i] = new ScriptedConsumer();
            runners[i] = new ConsumerRunner(consumers[i], new ConsumerScope($"jobs.watch{i}"), layer);
            _ = runners[i].RunAsync(Ct);
            await consumers[i].Started.Task.WaitAsync(Timeout, Ct);
        }

        var raised = 0;
        layer.ConnectionChanged += (_, _) => Interlocked.Increment(ref raised);

        // The first started is last in the list, the last started first: 0, 2 and 4 take each place in turn.
        runners[stopped].Stop();
        Assert.Equal(ConsumerStopReason.Requested, await runners[stopped].Completion.WaitAsync(Timeout, Ct));

        layer.Disconnect(new IOException("server went away"));
        for (var i = 0; i < consumers.Length; i++)
        {
            if (i != stopped)
            {
                Assert.Equal("disconnected: server went away", await consumers[i].LayerEvents.Reader.ReadAsync(Ct).AsTask().WaitAsync(Timeout, Ct));
            }
        }

        Assert.Equal(1, Volatile.Read(ref raised));
        foreach (var runner in runners)
        {
            runner.Stop();
            await runner.Completion.WaitAsync(Timeout, Ct);
        }

        // The event of every running consumer was handled before it stopped (it takes its turn); the stopped one got none.
        Assert.False(consumers[stopped].LayerEvents.Reader.TryRead(out var late), $"A stopped consumer heard: {late}");
    }
}
