using System.Reflection;
using Xunit;

namespace Switchyard.Generators.Tests.Driver;

/// <summary>
/// Snapshot tests of the generated source: each case's output must equal the checked-in
/// <c>Snapshots/{Case}/{HintName}.verified.cs</c>. A changed output fails until someone accepts it on purpose by
/// running the tests with <c>SWITCHYARD_ACCEPT_SNAPSHOTS=1</c>, which rewrites the files (review the diff, then commit).
/// </summary>
public sealed class SnapshotTests
{
    private const string AcceptVariable = "SWITCHYARD_ACCEPT_SNAPSHOTS";

    [Fact]
    public void Message_with_a_type() => Verify(nameof(Message_with_a_type), """
        using System;
        using Switchyard;
        namespace LiveBlog;

        [Message("liveblog.post")]
        public sealed partial record PostPublished(int Id, string Slug, string Title, string? Html, DateTimeOffset At, int Revision = 1);
        """);

    [Fact]
    public void Message_with_collections_enums_and_nested_records() => Verify(nameof(Message_with_collections_enums_and_nested_records), """
        using System;
        using System.Collections.Generic;
        using Switchyard;
        namespace Shop;

        public enum Status { Pending, Paid = 3 }

        [Message]
        public sealed partial record Line(string Sku, int Quantity, decimal Price);

        [Message("shop.order")]
        public sealed partial record Order(Guid Id, Status Status, Status? Previous, IReadOnlyList<Line> Lines, Dictionary<string, string>? Notes, byte[] Signature, TimeSpan? Eta);
        """);

    [Fact]
    public void WebSocket_consumer_with_group_rules_handlers_and_the_route_table() => Verify(nameof(WebSocket_consumer_with_group_rules_handlers_and_the_route_table), """
        using System.Threading;
        using System.Threading.Tasks;
        using Switchyard;
        namespace Chat;

        public interface IHistory { }

        [Message("chat.say")] public sealed partial record Say(string Text);
        [Message("chat.message")] public sealed partial record ChatMessage(string Room, string Text);

        [WebSocketConsumer("/ws/chat/{room}/")]
        [JoinGroup("chat.{room}")]
        [JoinGroup("chat.all")]
        public sealed partial class ChatConsumer(IHistory history) : Consumer
        {
            public IHistory History => history;
            public ValueTask Handle(Say say, CancellationToken ct) => default;
            public Task HandleAsync(ChatMessage message) => Task.CompletedTask;
        }

        [ChannelConsumer("chat.moderate")]
        public sealed partial class Moderator : ChannelConsumer
        {
            [Handler] public ValueTask Review(ChatMessage message, CancellationToken ct) => default;
        }
        """);

    [Fact]
    public void WebSocket_consumers_with_client_handlers_and_the_forwarding_path() => Verify(nameof(WebSocket_consumers_with_client_handlers_and_the_forwarding_path), """
        using System.Threading;
        using System.Threading.Tasks;
        using Switchyard;
        namespace Relay;

        [Message("relay.say")] public sealed partial record Say(string Text);
        [Message("relay.line")] public sealed partial record Line(string Room, string Text);
        [Message("relay.blob")] public sealed partial record Blob(byte[] Data);

        [WebSocketConsumer("/ws/json/{room}/")]
        [JoinGroup("json.{room}")]
        public sealed partial class JsonRelay : JsonWebSocketConsumer
        {
            [FromClient] public async ValueTask Handle(Say say, CancellationToken ct) => await GroupSendAsync($"json.{Route["room"]}", new Line(Route["room"], say.Text), ct);
            [FromClient] public async ValueTask Handle(Line line, CancellationToken ct) => await GroupSendAsync($"json.{Route["room"]}", line, ct);
            [FromLayer] public ValueTask Forward(Line line, CancellationToken ct) => SendAsync(line, ct);
        }

        [WebSocketConsumer("/ws/raw/{room}/")]
        [JoinGroup("raw.{room}")]
        public sealed partial class RawRelay : WebSocketConsumer
        {
            protected override async ValueTask OnReceiveAsync(WebSocketMessage message, CancellationToken ct) =>
                await GroupSendAsync($"raw.{Route["room"]}", new Line(Route["room"], message.GetText()), ct);
            public ValueTask Handle(Line line, CancellationToken ct) => SendTextAsync(line.Text, ct);
            public ValueTask Handle(Blob blob) => SendBytesAsync(blob.Data);
        }
        """);

    [Fact]
    public void TypeScript_module_of_messages_and_routes() => Verify(nameof(TypeScript_module_of_messages_and_routes), """
        using System;
        using System.Collections.Generic;
        using System.Threading;
        using System.Threading.Tasks;
        using Switchyard;
        namespace Shop;

        public enum Status { Pending, Paid = 3 }
        [Flags] public enum Tags { None = 0, Gift = 1, Rush = 2 }

        [Message] public sealed partial record Line(string Sku, int Quantity, decimal Price);
        [Message("shop.order")]
        public sealed partial record Order(Guid Id, Status Status, Status? Previous, IReadOnlyList<Line> Lines, Dictionary<string, string>? Notes,
            byte[] Signature, TimeSpan? Eta, Tags Tags, List<string?> Comments, long Total, DateTimeOffset At, string Currency = "EUR");
        [Message("shop.place")] public sealed partial record Place(Order Order);
        [Message("shop.placed")] public sealed partial record Placed(Guid Id);
        [Message("shop.watch")] public sealed partial record Watch(Guid Id);
        [Message("shop.confirm")] public sealed partial record Confirm(Guid Id);
        [Message("shop.confirmed")] public sealed partial record Confirmed(bool Ok);
        [Message("shop.notice")] public sealed partial record Notice(string Text);

        [WebSocketConsumer("/ws/shop/{customer}/")]
        public sealed partial class ShopConsumer : JsonWebSocketConsumer
        {
            [FromClient] public async ValueTask<Placed> Handle(Place place, CancellationToken ct)
            {
                var answer = await InvokeClientAsync<Confirm, Confirmed>(new Confirm(place.Order.Id), null, ct);
                await InvokeClientAsync(new Notice(answer.Ok ? "placed" : "cancelled"), null, ct);
                return new Placed(place.Order.Id);
            }

            [FromClient] public async ValueTask Handle(Watch watch, CancellationToken ct) => await SendAsync(new Notice("watching"), ct);
            [FromLayer] public ValueTask Forward(Order order, CancellationToken ct) => SendAsync(order, ct);
            public ValueTask Handle(PresenceEvent presence, CancellationToken ct) => SendAsync(presence, ct);
        }

        [WebSocketConsumer("/ws/raw/")]
        public sealed partial class RawConsumer : WebSocketConsumer
        {
        }
        """, new Dictionary<string, string> { ["SwitchyardTypeScriptOutput"] = "Client/shop.generated.ts" }, only: "Switchyard.TypeScript.g.cs");

    // Compares every generated source with its snapshot, or only the one named by only (the others have cases of their own).
    private static void Verify(string caseName, string source, IReadOnlyDictionary<string, string>? buildProperties = null, string? only = null)
    {
        var run = GeneratorHarness.Run(buildProperties, source);
        var sources = run.Sources.Where(s => only is null || s.Key == only).ToDictionary(s => s.Key, s => s.Value, StringComparer.Ordinal);
        Assert.Empty(run.GeneratorDiagnostics);
        Assert.Empty(run.CompileDiagnostics);

        var directory = Path.Combine(SnapshotsDirectory, caseName);
        var accept = Environment.GetEnvironmentVariable(AcceptVariable) == "1";
        if (accept)
        {
            if (Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }

            Directory.CreateDirectory(directory);
        }

        foreach (var (hintName, text) in sources)
        {
            var path = Path.Combine(directory, Path.ChangeExtension(hintName, ".verified.cs"));
            if (accept)
            {
                File.WriteAllText(path, text);
                continue;
            }

            Assert.True(File.Exists(path), $"No snapshot {path}. Run the tests with {AcceptVariable}=1 to create it, review it, and commit it.");
            var expected = File.ReadAllText(path).ReplaceLineEndings("\n");
            if (expected != text)
            {
                Assert.Fail($"Generated {hintName} differs from {path}. If the change is intended, run the tests with {AcceptVariable}=1, review the diff and commit it.\n{FirstDifference(expected, text)}");
            }
        }

        if (!accept)
        {
            var snapshots = Directory.GetFiles(directory, "*.verified.cs").Select(Path.GetFileName).Order(StringComparer.Ordinal);
            var generated = sources.Keys.Select(h => Path.ChangeExtension(h, ".verified.cs")).Order(StringComparer.Ordinal);
            Assert.Equal(snapshots, generated);
        }
    }

    private static string SnapshotsDirectory { get; } = typeof(SnapshotTests).Assembly
        .GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == "SnapshotsDirectory").Value!;

    private static string FirstDifference(string expected, string actual)
    {
        var expectedLines = expected.Split('\n');
        var actualLines = actual.Split('\n');
        for (var i = 0; i < Math.Max(expectedLines.Length, actualLines.Length); i++)
        {
            var e = i < expectedLines.Length ? expectedLines[i] : "<end>";
            var a = i < actualLines.Length ? actualLines[i] : "<end>";
            if (e != a)
            {
                return $"First difference at line {i + 1}:\n  expected: {e}\n  actual:   {a}";
            }
        }

        return "The files differ only in length.";
    }
}
