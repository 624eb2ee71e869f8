using System.Text.Json.Serialization;

namespace Switchyard.Generators.Benchmarks;

/// <summary>The small message of <see cref="JsonBenchmarks"/>: five members, one of them a few hundred characters of HTML.</summary>
/// <param name="Id">The post id.</param>
/// <param name="Slug">The URL slug.</param>
/// <param name="Title">The title.</param>
/// <param name="Html">The body.</param>
/// <param name="At">When it was published.</param>
[Message("bench.post")]
public sealed partial record PostPublished(int Id, string Slug, string Title, string Html, DateTimeOffset At)
{
    /// <summary>
    /// For System.Text.Json only (the Switchyard generator serializes the positional members and ignores this
    /// property): the <c>"type"</c> field the generated writer puts first, so both serializers write and read the
    /// very same bytes. STJ writes it and, as a get-only property, matches and skips it when reading.
    /// </summary>
    [JsonPropertyName("type")]
    [JsonPropertyOrder(-1)]
    public string Type => "bench.post";
}

/// <summary>The larger message of <see cref="JsonBenchmarks"/>: a nested record, a list of records and a list of strings.</summary>
/// <param name="Id">The order id.</param>
/// <param name="Customer">Who placed it.</param>
/// <param name="Lines">What was ordered.</param>
/// <param name="Tags">Free-form labels.</param>
/// <param name="Total">The total price.</param>
/// <param name="Gift">Whether it is a gift.</param>
/// <param name="PlacedAt">When it was placed.</param>
/// <param name="Note">An optional note.</param>
[Message("bench.order")]
public sealed partial record OrderPlaced(
    Guid Id, Customer Customer, List<OrderLine> Lines, IReadOnlyList<string> Tags, decimal Total, bool Gift, DateTimeOffset PlacedAt, string? Note)
{
    /// <summary>For System.Text.Json only: see <see cref="PostPublished.Type"/>.</summary>
    [JsonPropertyName("type")]
    [JsonPropertyOrder(-1)]
    public string Type => "bench.order";
}

/// <summary>A customer, nested in <see cref="OrderPlaced"/> (no message type, so no <c>"type"</c> field).</summary>
/// <param name="Id">The customer id.</param>
/// <param name="Name">The name.</param>
/// <param name="Email">The e-mail address.</param>
[Message]
public sealed partial record Customer(long Id, string Name, string Email);

/// <summary>One line of an <see cref="OrderPlaced"/>.</summary>
/// <param name="Sku">The stock-keeping unit.</param>
/// <param name="Description">The description.</param>
/// <param name="Quantity">How many.</param>
/// <param name="UnitPrice">The price of one.</param>
[Message]
public sealed partial record OrderLine(string Sku, string Description, int Quantity, decimal UnitPrice);

/// <summary>System.Text.Json's own source-generated serializers for the same records, with camelCase names as Switchyard writes them.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(PostPublished))]
[JsonSerializable(typeof(OrderPlaced))]
public sealed partial class BenchJsonContext : JsonSerializerContext;
