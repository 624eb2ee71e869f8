using System.Threading.Channels;
using BenchmarkDotNet.Attributes;

namespace Switchyard.Benchmarks;

/// <summary>
/// Fan-out: one message sent to every member of a group, then every member's receive of it (the drain). One
/// operation is one group send plus <see cref="Members"/> receives.
/// </summary>
/// <remarks>
/// The pre-serialized variant reuses one envelope built in <see cref="Setup"/>; the typed variant serializes a
/// <see cref="PostPublished"/> with <see cref="ChannelMessage.Create{T}"/> on every group send, so its allocation
/// is the cost of one serialization and should not change with the number of members.
/// </remarks>
[MemoryDiagnoser]
public class GroupSendBenchmarks
{
    private const string Group = "bench.group";

    private InMemoryChannelLayer _layer = null!;
    private ChannelMessage _message = null!;
    private PostPublished _post = null!;
    private string[] _members = null!;
    private Channel<ChannelMessage>[] _channels = null!;
    private ChannelMessage? _last;

    /// <summary>Gets or sets the number of group members.</summary>
    [Params(10, 1_000)]
    public int Members { get; set; }

    /// <summary>Creates the layer, the group and the bare channels, and the envelope the pre-serialized variants reuse.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _layer = new InMemoryChannelLayer();
        _post = new PostPublished(42, "Switchyard benchmarks: one payload per group send");
        _message = ChannelMessage.Create(_post);
        _members = new string[Members];
        _channels = new Channel<ChannelMessage>[Members];
        for (var i = 0; i < Members; i++)
        {
            _members[i] = _layer.NewChannelAsync().AsTask().GetAwaiter().GetResult();
            _layer.GroupAddAsync(Group, _members[i]).AsTask().GetAwaiter().GetResult();
            _channels[i] = Channel.CreateUnbounded<ChannelMessage>();
        }
    }

    /// <summary>Closes the layer.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        _layer.DisposeAsync().AsTask().GetAwaiter().GetResult();
        GC.KeepAlive(_last);
    }

    /// <summary>The same envelope written to every bare unbounded channel, then read back from each.</summary>
    /// <returns>A task that completes when every channel is drained.</returns>
    [Benchmark(Baseline = true)]
    public async Task GroupSend_UnboundedChannels_Baseline()
    {
        var channels = _channels;
        foreach (var channel in channels)
        {
            await channel.Writer.WriteAsync(_message);
        }

        ChannelMessage? last = null;
        foreach (var channel in channels)
        {
            last = await channel.Reader.ReadAsync();
        }

        _last = last;
    }

    /// <summary>In-memory layer: <c>GroupSendAsync</c> of the pre-serialized envelope, then every member receives it.</summary>
    /// <returns>A task that completes when every member is drained.</returns>
    [Benchmark]
    public async Task GroupSend_PreSerialized_Switchyard()
    {
        var layer = _layer;
        await layer.GroupSendAsync(Group, _message);
        ChannelMessage? last = null;
        foreach (var member in _members)
        {
            last = await layer.ReceiveAsync(member);
        }

        _last = last;
    }

    /// <summary>In-memory layer: <c>ChannelMessage.Create</c> of a typed message, <c>GroupSendAsync</c>, then every member receives it.</summary>
    /// <returns>A task that completes when every member is drained.</returns>
    [Benchmark]
    public async Task GroupSend_Typed_Switchyard()
    {
        var layer = _layer;
        await layer.GroupSendAsync(Group, ChannelMessage.Create(_post));
        ChannelMessage? last = null;
        foreach (var member in _members)
        {
            last = await layer.ReceiveAsync(member);
        }

        _last = last;
    }
}
