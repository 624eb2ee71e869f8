using Microsoft.CodeAnalysis;
using Xunit;

namespace Switchyard.Generators.Tests.Driver;

/// <summary>One test per generator diagnostic: its ID, exact location and message, and that the output still compiles.</summary>
public sealed class DiagnosticTests
{
    private const string Usings = "using System.Threading;\nusing System.Threading.Tasks;\nusing Switchyard;\nnamespace App;\n";
    private const string Ping = "[Message(\"app.ping\")] public sealed partial record Ping(int N);\n";

    [Fact]
    public void A_clean_project_produces_no_diagnostics_at_all()
    {
        var source = Usings + Ping + """
            [Message("app.pong")] public sealed partial record Pong(string Text, System.Collections.Generic.List<Ping> History);
            [WebSocketConsumer("/ws/{room}/")]
            [JoinGroup("room.{room}")]
            public sealed partial class RoomConsumer : Consumer
            {
                public ValueTask Handle(Ping ping, CancellationToken ct) => default;
                public Task HandleAsync(Pong pong) => Task.CompletedTask;
            }
            [ChannelConsumer("app.jobs")] public sealed partial class Worker(System.IServiceProvider services) : ChannelConsumer { public System.IServiceProvider Services => services; public ValueTask Handle(Ping ping) => default; }
            [HttpConsumer("/api/{id:int}", "get", "POST")] public sealed partial class Api : Consumer { }
            """;

        var run = GeneratorHarness.Run(source);

        Assert.Empty(run.GeneratorDiagnostics);
        Assert.Empty(run.CompileDiagnostics);
    }

    [Fact]
    public void SWY0001_duplicate_route() => AssertSingle(
        Usings + """
            [WebSocketConsumer("/ws/{room}/")] public sealed partial class A : Consumer { }
            [WebSocketConsumer("/WS/{name}")] public sealed partial class B : Consumer { }
            """,
        "SWY0001",
        "B : Consumer",
        "Route '/WS/{name}' is declared by both A and B");

    [Fact]
    public void Routes_that_do_not_collide_are_not_reported()
    {
        var run = GeneratorHarness.Run(Usings + """
            [HttpConsumer("/api/posts/{id}", "GET")] public sealed partial class Read : Consumer { }
            [HttpConsumer("/api/posts/{postId}", "PUT", "DELETE")] public sealed partial class Write : Consumer { }
            [ChannelConsumer("jobs.render")] public sealed partial class Lower : ChannelConsumer { }
            [ChannelConsumer("Jobs.Render")] public sealed partial class Upper : ChannelConsumer { }
            """);

        Assert.Empty(run.GeneratorDiagnostics);
        Assert.Empty(run.CompileDiagnostics);
    }

    [Fact]
    public void SWY0001_http_consumers_whose_methods_overlap() => AssertSingle(
        Usings + """
            [HttpConsumer("/api/posts/{id}", "GET", "PUT")] public sealed partial class Read : Consumer { }
            [HttpConsumer("/api/posts/{postId}", "put")] public sealed partial class Write : Consumer { }
            """,
        "SWY0001",
        "Write : Consumer",
        "Route '/api/posts/{postId}' is declared by both Read and Write");

    [Fact]
    public void SWY0002_group_rule_with_a_parameter_the_route_lacks() => AssertSingle(
        Usings + """
            [WebSocketConsumer("/ws/{room}/")]
            [JoinGroup("chat.{roomId}")]
            public sealed partial class C : Consumer { }
            """,
        "SWY0002",
        "JoinGroup(\"chat.{roomId}\")",
        "Group rule 'chat.{roomId}' uses '{roomId}', but route '/ws/{room}/' of C has no parameter 'roomId'");

    [Fact]
    public void SWY0003_two_handlers_for_one_message_type() => AssertSingle(
        Usings + Ping + """
            [Consumer]
            public sealed partial class C : Consumer
            {
                public ValueTask Handle(Ping ping) => default;
                [Handler] public ValueTask OnPing(Ping ping, CancellationToken ct) => default;
            }
            """,
        "SWY0003",
        "OnPing(",
        "C has two handlers for message type 'app.ping' from the same source: Handle(Ping) and OnPing(Ping, CancellationToken) (a JSON WebSocket consumer may have one [FromClient] handler and one channel-layer handler per type)");

    [Fact]
    public void A_JSON_consumer_may_have_one_client_handler_and_one_layer_handler_for_a_type()
    {
        var run = GeneratorHarness.Run(Usings + Ping + """
            [WebSocketConsumer("/ws/")]
            public sealed partial class C : JsonWebSocketConsumer
            {
                [FromClient] public ValueTask Handle(Ping ping, CancellationToken ct) => default;
                [FromLayer] public ValueTask Relay(Ping ping, CancellationToken ct) => default;
            }
            """);

        Assert.Empty(run.GeneratorDiagnostics);
        Assert.Empty(run.CompileDiagnostics);
    }

    [Fact]
    public void SWY0012_a_JSON_handler_that_does_not_say_where_its_messages_come_from() => AssertSingle(
        Usings + Ping + """
            [WebSocketConsumer("/ws/")]
            public sealed partial class C : JsonWebSocketConsumer
            {
                public ValueTask Handle(Ping ping, CancellationToken ct) => default;
            }
            """,
        "SWY0012",
        "Handle(",
        "C.Handle(Ping, CancellationToken) does not say where 'app.ping' comes from: a client's JSON frame reaches only [FromClient] handlers, so this handler takes 'app.ping' from the channel layer only; mark it [FromClient] if clients send this type, or [FromLayer] to say it is for layer messages",
        DiagnosticSeverity.Warning);

    [Theory]
    [InlineData("WebSocketConsumer", "[FromClient]", "only JsonWebSocketConsumer handlers take client frames; C gets its clients' frames in OnReceiveAsync")]
    [InlineData("ChannelConsumer", "[FromClient]", "only JsonWebSocketConsumer handlers take client frames; C gets its clients' frames in no handler")]
    [InlineData("WebSocketConsumer", "[FromLayer]", "[FromLayer] only applies to JsonWebSocketConsumer handlers; every handler of C takes messages from the channel layer")]
    [InlineData("JsonWebSocketConsumer", "[FromClient, FromLayer]", "it is marked both [FromClient] and [FromLayer]; a handler takes one of the two")]
    public void SWY0013_FromClient_or_FromLayer_where_it_does_not_apply(string baseClass, string attributes, string problem) => AssertSingle(
        Usings + Ping + $$"""
            [Consumer]
            public sealed partial class C : {{baseClass}}
            {
                {{attributes}} public ValueTask Handle(Ping ping) => default;
            }
            """,
        "SWY0013",
        "Handle(",
        $"C.Handle(Ping) cannot be a handler as marked: {problem}");

    [Theory]
    [InlineData("JsonWebSocketConsumer", "[FromLayer]", "it returns a reply, which only a [FromClient] handler gives (a client's request is answered with it); mark it [FromClient], or return ValueTask")]
    [InlineData("ChannelConsumer", "", "it returns a reply, which only a JsonWebSocketConsumer's [FromClient] handler gives; C's handlers return ValueTask or Task")]
    public void SWY0013_a_handler_that_returns_a_reply_must_take_client_frames(string baseClass, string attributes, string problem) => AssertSingle(
        Usings + Ping + $$"""
            [Consumer]
            public sealed partial class C : {{baseClass}}
            {
                {{attributes}} public ValueTask<Ping> Handle(Ping ping) => ValueTask.FromResult(ping);
            }
            """,
        "SWY0013",
        "Handle(",
        $"C.Handle(Ping) cannot be a handler as marked: {problem}");

    [Theory]
    [InlineData("ValueTask<string>", "System.Threading.Tasks.ValueTask<string>")]
    [InlineData("Task<int>", "System.Threading.Tasks.Task<int>")]
    public void SWY0004_a_reply_that_is_not_a_message(string returns, string shown) => AssertSingle(
        Usings + Ping + $$"""
            [Consumer]
            public sealed partial class C : JsonWebSocketConsumer
            {
                [FromClient] public {{returns}} Handle(Ping ping) => default!;
            }
            """,
        "SWY0004",
        "Handle(",
        $"Handler C.Handle is invalid: it returns '{shown}': a handler's reply must be a [Message(\"type\")] record. A handler is 'ValueTask Handle(TMessage message, CancellationToken cancellationToken)' (Task is allowed, the token is optional) where TMessage is a [Message(\"type\")] record");

    [Fact]
    public void A_FromClient_handler_may_return_its_reply_as_ValueTask_or_Task()
    {
        var run = GeneratorHarness.Run(Usings + Ping + """
            [Message("app.pong")] public sealed partial record Pong(int N);
            [WebSocketConsumer("/ws/")]
            public sealed partial class C : JsonWebSocketConsumer
            {
                [FromClient] public ValueTask<Pong> Handle(Ping ping) => ValueTask.FromResult(new Pong(ping.N));
            }
            [WebSocketConsumer("/ws/b/")]
            public sealed partial class D : JsonWebSocketConsumer
            {
                [FromClient] public Task<Pong> Handle(Ping ping, CancellationToken ct) => Task.FromResult(new Pong(ping.N));
            }
            """);

        Assert.Empty(run.GeneratorDiagnostics);
        Assert.Empty(run.CompileDiagnostics);
    }

    [Theory]
    [InlineData("public ValueTask Handle(Ping ping, CancellationToken ct) => SendAsync(ping, ct);", "takes the forwarding path: every 'app.ping' from the channel layer goes to the client as its JSON without waking the consumer")]
    [InlineData("public ValueTask Handle(Ping ping) => SendTextAsync(ping.Text);", "takes the forwarding path: every 'app.ping' from the channel layer goes to the client as a text frame of its 'Text' without waking the consumer")]
    [InlineData("public ValueTask Handle(Ping ping, CancellationToken ct) => SendBytesAsync(ping.Data, ct);", "takes the forwarding path: every 'app.ping' from the channel layer goes to the client as a binary frame of its 'Data' without waking the consumer")]
    [InlineData("public async ValueTask Handle(Ping ping, CancellationToken ct) => await SendAsync(ping, ct);", "does not take the forwarding path: it is 'async' (a forwarder returns the send: '=> SendAsync(message, ct)'); every 'app.ping' wakes the consumer")]
    [InlineData("public ValueTask Handle(Ping ping) => SendTextAsync(ping.Text + \"!\");", "does not take the forwarding path: its body does more than send the message or one of its fields to the client (write it as '=> SendAsync(message, ct)', '=> SendTextAsync(message.Field, ct)' or '=> SendBytesAsync(message.Field, ct)'); every 'app.ping' wakes the consumer")]
    public void SWY0014_says_which_handlers_take_the_forwarding_path_and_why_not(string handler, string says) => AssertSingle(
        Usings + """
            [Message("app.ping")] public sealed partial record Ping(string Text, byte[] Data);
            [WebSocketConsumer("/ws/")]
            public sealed partial class C : JsonWebSocketConsumer
            {
                [FromLayer]
            """ + handler + "\n}\n",
        "SWY0014",
        "Handle(",
        $"C.Handle({(handler.Contains("CancellationToken", StringComparison.Ordinal) ? "Ping, CancellationToken" : "Ping")}) {says}",
        DiagnosticSeverity.Info);

    [Theory]
    [InlineData("public void Handle(Ping ping) { }", "it returns 'void' instead of ValueTask or Task (mark a synchronous handler [SyncHandler] to run it off the event path)")]
    [InlineData("[SyncHandler] public ValueTask Handle(Ping ping) => default;", "it is marked [SyncHandler] but returns 'System.Threading.Tasks.ValueTask' instead of void")]
    [InlineData("public ValueTask Handle(string text) => default;", "its first parameter's type 'string' is not a [Message(\"type\")] record")]
    [InlineData("public ValueTask Handle(Ping ping, int n) => default;", "its second parameter is 'int' instead of CancellationToken")]
    [InlineData("public static ValueTask Handle(Ping ping) => default;", "it is static")]
    [InlineData("public ValueTask Handle() => default;", "it takes 0 parameters instead of a message and an optional CancellationToken")]
    public void SWY0004_handler_with_an_invalid_signature(string method, string problem) => AssertSingle(
        Usings + Ping + $$"""
            [Consumer]
            public sealed partial class C : Consumer
            {
                {{method}}
            }
            """,
        "SWY0004",
        "Handle(",
        $"Handler C.Handle is invalid: {problem}. A handler is 'ValueTask Handle(TMessage message, CancellationToken cancellationToken)' (Task is allowed, the token is optional) where TMessage is a [Message(\"type\")] record");

    [Fact]
    public void SWY0005_consumer_not_partial() => AssertSingle(
        Usings + "[Consumer] public sealed class Lonely : Consumer { }\n",
        "SWY0005",
        "Lonely :",
        "Consumer Lonely must be a top-level, non-generic 'partial' class so the generator can add its dispatch switch");

    [Fact]
    public void SWY0006_message_member_of_an_unsupported_type() => AssertSingle(
        Usings + "[Message(\"app.link\")] public sealed partial record Link(string Title, System.Uri Target);\n",
        "SWY0006",
        "Target)",
        "Member 'Target' of message Link has type 'System.Uri', which Switchyard cannot serialize: use a primitive, string, Guid, DateTime, DateTimeOffset, TimeSpan, an enum, a nullable of these, byte[], T[], List<T>, IReadOnlyList<T>, Dictionary<string, T> or another [Message] record");

    [Fact]
    public void SWY0006_a_member_that_would_clash_with_the_type_field() => AssertSingle(
        Usings + "[Message(\"app.kind\")] public sealed partial record Kind(string Type);\n",
        "SWY0006",
        "Type)",
        "Member 'Type' of message Kind has type 'string', which Switchyard cannot serialize: the JSON field 'type' holds the message type; rename the member");

    [Theory]
    [InlineData("[Message(\"bad type\")] public sealed partial record M(int N);", "\"bad type\"", "Message type 'bad type' is invalid: character ' ' at position 3 is not allowed; use ASCII letters, digits, '-', '_' or '.'")]
    [InlineData("[ChannelConsumer(\"jobs!local\")] public sealed partial class W : ChannelConsumer { }", "\"jobs!local\"", "Channel name 'jobs!local' is invalid: character '!' at position 4 is not allowed; use ASCII letters, digits, '-', '_' or '.'")]
    [InlineData("[WebSocketConsumer(\"/ws/{room}/\")][JoinGroup(\"chat/{room}\")] public sealed partial class G : Consumer { }", "JoinGroup(\"chat/{room}\")", "Group name 'chat/{room}' is invalid: character '/' at position 4 is not allowed; use ASCII letters, digits, '-', '_' or '.'")]
    public void SWY0007_invalid_name_literal(string declaration, string marker, string message) =>
        AssertSingle(Usings + declaration + "\n", "SWY0007", marker, message);

    [Fact]
    public void SWY0008_message_that_is_not_a_partial_positional_record() => AssertSingle(
        Usings + "[Message(\"app.plain\")] public sealed record Plain(int N);\n",
        "SWY0008",
        "Plain(",
        "Message Plain must be a top-level 'partial record' with a primary constructor so the generator can add its serializers");

    [Fact]
    public void SWY0008_message_attribute_on_a_class() => AssertSingle(
        Usings + "[Message(\"app.klass\")] public sealed partial class Klass { }\n",
        "SWY0008",
        "Klass {",
        "Message Klass must be a top-level 'partial record' with a primary constructor so the generator can add its serializers");

    [Fact]
    public void SWY0008_is_the_only_error_when_a_consumer_handles_the_broken_message() => AssertSingle(
        Usings + "[Message(\"app.plain\")] public sealed record Plain(int N);\n[Consumer] public sealed partial class C : Consumer { public ValueTask Handle(Plain plain) => default; }\n",
        "SWY0008",
        "Plain(",
        "Message Plain must be a top-level 'partial record' with a primary constructor so the generator can add its serializers");

    [Fact]
    public void SWY0009_consumer_without_exactly_one_public_constructor() => AssertSingle(
        Usings + """
            [ChannelConsumer("app.jobs")]
            public sealed partial class Two : ChannelConsumer
            {
                public Two() { }
                public Two(int n) { }
            }
            """,
        "SWY0009",
        "Two :",
        "Consumer Two has 2 public constructors; the generated factory needs exactly one to inject services into");

    [Fact]
    public void SWY0010_consumer_attribute_on_a_class_that_is_not_a_consumer() => AssertSingle(
        Usings + "[ChannelConsumer(\"app.jobs\")] public sealed partial class NotOne { }\n",
        "SWY0010",
        "NotOne {",
        "NotOne has [ChannelConsumer] but does not derive from Switchyard.Consumer");

    [Fact]
    public void SWY0011_two_messages_with_one_type() => AssertSingle(
        Usings + "[Message(\"app.same\")] public sealed partial record First(int N);\n[Message(\"app.same\")] public sealed partial record Second(int N);\n",
        "SWY0011",
        "Second(",
        "Message type 'app.same' is declared by both First and Second");

    private static void AssertSingle(string source, string id, string marker, string message, DiagnosticSeverity severity = DiagnosticSeverity.Error)
    {
        var run = GeneratorHarness.Run(source);

        var diagnostic = Assert.Single(severity == DiagnosticSeverity.Info ? run.InfoDiagnostics : run.GeneratorDiagnostics);
        Assert.Equal(id, diagnostic.Id);
        Assert.Equal(severity, diagnostic.Severity);
        Assert.Equal(message, diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal($"https://github.com/switchyard-dotnet/switchyard/blob/main/docs/diagnostics/{id}.md", diagnostic.Descriptor.HelpLinkUri);
        var expected = source.IndexOf(marker, StringComparison.Ordinal);
        Assert.True(expected >= 0, $"Marker '{marker}' is not in the source.");
        Assert.Equal(expected, diagnostic.Location.SourceSpan.Start);

        // The generated surface still compiles: the diagnostic is the user's only error.
        Assert.Empty(run.CompileDiagnostics);
    }
}
