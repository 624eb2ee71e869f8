using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;

namespace Switchyard.Generators.Benchmarks;

/// <summary>
/// Dispatching one pre-built <see cref="ChannelMessage"/> to its handler: the generated
/// <see cref="IConsumerDispatcher.TryDispatch"/> of <see cref="GeneratedConsumer"/>, the same switch written by hand,
/// and a reflection dispatcher. Every one decodes the payload with the record's generated <c>Read</c> (reflection
/// through <see cref="ChannelMessage.Read{T}"/>) and calls a handler that adds a number and returns a completed
/// <see cref="ValueTask"/>.
/// </summary>
/// <remarks>
/// <c>First</c> is the first case label of the eight (<c>chat.join</c>), <c>Last</c> the eighth (<c>room.topic</c>).
/// All three are called through the <see cref="IConsumerDispatcher"/> interface, as the consumer runner calls them.
/// </remarks>
[MemoryDiagnoser]
[MedianColumn]
[CategoriesColumn]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[SimpleJob(launchCount: 1, warmupCount: 8, iterationCount: 30)]
public class DispatchBenchmarks
{
    private IConsumerDispatcher _generated = null!;
    private IConsumerDispatcher _handWritten = null!;
    private IConsumerDispatcher _reflection = null!;
    private ChannelMessage _first = null!;
    private ChannelMessage _last = null!;

    /// <summary>Builds the three dispatchers and the two envelopes.</summary>
    [GlobalSetup]
    public void Setup()
    {
        var generated = new GeneratedConsumer();
        _generated = generated;
        _handWritten = new HandWrittenConsumer();
        var reflection = new ReflectionDispatcher(new GeneratedConsumer());
        if (reflection.Count != 8)
        {
            throw new InvalidOperationException($"The reflection dispatcher found {reflection.Count} handlers, not 8.");
        }

        _reflection = reflection;
        _first = ChannelMessage.Create(new ChatJoin(1, 638_990_000_000_000_000));
        _last = ChannelMessage.Create(new RoomTopic(8, 638_990_000_000_000_000));
        foreach (var dispatcher in new[] { _generated, _handWritten, _reflection })
        {
            if (!Dispatch(dispatcher, _first) || !Dispatch(dispatcher, _last))
            {
                throw new InvalidOperationException($"{dispatcher.GetType().Name} did not dispatch.");
            }
        }

        if (generated.Total != 9)
        {
            throw new InvalidOperationException($"The generated dispatcher's handlers added up to {generated.Total}, not 9.");
        }
    }

    /// <summary>Generated switch, first case.</summary>
    /// <returns>Whether a handler took the message.</returns>
    [Benchmark]
    [BenchmarkCategory("First")]
    public bool DispatchFirst_Switchyard() => Dispatch(_generated, _first);

    /// <summary>Hand-written switch, first case.</summary>
    /// <returns>Whether a handler took the message.</returns>
    [Benchmark(Baseline = true)]
    [BenchmarkCategory("First")]
    public bool DispatchFirst_HandWritten_Baseline() => Dispatch(_handWritten, _first);

    /// <summary>Reflection, first handler.</summary>
    /// <returns>Whether a handler took the message.</returns>
    [Benchmark]
    [BenchmarkCategory("First")]
    public bool DispatchFirst_Reflection() => Dispatch(_reflection, _first);

    /// <summary>Generated switch, eighth case.</summary>
    /// <returns>Whether a handler took the message.</returns>
    [Benchmark]
    [BenchmarkCategory("Last")]
    public bool DispatchLast_Switchyard() => Dispatch(_generated, _last);

    /// <summary>Hand-written switch, eighth case.</summary>
    /// <returns>Whether a handler took the message.</returns>
    [Benchmark(Baseline = true)]
    [BenchmarkCategory("Last")]
    public bool DispatchLast_HandWritten_Baseline() => Dispatch(_handWritten, _last);

    /// <summary>Reflection, eighth handler.</summary>
    /// <returns>Whether a handler took the message.</returns>
    [Benchmark]
    [BenchmarkCategory("Last")]
    public bool DispatchLast_Reflection() => Dispatch(_reflection, _last);

    // What the consumer runner does per message: dispatch, then await the (here already completed) handler.
    private static bool Dispatch(IConsumerDispatcher dispatcher, ChannelMessage message)
    {
        var handled = dispatcher.TryDispatch(message, CancellationToken.None, out var handling);
        handling.GetAwaiter().GetResult();
        return handled;
    }
}
