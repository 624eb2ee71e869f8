using System.Buffers;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;

namespace Switchyard.Generators.Benchmarks;

/// <summary>
/// The generated JSON serializers (<c>WriteJson</c>/<c>ReadJson</c>) next to System.Text.Json's own source-generated
/// <see cref="BenchJsonContext"/> on the same records and the same bytes.
/// </summary>
/// <remarks>
/// <para>Write: into one reused <see cref="Utf8JsonWriter"/> over one reused <see cref="ArrayBufferWriter{T}"/>
/// (<see cref="ArrayBufferWriter{T}.ResetWrittenCount"/> and <see cref="Utf8JsonWriter.Reset()"/> each operation), so
/// a serializer that allocates nothing shows 0 B.</para>
/// <para>Read: a new <see cref="Utf8JsonReader"/> over the same bytes each operation; both build the record and its
/// strings, lists and nested records.</para>
/// <para>Fairness: the generated writer puts a <c>"type"</c> field first; the records give STJ a get-only
/// <c>Type</c> property ordered first, so both write byte-identical JSON (checked in <see cref="Setup"/>) and both
/// read a <c>"type"</c> field (Switchyard checks its value, STJ matches the name and skips the value).</para>
/// </remarks>
[MemoryDiagnoser]
[MedianColumn]
[CategoriesColumn]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[SimpleJob(launchCount: 1, warmupCount: 8, iterationCount: 30)]
public class JsonBenchmarks
{
    private ArrayBufferWriter<byte> _buffer = null!;
    private Utf8JsonWriter _writer = null!;
    private PostPublished _post = null!;
    private OrderPlaced _order = null!;
    private byte[] _postJson = null!;
    private byte[] _orderJson = null!;

    /// <summary>Builds the messages, the reused writer and the JSON both readers read; checks both writers agree.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _buffer = new ArrayBufferWriter<byte>(4096);
        _writer = new Utf8JsonWriter(_buffer);
        var at = new DateTimeOffset(2025, 11, 22, 6, 30, 15, 123, TimeSpan.FromHours(1));
        _post = new PostPublished(
            4217,
            "switchyard-0-1-released",
            "Switchyard 0.1: channel layers, groups and consumers for .NET",
            "<p>Switchyard brings the architecture of Django Channels to .NET: channel layers, groups and consumers, " +
            "with routing and serializers written at compile time by a source generator.</p><p>Read the docs to get started.</p>",
            at);
        _order = new OrderPlaced(
            new Guid("0f8fad5b-d9cb-469f-a165-70867728950e"),
            new Customer(981_234_567, "Ada Lovelace", "ada@example.org"),
            [
                new OrderLine("SKU-1001", "Mechanical keyboard, brown switches", 1, 129.90m),
                new OrderLine("SKU-2044", "USB-C cable, 2 m", 3, 9.95m),
                new OrderLine("SKU-3310", "Desk mat, large", 1, 24.50m),
                new OrderLine("SKU-4100", "Wrist rest", 2, 15.00m),
                new OrderLine("SKU-5007", "Keycap puller", 1, 3.25m),
            ],
            ["priority", "returning-customer", "eu"],
            223.45m,
            false,
            at,
            "Please leave the parcel with the neighbour.");

        _postJson = Written(w => PostPublished.WriteJson(_post, w));
        _orderJson = Written(w => OrderPlaced.WriteJson(_order, w));
        Require(_postJson.AsSpan().SequenceEqual(Written(w => JsonSerializer.Serialize(w, _post, BenchJsonContext.Default.PostPublished))), "PostPublished: the two writers differ");
        Require(_orderJson.AsSpan().SequenceEqual(Written(w => JsonSerializer.Serialize(w, _order, BenchJsonContext.Default.OrderPlaced))), "OrderPlaced: the two writers differ");
        Require(ReadSmall_Switchyard() == _post && ReadSmall_StjSourceGen_Baseline() == _post, "PostPublished does not round-trip");
        Require(SameOrder(ReadLarge_Switchyard()) && SameOrder(ReadLarge_StjSourceGen_Baseline()), "OrderPlaced does not round-trip");
    }

    /// <summary>Disposes the writer.</summary>
    [GlobalCleanup]
    public void Cleanup() => _writer.Dispose();

    /// <summary>Generated <c>PostPublished.WriteJson</c>.</summary>
    /// <returns>The bytes written.</returns>
    [Benchmark]
    [BenchmarkCategory("WriteSmall")]
    public int WriteSmall_Switchyard()
    {
        _buffer.ResetWrittenCount();
        _writer.Reset();
        PostPublished.WriteJson(_post, _writer);
        _writer.Flush();
        return _buffer.WrittenCount;
    }

    /// <summary>STJ source generation: <c>JsonSerializer.Serialize(writer, value, BenchJsonContext.Default.PostPublished)</c>.</summary>
    /// <returns>The bytes written.</returns>
    [Benchmark(Baseline = true)]
    [BenchmarkCategory("WriteSmall")]
    public int WriteSmall_StjSourceGen_Baseline()
    {
        _buffer.ResetWrittenCount();
        _writer.Reset();
        JsonSerializer.Serialize(_writer, _post, BenchJsonContext.Default.PostPublished);
        _writer.Flush();
        return _buffer.WrittenCount;
    }

    /// <summary>Generated <c>OrderPlaced.WriteJson</c>.</summary>
    /// <returns>The bytes written.</returns>
    [Benchmark]
    [BenchmarkCategory("WriteLarge")]
    public int WriteLarge_Switchyard()
    {
        _buffer.ResetWrittenCount();
        _writer.Reset();
        OrderPlaced.WriteJson(_order, _writer);
        _writer.Flush();
        return _buffer.WrittenCount;
    }

    /// <summary>STJ source generation for <see cref="OrderPlaced"/>.</summary>
    /// <returns>The bytes written.</returns>
    [Benchmark(Baseline = true)]
    [BenchmarkCategory("WriteLarge")]
    public int WriteLarge_StjSourceGen_Baseline()
    {
        _buffer.ResetWrittenCount();
        _writer.Reset();
        JsonSerializer.Serialize(_writer, _order, BenchJsonContext.Default.OrderPlaced);
        _writer.Flush();
        return _buffer.WrittenCount;
    }

    /// <summary>Generated <c>PostPublished.ReadJson</c>.</summary>
    /// <returns>The message.</returns>
    [Benchmark]
    [BenchmarkCategory("ReadSmall")]
    public PostPublished ReadSmall_Switchyard()
    {
        var reader = new Utf8JsonReader(_postJson);
        return PostPublished.ReadJson(ref reader);
    }

    /// <summary>STJ source generation: <c>JsonSerializer.Deserialize(ref reader, BenchJsonContext.Default.PostPublished)</c>.</summary>
    /// <returns>The message.</returns>
    [Benchmark(Baseline = true)]
    [BenchmarkCategory("ReadSmall")]
    public PostPublished ReadSmall_StjSourceGen_Baseline()
    {
        var reader = new Utf8JsonReader(_postJson);
        return JsonSerializer.Deserialize(ref reader, BenchJsonContext.Default.PostPublished)!;
    }

    /// <summary>Generated <c>OrderPlaced.ReadJson</c>.</summary>
    /// <returns>The message.</returns>
    [Benchmark]
    [BenchmarkCategory("ReadLarge")]
    public OrderPlaced ReadLarge_Switchyard()
    {
        var reader = new Utf8JsonReader(_orderJson);
        return OrderPlaced.ReadJson(ref reader);
    }

    /// <summary>STJ source generation for <see cref="OrderPlaced"/>.</summary>
    /// <returns>The message.</returns>
    [Benchmark(Baseline = true)]
    [BenchmarkCategory("ReadLarge")]
    public OrderPlaced ReadLarge_StjSourceGen_Baseline()
    {
        var reader = new Utf8JsonReader(_orderJson);
        return JsonSerializer.Deserialize(ref reader, BenchJsonContext.Default.OrderPlaced)!;
    }

    private byte[] Written(Action<Utf8JsonWriter> write)
    {
        _buffer.ResetWrittenCount();
        _writer.Reset();
        write(_writer);
        _writer.Flush();
        return _buffer.WrittenSpan.ToArray();
    }

    // Records compare lists by reference, so compare the order member by member.
    private bool SameOrder(OrderPlaced read) =>
        read with { Lines = _order.Lines, Tags = _order.Tags } == _order &&
        read.Lines.SequenceEqual(_order.Lines) &&
        read.Tags.SequenceEqual(_order.Tags);

    private static void Require(bool condition, string problem)
    {
        if (!condition)
        {
            throw new InvalidOperationException(problem);
        }
    }
}
