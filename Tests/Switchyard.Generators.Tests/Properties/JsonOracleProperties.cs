using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using FsCheck;
using FsCheck.Fluent;
using Microsoft.FSharp.Core;
using Switchyard.Generators.Tests.Integration;
using Switchyard.Serialization;
using Xunit;

namespace Switchyard.Generators.Tests.Properties;

/// <summary>
/// Property tests of the generated serializers with System.Text.Json (reflection-based, camelCase, enums as strings)
/// as the oracle: over hundreds of generated messages per property, what the generated writer writes the oracle
/// reads back equal, what the oracle writes the generated reader reads back equal, the generated JSON is the document
/// the oracle writes, and both the JSON and the binary forms round-trip.
/// </summary>
/// <remarks>
/// <para>
/// Runs are deterministic: each property's seed is <see cref="PropertyRunner.BaseSeed"/> mixed with its name, and a
/// failure prints it. Set <c>SWITCHYARD_PROPERTY_SEED</c> to explore other seeds and <c>SWITCHYARD_PROPERTY_TESTS</c>
/// to change the number of cases (default 300 per property and message).
/// </para>
/// <para>
/// Deliberate differences from System.Text.Json, each pinned by a test below: the generated writer adds a
/// <c>type</c> field to typed messages (the oracle ignores it); the generated reader is stricter on input the oracle
/// never writes: required fields, <c>null</c> for non-nullable members, numbers that overflow to infinity, enum
/// values as numeric strings and name lists for enums that are not <c>[Flags]</c> are errors. Lone surrogates, which
/// no UTF-8 form holds, become U+FFFD in both writers (and in binary strings).
/// </para>
/// </remarks>
public sealed class JsonOracleProperties
{
    /// <summary>The oracle: System.Text.Json configured the way the generated code claims to match.</summary>
    internal static readonly JsonSerializerOptions Oracle = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        Converters = { new JsonStringEnumConverter() },
    };

    private static readonly Dictionary<string, MessageCase> Cases = new MessageCase[]
    {
        new MessageCase<Everything>("test.everything", MessageGenerators.Everything, ["optionalText", "maybeMood", "maybeInt", "coAuthor", "priority"]),
        new MessageCase<Scalars>("prop.scalars", MessageGenerators.Scalars, []),
        new MessageCase<Nullables>(
            "prop.nullables",
            MessageGenerators.Nullables,
            ["flag", "byte", "sByte", "short", "uShort", "int", "uInt", "long", "uLong", "single", "double", "decimal", "char", "text", "id", "when", "whenOffset", "duration", "colour", "access", "blob", "leaf", "numbers", "tags", "counts"]),
        new MessageCase<Enums>("prop.enums", MessageGenerators.Enums, ["tiny", "maybeHuge", "maybeAccess"]),
        new MessageCase<Collections>("prop.collections", MessageGenerators.Collections, []),
        new MessageCase<Tree>("prop.tree", MessageGenerators.Tree, ["left", "right"]),
        new MessageCase<Defaults>(
            "prop.defaults",
            MessageGenerators.Defaults,
            ["priority", "label", "access", "colour", "ratio", "scale", "money", "enabled", "separator", "big", "bigger", "limit", "maybeColour", "note", "blob"]),
    }.ToDictionary(c => c.Name, StringComparer.Ordinal);

    public static TheoryData<string> Messages => new(Cases.Keys);

    public static TheoryData<string> MessagesWithOptionalFields => new(Cases.Values.Where(c => c.HasOptionalFields).Select(c => c.Name));

    [Theory]
    [MemberData(nameof(Messages))]
    public void Json_written_by_the_generated_writer_is_read_back_equal_by_System_Text_Json(string message) => Cases[message].OursToOracle();

    [Theory]
    [MemberData(nameof(Messages))]
    public void Json_written_by_System_Text_Json_is_read_back_equal_by_the_generated_reader(string message) => Cases[message].OracleToOurs();

    [Theory]
    [MemberData(nameof(Messages))]
    public void Generated_json_round_trips_through_the_generated_reader(string message) => Cases[message].JsonRoundTrip();

    [Theory]
    [MemberData(nameof(Messages))]
    public void Generated_binary_form_round_trips(string message) => Cases[message].BinaryRoundTrip();

    [Theory]
    [MemberData(nameof(Messages))]
    public void Generated_json_is_the_document_System_Text_Json_writes_but_for_the_type_field(string message) => Cases[message].SameDocument();

    [Theory]
    [MemberData(nameof(MessagesWithOptionalFields))]
    public void Omitted_optional_fields_read_as_the_same_defaults_in_both(string message) => Cases[message].OmittedOptionalFields();

    [Fact]
    public void Non_finite_numbers_are_not_json_both_refuse_to_write_them_and_the_binary_form_keeps_them()
    {
        float[] singles = [float.NaN, float.PositiveInfinity, float.NegativeInfinity, BitConverter.Int32BitsToSingle(unchecked((int)0xFFC00001))];
        double[] doubles = [double.NaN, double.PositiveInfinity, double.NegativeInfinity, BitConverter.Int64BitsToDouble(unchecked((long)0xFFF8000000000001))];
        var gen =
            from scalars in MessageGenerators.Scalars
            from nullables in MessageGenerators.Nullables
            from single in Gen.Elements(singles)
            from @double in Gen.Elements(doubles)
            from which in Gen.Choose(0, 3)
            select (scalars, nullables, single, @double, which);

        PropertyRunner.Check("non-finite numbers", gen, c =>
        {
            switch (c.which)
            {
                case 0:
                    BothRefuse(c.scalars with { Single = c.single });
                    break;
                case 1:
                    BothRefuse(c.scalars with { Double = c.@double });
                    break;
                case 2:
                    BothRefuse(c.nullables with { Single = c.single });
                    break;
                default:
                    BothRefuse(c.nullables with { Double = c.@double });
                    break;
            }
        });

        // Not JSON: a bare NaN is a syntax error and a string where a number belongs is the wrong type, in both.
        var json = JsonSerializer.Serialize(new Scalars(true, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 'c', "t", Guid.Empty, DateTime.UnixEpoch, DateTimeOffset.UnixEpoch, TimeSpan.Zero), Oracle);
        foreach (var literal in new[] { "NaN", "\"NaN\"", "Infinity", "\"-Infinity\"" })
        {
            var bad = json.Replace("\"double\":1", "\"double\":" + literal, StringComparison.Ordinal);
            Assert.ThrowsAny<JsonException>(() => JsonSerializer.Deserialize<Scalars>(bad, Oracle));
            Assert.ThrowsAny<JsonException>(() => Json.Read<Scalars>(bad));
        }

        static void BothRefuse<T>(T value)
            where T : IJsonMessage<T>, IChannelMessage<T>
        {
            Assert.Throws<ArgumentException>(() => JsonSerializer.Serialize(value, Oracle));
            Assert.Throws<ArgumentException>(() => Json.Write(value));
            Structural.AssertEqual(value, Binary.RoundTrip(value));
        }
    }

    [Fact]
    public void Deliberate_difference_numbers_that_overflow_to_infinity_are_errors_for_the_generated_reader()
    {
        // System.Text.Json reads 1e400 as a double and 1e39 as a float as infinity, a value no JSON writer can write
        // back; the generated reader says the number is out of range instead.
        var json = JsonSerializer.Serialize(new Nullables(
            null, null, null, null, null, null, null, null, null, 1, 1, null, null, null, null, null, null, null, null, null, null, null, null, null, null), Oracle);
        var hugeDouble = json.Replace("\"double\":1", "\"double\":1e400", StringComparison.Ordinal);
        var hugeSingle = json.Replace("\"single\":1", "\"single\":-1e39", StringComparison.Ordinal);

        Assert.Equal(double.PositiveInfinity, JsonSerializer.Deserialize<Nullables>(hugeDouble, Oracle)!.Double);
        Assert.Equal(float.NegativeInfinity, JsonSerializer.Deserialize<Nullables>(hugeSingle, Oracle)!.Single);
        Assert.Contains("out of range", Assert.Throws<JsonException>(() => Json.Read<Nullables>(hugeDouble)).Message, StringComparison.Ordinal);
        Assert.Contains("out of range", Assert.Throws<JsonException>(() => Json.Read<Nullables>(hugeSingle)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Lone_surrogates_become_U_FFFD_in_json_from_both_and_in_binary_strings()
    {
        // Not valid UTF-16, so no UTF-8 form holds them: both JSON writers write U+FFFD in their place (the same bytes),
        // and so does the binary writer for strings. A lone surrogate char survives the binary form, which stores
        // UTF-16 code units, but not JSON.
        var lone = Gen.Elements("\ud800", "\udbff", "\udc00", "\udfff", "\udc00\ud800", "\ud83d");
        var gen =
            from scalars in MessageGenerators.Scalars
            from before in MessageGenerators.Text
            from surrogate in lone
            from after in MessageGenerators.Text
            from @char in Gen.Choose(0xD800, 0xDFFF)
            select scalars with { Text = before + surrogate + after, Char = (char)@char };

        PropertyRunner.Check("lone surrogates", gen, value =>
        {
            var expected = value with { Text = ReplaceLoneSurrogates(value.Text), Char = '\ufffd' };
            var ours = Json.Write(value);
            var oracle = JsonSerializer.SerializeToUtf8Bytes(value, Oracle);
            JsonDocuments.AssertSame(oracle, ours);
            Structural.AssertEqual(expected, JsonSerializer.Deserialize<Scalars>(ours, Oracle));
            Structural.AssertEqual(expected, Json.Read<Scalars>(oracle));
            Structural.AssertEqual(expected with { Char = value.Char }, Binary.RoundTrip(value));
        });
    }

    [Theory]
    [InlineData("\\ud800")]
    [InlineData("\\udfff")]
    [InlineData("a\\udc00\\ud800b")]
    [InlineData("\\ud83dx")]
    public void An_escaped_lone_surrogate_in_json_is_a_JsonException_in_both(string escaped)
    {
        var json = JsonSerializer.Serialize(new Collections([], [], [], [], [], [], [], [], new() { ["k"] = "v" }, [], [], [], [], [], [], [], []), Oracle);
        var asValue = json.Replace("\"k\":\"v\"", $"\"k\":\"{escaped}\"", StringComparison.Ordinal);
        var asKey = json.Replace("\"k\":\"v\"", $"\"{escaped}\":\"v\"", StringComparison.Ordinal);
        var asChar = JsonSerializer.Serialize(new Scalars(true, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 'c', "t", Guid.Empty, DateTime.UnixEpoch, DateTimeOffset.UnixEpoch, TimeSpan.Zero), Oracle)
            .Replace("\"char\":\"c\"", $"\"char\":\"{escaped}\"", StringComparison.Ordinal);

        Assert.ThrowsAny<JsonException>(() => JsonSerializer.Deserialize<Collections>(asValue, Oracle));
        Assert.ThrowsAny<JsonException>(() => JsonSerializer.Deserialize<Collections>(asKey, Oracle));
        Assert.ThrowsAny<JsonException>(() => JsonSerializer.Deserialize<Scalars>(asChar, Oracle));
        Assert.ThrowsAny<JsonException>(() => Json.Read<Collections>(asValue));
        Assert.ThrowsAny<JsonException>(() => Json.Read<Collections>(asKey));
        Assert.ThrowsAny<JsonException>(() => Json.Read<Scalars>(asChar));
    }

    [Fact]
    public void Undefined_enum_values_are_numbers_and_flag_combinations_are_name_lists_in_both()
    {
        var value = new Enums(
            (Colour)7, (Signed)(-5), (Small)12, (Wide)(-2), (Huge)(ulong.MaxValue - 1), Access.Read | Access.Execute, Bits.High | Bits.Low, Tiny.Sign | Tiny.A | Tiny.B, Overlap.A | Overlap.B | Overlap.C, (Alias)1,
            (Huge)3, Access.Admin | (Access)8, [Access.ReadWrite | Access.Execute, (Access)0], []);
        var oracle = JsonSerializer.Serialize(value, Oracle);
        var ours = Encoding.UTF8.GetString(Json.Write(value));

        Assert.Contains(
            "\"colour\":7,\"signed\":-5,\"small\":12,\"wide\":-2,\"huge\":18446744073709551614,\"access\":\"Read, Execute\",\"bits\":\"Low, High\",\"tiny\":\"Sign, AB\",\"overlap\":\"AB, C\",\"alias\":\"First\"",
            oracle,
            StringComparison.Ordinal);
        Assert.Contains("\"maybeHuge\":3,\"maybeAccess\":72,\"accesses\":[\"ReadWrite, Execute\",\"None\"]", oracle, StringComparison.Ordinal);
        Assert.Equal("{\"type\":\"prop.enums\"," + oracle[1..], ours);
    }

    [Fact]
    public void Deliberate_differences_the_generated_reader_rejects_input_System_Text_Json_accepts_but_never_writes()
    {
        var everything = GeneratedCodeTests.SampleEverything();
        var json = JsonSerializer.Serialize(everything, Oracle);

        // A missing required field: the oracle uses the default value, the generated reader names the field.
        var missing = json.Replace("\"text\":", "\"ignored\":", StringComparison.Ordinal);
        Assert.Null(JsonSerializer.Deserialize<Everything>(missing, Oracle)!.Text);
        Assert.Contains("'text'", Assert.Throws<JsonException>(() => Json.Read<Everything>(missing)).Message, StringComparison.Ordinal);

        // null for a non-nullable member.
        var nullText = JsonNode.Parse(json)!;
        nullText["text"] = null;
        Assert.Null(JsonSerializer.Deserialize<Everything>(nullText.ToJsonString(), Oracle)!.Text);
        Assert.Throws<JsonException>(() => Json.Read<Everything>(nullText.ToJsonString()));

        // An enum value as a numeric string, or as a list of names when the enum is not [Flags] (the oracle ORs them:
        // Calm | Excited is Excited).
        var numericEnum = json.Replace("\"mood\":\"Grumpy\"", "\"mood\":\"7\"", StringComparison.Ordinal);
        Assert.Equal(Mood.Grumpy, JsonSerializer.Deserialize<Everything>(numericEnum, Oracle)!.Mood);
        Assert.Throws<JsonException>(() => Json.Read<Everything>(numericEnum));
        var listedEnum = json.Replace("\"mood\":\"Grumpy\"", "\"mood\":\"Calm, Excited\"", StringComparison.Ordinal);
        Assert.Equal(Mood.Excited, JsonSerializer.Deserialize<Everything>(listedEnum, Oracle)!.Mood);
        Assert.Throws<JsonException>(() => Json.Read<Everything>(listedEnum));

        // The type field: the generated writer adds it to typed messages, the oracle ignores it on the way in and the
        // generated reader does not need it.
        var ours = Encoding.UTF8.GetString(Json.Write(everything));
        Assert.StartsWith("{\"type\":\"test.everything\",", ours, StringComparison.Ordinal);
        Assert.DoesNotContain("\"type\"", json, StringComparison.Ordinal);
        Structural.AssertEqual(everything, JsonSerializer.Deserialize<Everything>(ours, Oracle));
        Structural.AssertEqual(everything, Json.Read<Everything>(json));
    }

    [Fact]
    public void The_generators_reach_the_edges_the_properties_are_about()
    {
        // Guards the properties against passing vacuously: a fixed sample of each generator holds every edge they claim.
        const int Samples = 2000;
        var rnd = new Rnd(PropertyRunner.BaseSeed);
        var scalars = MessageGenerators.Scalars.Sample(Samples, rnd, 10);
        var nullables = MessageGenerators.Nullables.Sample(Samples, rnd, 10);
        var enums = MessageGenerators.Enums.Sample(Samples, rnd, 10);
        var collections = MessageGenerators.Collections.Sample(Samples, rnd, 10);

        Assert.Equal(3, scalars.Select(s => s.When.Kind).Distinct().Count());
        Assert.Contains(scalars, s => s.When == DateTime.MinValue);
        Assert.Contains(scalars, s => s.When == DateTime.MaxValue);
        Assert.Contains(scalars, s => s.WhenOffset.EqualsExact(DateTimeOffset.MinValue));
        Assert.Contains(scalars, s => s.WhenOffset.EqualsExact(DateTimeOffset.MaxValue));
        Assert.Contains(scalars, s => s.WhenOffset.Offset.Minutes != 0);
        Assert.Contains(scalars, s => s.WhenOffset.Offset < TimeSpan.Zero);
        Assert.Contains(scalars, s => s.Duration == TimeSpan.MinValue);
        Assert.Contains(scalars, s => s.Duration == TimeSpan.MaxValue);
        Assert.Contains(scalars, s => s.Int == int.MinValue);
        Assert.Contains(scalars, s => s.Long == long.MinValue);
        Assert.Contains(scalars, s => s.ULong == ulong.MaxValue);
        Assert.Contains(scalars, s => s.Decimal == decimal.MaxValue);
        Assert.Contains(scalars, s => s.Decimal == decimal.MinValue);
        Assert.Contains(scalars, s => s.Decimal.Scale == 28);
        Assert.Contains(scalars, s => s.Double == double.MaxValue);
        Assert.Contains(scalars, s => s.Double == double.Epsilon);
        Assert.Contains(scalars, s => BitConverter.DoubleToInt64Bits(s.Double) == BitConverter.DoubleToInt64Bits(-0.0));
        Assert.Contains(scalars, s => s.Single == float.MinValue);
        Assert.Contains(scalars, s => s.Char == '\0');
        Assert.Contains(scalars, s => s.Char > '\u07ff');
        Assert.Contains(scalars, s => s.Text.Length == 0);
        Assert.Contains(scalars, s => s.Text.Contains('"', StringComparison.Ordinal) && s.Text.Contains('\\', StringComparison.Ordinal));
        Assert.Contains(scalars, s => s.Text.Any(c => c < ' '));
        Assert.Contains(scalars, s => s.Text.Contains('\u2028', StringComparison.Ordinal));
        Assert.Contains(scalars, s => s.Text.Any(char.IsHighSurrogate));
        Assert.All(scalars, s => Assert.Equal(s.Text, ReplaceLoneSurrogates(s.Text)));

        foreach (var property in typeof(Nullables).GetProperties().Where(p => p.DeclaringType == typeof(Nullables) && p.CanWrite))
        {
            Assert.Contains(nullables, n => property.GetValue(n) is null);
            Assert.Contains(nullables, n => property.GetValue(n) is not null);
        }

        Assert.Contains(nullables, n => n.Numbers is { Length: 0 });
        Assert.Contains(nullables, n => n.Counts is { Count: > 1 });

        Assert.Contains(enums, e => !Enum.IsDefined(e.Colour));
        Assert.Contains(enums, e => !Enum.IsDefined(e.Huge));
        Assert.Contains(enums, e => !Enum.IsDefined(e.Access) && e.Access.ToString().Contains(',', StringComparison.Ordinal));
        Assert.Contains(enums, e => !Enum.IsDefined(e.Access) && !e.Access.ToString().Contains(',', StringComparison.Ordinal));
        Assert.Contains(enums, e => e.Bits.HasFlag(Bits.High) && e.Bits != Bits.High);
        Assert.Contains(enums, e => e.Tiny is { } tiny && tiny.HasFlag(Tiny.Sign) && tiny != Tiny.Sign);
        Assert.Contains(enums, e => e.Overlap == (Overlap.A | Overlap.B | Overlap.C));
        Assert.Contains(enums, e => e.Alias == Alias.First);

        Assert.Contains(collections, c => c.Ints.Length == 0);
        Assert.Contains(collections, c => c.Jagged.Any(inner => inner.Length == 0));
        Assert.Contains(collections, c => c.Notes.Count > 1 && c.Notes.ContainsValue(null));
        Assert.Contains(collections, c => c.MaybeBlobs.Contains(null) && c.Blobs.Any(b => b.Length == 0));
        Assert.Contains(collections, c => c.Dates.Any(d => d.Kind == DateTimeKind.Local));
    }

    internal static string ReplaceLoneSurrogates(string text)
    {
        var builder = new StringBuilder(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                builder.Append(text, i++, 2);
            }
            else
            {
                builder.Append(char.IsSurrogate(text[i]) ? '\ufffd' : text[i]);
            }
        }

        return builder.ToString();
    }

    private abstract class MessageCase(string name)
    {
        public string Name => name;

        public abstract bool HasOptionalFields { get; }

        public abstract void OursToOracle();

        public abstract void OracleToOurs();

        public abstract void JsonRoundTrip();

        public abstract void BinaryRoundTrip();

        public abstract void SameDocument();

        public abstract void OmittedOptionalFields();
    }

    private sealed class MessageCase<T>(string name, Gen<T> gen, string[] optionalFields) : MessageCase(name)
        where T : IJsonMessage<T>, IChannelMessage<T>
    {
        public override bool HasOptionalFields => optionalFields.Length > 0;

        public override void OursToOracle() => Run("generated writer -> System.Text.Json", value =>
        {
            var json = Json.Write(value);
            Structural.AssertEqual(value, JsonSerializer.Deserialize<T>(json, Oracle), Json.Show(json));
        });

        public override void OracleToOurs() => Run("System.Text.Json -> generated reader", value =>
        {
            var json = JsonSerializer.SerializeToUtf8Bytes(value, Oracle);
            Structural.AssertEqual(value, Json.Read<T>(json), Json.Show(json));
        });

        public override void JsonRoundTrip() => Run("generated writer -> generated reader", value =>
        {
            var json = Json.Write(value);
            Structural.AssertEqual(value, Json.Read<T>(json), Json.Show(json));
        });

        public override void BinaryRoundTrip() => Run("binary Write -> Read", value => Structural.AssertEqual(value, Binary.RoundTrip(value)));

        public override void SameDocument() => Run("same document", value =>
            JsonDocuments.AssertSame(JsonSerializer.SerializeToUtf8Bytes(value, Oracle), Json.Write(value)));

        public override void OmittedOptionalFields()
        {
            var withOmissions = from value in gen from omit in Gen.Elements(true, false).ArrayOf(optionalFields.Length) select (value, omit);
            PropertyRunner.Check($"{Name}: omitted optional fields", withOmissions, c =>
            {
                var node = JsonSerializer.SerializeToNode(c.value, Oracle)!.AsObject();
                for (var i = 0; i < optionalFields.Length; i++)
                {
                    if (c.omit[i])
                    {
                        Assert.True(node.Remove(optionalFields[i]), $"No field '{optionalFields[i]}' to omit.");
                    }
                }

                var json = node.ToJsonString(Oracle);
                Structural.AssertEqual(JsonSerializer.Deserialize<T>(json, Oracle), Json.Read<T>(Encoding.UTF8.GetBytes(json)), json);
            });
        }

        private void Run(string property, Action<T> body) => PropertyRunner.Check($"{Name}: {property}", gen, body);
    }
}

/// <summary>Runs FsCheck properties with a fixed, printed seed inside ordinary xunit tests.</summary>
internal static class PropertyRunner
{
    private const ulong DefaultSeed = 0x5317_C4A1_2026_1122;

    /// <summary>Gets the seed every property's own seed derives from: <c>SWITCHYARD_PROPERTY_SEED</c> or a constant.</summary>
    public static ulong BaseSeed { get; } =
        ulong.TryParse(Environment.GetEnvironmentVariable("SWITCHYARD_PROPERTY_SEED"), NumberStyles.None, CultureInfo.InvariantCulture, out var seed) ? seed : DefaultSeed;

    /// <summary>Gets the number of cases per property: <c>SWITCHYARD_PROPERTY_TESTS</c> or 300.</summary>
    public static int Tests { get; } =
        int.TryParse(Environment.GetEnvironmentVariable("SWITCHYARD_PROPERTY_TESTS"), NumberStyles.None, CultureInfo.InvariantCulture, out var tests) && tests > 0 ? tests : 300;

    public static void Check<T>(string name, Gen<T> gen, Action<T> body)
    {
        var seed = BaseSeed ^ Fnv1a(name);
        var config = Config.QuickThrowOnFailure
            .WithMaxTest(Tests)
            .WithQuietOnSuccess(true)
            .WithName(name)
            .WithReplay(FSharpOption<Replay>.Some(new Replay(new Rnd(seed), FSharpOption<int>.None)));
        try
        {
            FsCheck.Check.One(config, Prop.ForAll(Arb.From(gen), body));
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Assert.Fail(
                $"Property '{name}' failed with seed {seed} (base seed {BaseSeed}; rerun with SWITCHYARD_PROPERTY_SEED={BaseSeed} to replay).\n{ex.Message}");
        }
    }

    // A stable hash (string.GetHashCode is randomized per process), so each property has its own fixed seed.
    private static ulong Fnv1a(string text)
    {
        var hash = 14695981039346656037UL;
        foreach (var c in text)
        {
            hash = (hash ^ c) * 1099511628211UL;
        }

        return hash;
    }
}

/// <summary>The generated JSON reader and writer, on UTF-8 bytes.</summary>
internal static class Json
{
    public static byte[] Write<T>(T value)
        where T : IJsonMessage<T>
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            T.WriteJson(value, writer);
        }

        return buffer.WrittenSpan.ToArray();
    }

    public static T Read<T>(byte[] json)
        where T : IJsonMessage<T>
    {
        var reader = new Utf8JsonReader(json);
        var value = T.ReadJson(ref reader);
        Assert.Equal(JsonTokenType.EndObject, reader.TokenType);
        Assert.False(reader.Read(), "The generated reader stopped before the end of the JSON.");
        return value;
    }

    public static T Read<T>(string json)
        where T : IJsonMessage<T> => Read<T>(Encoding.UTF8.GetBytes(json));

    public static string Show(byte[] json) => "JSON: " + Encoding.UTF8.GetString(json);
}

/// <summary>The generated binary form.</summary>
internal static class Binary
{
    public static T RoundTrip<T>(T value)
        where T : IChannelMessage<T>
    {
        var buffer = new ArrayBufferWriter<byte>();
        T.Write(value, buffer);
        return T.Read(buffer.WrittenSpan);
    }
}

/// <summary>Compares JSON documents token by token: same fields in the same order, same raw numbers and strings.</summary>
internal static class JsonDocuments
{
    /// <summary>
    /// Fails unless <paramref name="ours"/> is <paramref name="oracle"/>, except that objects in ours may start with a
    /// <c>type</c> string field that the oracle's lacks (the message type the generated writer adds).
    /// </summary>
    public static void AssertSame(byte[] oracle, byte[] ours)
    {
        using var expected = JsonDocument.Parse(oracle);
        using var actual = JsonDocument.Parse(ours);
        if (Difference(expected.RootElement, actual.RootElement, "$") is { } difference)
        {
            Assert.Fail($"{difference}\nSystem.Text.Json: {Encoding.UTF8.GetString(oracle)}\ngenerated:        {Encoding.UTF8.GetString(ours)}");
        }
    }

    private static string? Difference(JsonElement expected, JsonElement actual, string path)
    {
        if (expected.ValueKind != actual.ValueKind)
        {
            return $"{path}: System.Text.Json wrote {expected.GetRawText()}, the generated writer {actual.GetRawText()}";
        }

        switch (expected.ValueKind)
        {
            case JsonValueKind.Object:
            {
                var expectedFields = expected.EnumerateObject().ToList();
                var actualFields = actual.EnumerateObject().ToList();
                if (actualFields is [{ Name: "type", Value.ValueKind: JsonValueKind.String }, ..] && expectedFields is not [{ Name: "type" }, ..])
                {
                    actualFields.RemoveAt(0);
                }

                var expectedNames = string.Join(",", expectedFields.Select(f => f.Name));
                var actualNames = string.Join(",", actualFields.Select(f => f.Name));
                if (expectedNames != actualNames)
                {
                    return $"{path}: System.Text.Json wrote fields [{expectedNames}], the generated writer [{actualNames}]";
                }

                for (var i = 0; i < expectedFields.Count; i++)
                {
                    if (Difference(expectedFields[i].Value, actualFields[i].Value, $"{path}.{expectedFields[i].Name}") is { } difference)
                    {
                        return difference;
                    }
                }

                return null;
            }

            case JsonValueKind.Array:
            {
                var expectedItems = expected.EnumerateArray().ToList();
                var actualItems = actual.EnumerateArray().ToList();
                if (expectedItems.Count != actualItems.Count)
                {
                    return $"{path}: System.Text.Json wrote {expectedItems.Count} elements, the generated writer {actualItems.Count}";
                }

                for (var i = 0; i < expectedItems.Count; i++)
                {
                    if (Difference(expectedItems[i], actualItems[i], $"{path}[{i.ToString(CultureInfo.InvariantCulture)}]") is { } difference)
                    {
                        return difference;
                    }
                }

                return null;
            }

            default:
                return expected.GetRawText() == actual.GetRawText()
                    ? null
                    : $"{path}: System.Text.Json wrote {expected.GetRawText()}, the generated writer {actual.GetRawText()}";
        }
    }
}
