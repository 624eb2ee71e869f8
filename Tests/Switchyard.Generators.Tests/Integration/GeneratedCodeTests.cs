using System.Buffers;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Switchyard.Serialization;
using Xunit;

namespace Switchyard.Generators.Tests.Integration;

/// <summary>Compile-and-run: consumers and messages compiled with the generator, exercised through the in-memory layer.</summary>
public sealed class GeneratedCodeTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    internal static Everything SampleEverything() => new(
        true, 200, -100, -30000, 60000, int.MinValue, uint.MaxValue, long.MaxValue, ulong.MaxValue, 1.5f, -2.25, 79228162514264337593543950335m, 'é',
        "quote \" backslash \\ tab \t emoji 😀", null, Guid.Parse("6f9619ff-8b86-d011-b42d-00cf4fc964ff"),
        new DateTime(2026, 11, 22, 5, 14, 0, DateTimeKind.Utc), new DateTimeOffset(2026, 11, 22, 7, 14, 0, TimeSpan.FromHours(2)),
        TimeSpan.FromMilliseconds(93784005), Mood.Grumpy, null, 42, [0, 1, 255], [3, 1, 2], ["a", "b"],
        [new Author("Ada", "https://example.org"), new Author("Bob", null)], new() { ["x"] = 1, ["y"] = -1 }, new Author("Lead", null), null);

    [Fact]
    public void A_message_round_trips_through_its_binary_form()
    {
        var original = SampleEverything();
        var envelope = ChannelMessage.Create(original);

        Assert.Equal("test.everything", envelope.Type);
        var read = envelope.Read<Everything>();
        AssertEqual(original, read);
    }

    [Fact]
    public void A_message_round_trips_through_its_json_form_with_the_type_first()
    {
        var original = SampleEverything();
        var json = ToJson(original);

        Assert.StartsWith("{\"type\":\"test.everything\",\"flag\":true,", json, StringComparison.Ordinal);
        Assert.Contains("\"mood\":\"Grumpy\"", json, StringComparison.Ordinal);
        Assert.Contains("\"blob\":\"AAH/\"", json, StringComparison.Ordinal);
        var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes(json));
        AssertEqual(original, Everything.ReadJson(ref reader));
    }

    [Fact]
    public void Json_reading_skips_unknown_fields_and_applies_defaults_and_nulls_for_missing_optional_ones()
    {
        var reader = new Utf8JsonReader("""{"name":"Ada","extra":{"deep":[1,2,{"x":null}]},"more":"x"}"""u8);
        Assert.Equal(new Author("Ada", null), Author.ReadJson(ref reader));
    }

    [Fact]
    public void Json_reading_names_a_missing_required_field()
    {
        var error = Assert.Throws<JsonException>(() => ReadChatLine("""{"type":"test.chat","room":"r","user":"u","at":"2026-01-01T00:00:00Z"}"""));
        Assert.Equal("The JSON for 'test.chat' is missing the required field 'text'.", error.Message);
    }

    [Fact]
    public void Json_reading_rejects_a_wrong_type_field_a_null_for_a_non_nullable_field_and_a_wrong_token()
    {
        var wrongType = Assert.Throws<JsonException>(() => Read("""{"type":"test.other","room":"r","user":"u","text":"t","at":"2026-01-01T00:00:00Z"}"""));
        Assert.Contains("'type' field", wrongType.Message, StringComparison.Ordinal);
        var nullText = Assert.Throws<JsonException>(() => Read("""{"room":"r","user":"u","text":null,"at":"2026-01-01T00:00:00Z"}"""));
        Assert.Equal("The field 'text' of 'test.chat' must not be null.", nullText.Message);
        var number = Assert.Throws<JsonException>(() => Read("""{"room":1,"user":"u","text":"t","at":"2026-01-01T00:00:00Z"}"""));
        Assert.Equal("The field 'room' of 'test.chat' must be a string, not a number.", number.Message);

        static ChatLine Read(string json)
        {
            var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes(json));
            return ChatLine.ReadJson(ref reader);
        }
    }

    [Fact]
    public void Binary_reading_rejects_truncated_and_trailing_bytes()
    {
        var bytes = ChannelMessage.Create(new ChatLine("r", "u", "t", DateTimeOffset.UnixEpoch)).Payload.ToArray();
        Assert.Throws<FormatException>(() => ChatLine.Read(bytes.AsSpan(0, bytes.Length - 1)));
        Assert.Contains("trailing", Assert.Throws<FormatException>(() => ChatLine.Read([.. bytes, 0])).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Generated_dispatch_routes_messages_to_handlers_and_the_generated_factory_injects_services()
    {
        await using var layer = new InMemoryChannelLayer();
        using var services = new ServiceCollection().AddSingleton<IGreeter, Greeter>().BuildServiceProvider();
        var route = Assert.Single(ConsumerRouteTable.Routes, r => r.ConsumerType == typeof(PingWorker));
        Assert.Equal(ConsumerRouteKind.Channel, route.Kind);
        Assert.Equal("test.pings", route.Pattern);

        var runner = new ConsumerRunner(route.Factory(services), new ConsumerScope(route.Pattern), layer);
        _ = runner.RunAsync(Ct);
        var replyTo = await layer.NewChannelAsync("client", Ct);
        for (var i = 0; i < 3; i++)
        {
            await layer.SendAsync("test.pings", ChannelMessage.Create(new Ping(i, replyTo)), Ct);
        }

        for (var i = 0; i < 3; i++)
        {
            var pong = (await layer.ReceiveAsync(replyTo, Ct).AsTask().WaitAsync(Timeout, Ct)).Read<Pong>();
            Assert.Equal(new Pong(i, "hello worker"), pong);
        }

        runner.Stop();
        Assert.Equal(ConsumerStopReason.Requested, await runner.Completion.WaitAsync(Timeout, Ct));
    }

    [Fact]
    public async Task Generated_group_rules_join_groups_named_from_route_values_and_leave_them_on_stop()
    {
        await using var layer = new InMemoryChannelLayer();
        var route = Assert.Single(ConsumerRouteTable.Routes, r => r.ConsumerType == typeof(RoomConsumer));
        Assert.Equal("/ws/test/{room}/", route.Pattern);
        var consumer = (RoomConsumer)route.Factory(new ServiceCollection().BuildServiceProvider());
        var scope = new ConsumerScope(await layer.NewChannelAsync(cancellationToken: Ct)) { RouteValues = new Dictionary<string, string> { ["room"] = "lobby" } };
        var runner = new ConsumerRunner(consumer, scope, layer);
        _ = runner.RunAsync(Ct);

        var line = new ChatLine("lobby", "ada", "hi", DateTimeOffset.UnixEpoch);
        await consumer.Started.Task.WaitAsync(Timeout, Ct);
        var sent = await layer.GroupSendAsync("test.room.lobby", ChannelMessage.Create(line), Ct);
        Assert.Equal(1, sent.Delivered);
        Assert.True(await consumer.HeardSignal.WaitAsync(Timeout, Ct));
        Assert.Equal(line, Assert.Single(consumer.Heard));
        Assert.Equal(["test.everyone", "test.room.lobby"], consumer.Groups.Order(StringComparer.Ordinal));

        runner.Stop();
        await runner.Completion.WaitAsync(Timeout, Ct);
        Assert.Equal(0, (await layer.GroupSendAsync("test.everyone", ChannelMessage.Create(line), Ct)).Members);
    }

    [Theory]
    [InlineData("""{"type":"test.chat","room":"r","user":"u","text":"hi","at":"2026-01-01T00:00:00+00:00"}""")]
    [InlineData("""{"room":"r","user":"u","text":"hi","at":"2026-01-01T00:00:00+00:00","type":"test\u002echat"}""")]
    public async Task A_json_frame_is_dispatched_by_its_utf8_type_bytes(string frame)
    {
        var json = Encoding.UTF8.GetBytes(frame);
        Span<byte> type = stackalloc byte[128];
        var length = JsonMessageReader.ReadType(json, type);
        Assert.Equal("test.chat", Encoding.UTF8.GetString(type[..length]));

        var consumer = new JsonRoomConsumer();
        Assert.True(((IJsonConsumerDispatcher)consumer).TryDispatchJson(type[..length], json, Ct, out var handling));
        await handling;

        Assert.Equal("client:hi", Assert.Single(consumer.Heard));
    }

    [Fact]
    public async Task Client_frames_reach_only_FromClient_handlers_and_layer_messages_only_layer_handlers()
    {
        var consumer = new JsonRoomConsumer();
        var line = new ChatLine("r", "u", "from the layer", DateTimeOffset.UnixEpoch);
        Assert.True(((IConsumerDispatcher)consumer).TryDispatch(ChannelMessage.Create(line), Ct, out var handling));
        await handling;
        Assert.Equal("layer:from the layer", Assert.Single(consumer.Heard));

        // 'test.ping' has a layer handler only (a forwarder): a client's frame of that type finds no handler.
        Assert.False(((IJsonConsumerDispatcher)consumer).TryDispatchJson("test.ping"u8, """{"type":"test.ping","sequence":1,"replyTo":"x"}"""u8, Ct, out _));
        Assert.Single(consumer.Heard);
    }

    [Fact]
    public void A_json_frame_of_an_unknown_type_or_without_a_type_is_not_dispatched()
    {
        IJsonConsumerDispatcher consumer = new JsonRoomConsumer();
        Assert.False(consumer.TryDispatchJson("test.chatty"u8, """{"type":"test.chatty"}"""u8, Ct, out _));
        Assert.False(consumer.TryDispatchJson("test.ping"u8, """{"type":"test.ping"}"""u8, Ct, out _));
        Assert.Equal(-1, JsonMessageReader.ReadType("""{"kind":"x","nested":{"type":"inner"}}"""u8, new byte[128]));
        Assert.Equal(-1, JsonMessageReader.ReadType("""{"type":42}"""u8, new byte[128]));
        Assert.Throws<JsonException>(() => JsonMessageReader.ReadType("""[1,2]"""u8, new byte[128]));
    }

    [Fact]
    public async Task A_sync_handler_runs_through_the_generated_dispatch()
    {
        var consumer = new BlockingConsumer();
        Assert.True(((IConsumerDispatcher)consumer).TryDispatch(ChannelMessage.Create(new Ping(1, "x")), Ct, out var handling));
        await handling;
        Assert.NotNull(consumer.HandledOnThread);
    }

    [Fact]
    public async Task A_message_type_without_a_handler_is_not_dispatched()
    {
        await using var layer = new InMemoryChannelLayer();
        IConsumerDispatcher dispatcher = new PingWorker(new Greeter());
        Assert.False(dispatcher.TryDispatch(ChannelMessage.Create(new Pong(1, "x")), Ct, out _));
        Assert.True(dispatcher is not IConsumerGroupRules);
    }

    private static ChatLine ReadChatLine(string json)
    {
        var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes(json));
        return ChatLine.ReadJson(ref reader);
    }

    internal static string ToJson<T>(T value)
        where T : IJsonMessage<T>
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            T.WriteJson(value, writer);
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    internal static void AssertEqual(Everything expected, Everything actual)
    {
        // Records compare collections by reference; compare them by content, then the rest by value.
        Assert.Equal(expected.Blob, actual.Blob);
        Assert.Equal(expected.Numbers, actual.Numbers);
        Assert.Equal(expected.Tags, actual.Tags);
        Assert.Equal(expected.Authors, actual.Authors);
        Assert.Equal(expected.Counts, actual.Counts);
        List<string> tags = [];
        Dictionary<string, int> counts = [];
        Assert.Equal(
            expected with { Blob = [], Numbers = [], Tags = tags, Authors = [], Counts = counts },
            actual with { Blob = [], Numbers = [], Tags = tags, Authors = [], Counts = counts });
    }
}
