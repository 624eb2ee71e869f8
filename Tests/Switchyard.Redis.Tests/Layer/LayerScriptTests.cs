using StackExchange.Redis;
using Switchyard.Redis.Connections;
using Switchyard.Redis.Security;
using Switchyard.Redis.Tests.Support;
using Xunit;

namespace Switchyard.Redis.Tests.Layer;

/// <summary>The layer's atomic operations, run as the layer will run them, against a real redis-server.</summary>
public sealed class LayerScriptTests : IAsyncLifetime
{
    private const long Now = 1_700_000_000_000;
    private const long Ttl = 60_000;
    private RedisServer _server = null!;
    private RedisServerConnection _redis = null!;

    private const long InboxCapacity = 100;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _server = await RedisServer.StartAsync();
        _redis = RedisServerConnection.Create([_server.ConnectionString], configure: null, loggerFactory: null)[0];
        await _redis.ConnectAsync(abortOnConnectFail: true, Ct);
    }

    public async ValueTask DisposeAsync()
    {
        await _redis.DisposeAsync();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task Send_queues_until_the_capacity_and_pop_returns_in_order()
    {
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal((1, 0), await SendAsync("ch:a", i, capacity: 3));
        }

        Assert.Equal((0, 0), await SendAsync("ch:a", 99, capacity: 3));
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(i, Envelope.Decode((await PopAsync("ch:a"))!, null).Message.Read<Numbered>().N);
        }

        Assert.Null(await PopAsync("ch:a"));
    }

    [Fact]
    public async Task Expired_entries_are_dropped_counted_and_free_capacity()
    {
        await SendAsync("ch:b", 1, capacity: 2, now: Now);
        await SendAsync("ch:b", 2, capacity: 2, now: Now + 1_000);

        // At Now + Ttl the first has expired (expiry is inclusive), the second not yet.
        Assert.Equal((1, 1), await SendAsync("ch:b", 3, capacity: 2, now: Now + Ttl));
        Assert.Equal(2, Envelope.Decode((await PopAsync("ch:b"))!, null).Message.Read<Numbered>().N);
        Assert.Equal(3, Envelope.Decode((await PopAsync("ch:b"))!, null).Message.Read<Numbered>().N);
    }

    [Fact]
    public async Task A_group_send_queues_for_plain_members_with_room_reports_full_ones_and_drops_expired_messages_first()
    {
        await SendAsync("ch:full", 0, capacity: 1);
        await SendAsync("ch:slow", 0, capacity: 5, now: Now - Ttl);
        var entry = Envelope.Encode(ChannelMessage.Create(new Numbered(7)), Now + Ttl, null);

        var reply = await LayerScripts.Deliver.EvaluateAsync(_redis, ["ch:ok", "ch:full", "ch:slow"], [Now, Ttl, entry, 1, 3, 5, 1, 5, InboxCapacity], Ct);

        // A channel whose message expired unread still takes this one (it stays in its groups); the expiry is reported.
        Assert.Equal([1L, 0L, 1L], reply[0].Items!.Select(r => r.AsInteger()));
        Assert.Equal([0L, 0L, 1L], reply[2].Items!.Select(r => r.AsInteger()));
        Assert.Equal(7, Envelope.Decode((await PopAsync("ch:ok"))!, null).Message.Read<Numbered>().N);
        Assert.Equal(7, Envelope.Decode((await PopAsync("ch:slow"))!, null).Message.Read<Numbered>().N);
    }

    [Fact]
    public async Task A_send_to_a_local_channel_is_an_inbox_entry_naming_it_and_counts_against_its_capacity()
    {
        var entry = Envelope.Encode(ChannelMessage.Create(new Numbered(7)), Now + Ttl, null);

        Assert.Equal(new[] { 1L }, await DeliverAsync(["in:a!", "ip:a!"], [Now, Ttl, entry, 0, 0, InboxCapacity, "x", 1, 0]));
        Assert.Equal(new[] { 0L }, await DeliverAsync(["in:a!", "ip:a!"], [Now, Ttl, entry, 0, 0, InboxCapacity, "x", 1, 0]));
        Assert.Equal(new[] { 1L }, await DeliverAsync(["in:a!", "ip:a!"], [Now, Ttl, entry, 0, 0, InboxCapacity, "y", 1, 0]));

        Assert.Equal(2, (await ExecuteAsync(["LLEN", "in:a!"], Ct)).AsInteger());
        var queued = (await ExecuteAsync(["LPOP", "in:a!"], Ct)).Bytes!;
        var (expiresAt, head, contentStart) = Envelope.ReadInboxHead(queued);
        Assert.Equal(Now + Ttl, expiresAt);
        Assert.Equal("x", head);
        Assert.Equal(7, Envelope.DecodeContent(queued.AsSpan(contentStart), null).Read<Numbered>().N);
        Assert.Equal(["1", "1"], (await ExecuteAsync(["HMGET", "ip:a!", "x", "y"], Ct)).Items!.Select(v => v.AsString()));
    }

    [Fact]
    public async Task A_send_applies_the_changes_its_process_carries_before_checking_the_capacity()
    {
        await ExecuteAsync(["HSET", "ip:e!", "x", 2, "y", 1], Ct);
        var entry = Envelope.Encode(ChannelMessage.Create(new Numbered(9)), Now + Ttl, null);

        Assert.Equal(new[] { 0L }, await DeliverAsync(["in:e!", "ip:e!"], [Now, Ttl, entry, 0, 0, InboxCapacity, "x", 2, 0]));
        Assert.Equal(new[] { 1L }, await DeliverAsync(["in:e!", "ip:e!"], [Now, Ttl, entry, 0, 0, InboxCapacity, "x", 2, 2, "x", -1, "y", -1]));

        Assert.Equal(["2", null], (await ExecuteAsync(["HMGET", "ip:e!", "x", "y"], Ct)).Items!.Select(v => v.AsString()));
    }

    [Fact]
    public async Task A_group_send_gives_each_process_one_entry_naming_the_group_until_its_inbox_is_full()
    {
        var entry = Envelope.Encode(ChannelMessage.Create(new Numbered(8)), Now + Ttl, null);

        Assert.Equal(new[] { 1L, 1L }, await DeliverAsync(["in:p1!", "ip:p1!", "in:p2!", "ip:p2!"], [Now, Ttl, entry, 1, 0, 1, "@room,3", 0, 0, "@room,5", 0, 0]));
        Assert.Equal(new[] { 0L }, await DeliverAsync(["in:p1!", "ip:p1!"], [Now, Ttl, entry, 1, 0, 1, "@room,3", 0, 0]));

        var queued = (await ExecuteAsync(["LPOP", "in:p2!"], Ct)).Bytes!;
        Assert.Equal("@room,5", Envelope.ReadInboxHead(queued).Head);
        Assert.Equal(0, (await ExecuteAsync(["EXISTS", "ip:p1!"], Ct)).AsInteger());
    }

    [Fact]
    public async Task Expired_inbox_entries_are_dropped_and_their_channels_reported_and_a_group_send_is_queued_all_the_same()
    {
        var stale = Envelope.Encode(ChannelMessage.Create(new Numbered(1)), Now - 1, null);
        await DeliverAsync(["in:b!", "ip:b!"], [Now - Ttl, Ttl, stale, 0, 0, InboxCapacity, "x", 5, 0]);
        var entry = Envelope.Encode(ChannelMessage.Create(new Numbered(2)), Now + Ttl, null);

        var reply = await LayerScripts.Deliver.EvaluateAsync(_redis, ["in:b!", "ip:b!"], [Now, Ttl, entry, 1, 0, InboxCapacity, "@g,1", 0, 0], Ct);

        Assert.Equal([1L], reply[0].Items!.Select(r => r.AsInteger()));
        Assert.Equal(["1", "x", "1"], reply[1].Items!.Select(v => v.AsString()));
        Assert.Equal(1, (await ExecuteAsync(["LLEN", "in:b!"], Ct)).AsInteger());
        Assert.True((await ExecuteAsync(["HGET", "ip:b!", "x"], Ct)).IsNull);
    }

    [Fact]
    public async Task A_send_to_a_local_channel_is_queued_even_after_its_older_messages_expired()
    {
        var stale = Envelope.Encode(ChannelMessage.Create(new Numbered(1)), Now - 1, null);
        await DeliverAsync(["in:c!", "ip:c!"], [Now - Ttl, Ttl, stale, 0, 0, InboxCapacity, "x", 5, 0]);
        var entry = Envelope.Encode(ChannelMessage.Create(new Numbered(2)), Now + Ttl, null);

        var reply = await LayerScripts.Deliver.EvaluateAsync(_redis, ["in:c!", "ip:c!"], [Now, Ttl, entry, 0, 0, InboxCapacity, "x", 5, 0], Ct);

        Assert.Equal([1L], reply[0].Items!.Select(r => r.AsInteger()));
        Assert.Equal(["1", "x", "1"], reply[1].Items!.Select(v => v.AsString()));
        Assert.Equal(1, (await ExecuteAsync(["HGET", "ip:c!", "x"], Ct)).AsInteger());
    }

    [Fact]
    public async Task Pending_counts_move_by_the_reported_changes_and_channels_at_zero_are_forgotten()
    {
        await ExecuteAsync(["HSET", "ip:d!", "x", 3, "y", 1], Ct);

        await LayerScripts.AdjustPending.EvaluateAsync(_redis, ["ip:d!"], ["x", -2, "y", -1, "z", 2], Ct);

        Assert.Equal(["1", null, "2"], (await ExecuteAsync(["HMGET", "ip:d!", "x", "y", "z"], Ct)).Items!.Select(v => v.AsString()));
    }

    [Fact]
    public async Task Group_targets_are_the_live_plain_members_and_one_line_per_process_with_its_version_and_member_count()
    {
        RedisKey[] keys = ["g:room", "gp:room", "gv:room"];
        await _redis.Database.SortedSetAddAsync("g:room", [new("old", Now - 10), new("new", Now)]);
        await LayerScripts.LocalGroupJoin.EvaluateAsync(_redis, [keys[1], "gm:room:p1!", keys[2]], ["p1!", "a", Now, Ttl], Ct);
        await LayerScripts.LocalGroupJoin.EvaluateAsync(_redis, [keys[1], "gm:room:p1!", keys[2]], ["p1!", "b", Now, Ttl], Ct);
        await LayerScripts.LocalGroupJoin.EvaluateAsync(_redis, [keys[1], "gm:room:p2!", keys[2]], ["p2!", "c", Now - 10, Ttl], Ct);

        var targets = await LayerScripts.GroupTargets.EvaluateAsync(_redis, keys, [Now - 10, "gm:room:"], Ct);

        Assert.Equal(["new"], targets[0].Items!.Select(m => m.AsString()!));
        var p1 = targets[1].Items!.Select(v => v.AsString()!).ToArray();
        Assert.Equal(["p1!", "2"], [p1[0], p1[2]]);

        // Every change is a new version (the server's clock in microseconds, never going back): p2's join came after p1's.
        var p1Version = long.Parse(p1[1]!, System.Globalization.CultureInfo.InvariantCulture);
        var p2Version = (long)await _redis.Database.HashGetAsync(keys[2], "p2!");
        Assert.True(p2Version > p1Version, $"p2's version {p2Version} is not after p1's {p1Version}.");

        // Leaving makes a new version; the last member leaving takes the process out of the group.
        await LayerScripts.LocalGroupLeave.EvaluateAsync(_redis, [keys[1], "gm:room:p1!", keys[2]], ["p1!", "a"], Ct);
        var members = await LayerScripts.LocalGroupMembers.EvaluateAsync(_redis, ["gm:room:p1!", keys[2]], ["p1!", Now - 10], Ct);
        Assert.True(members[0].AsInteger() > p2Version, "leaving did not make a newer version.");
        Assert.Equal(["b", Now.ToString(System.Globalization.CultureInfo.InvariantCulture)], members[1].Items!.Select(v => v.AsString()));
        await LayerScripts.LocalGroupLeave.EvaluateAsync(_redis, [keys[1], "gm:room:p1!", keys[2]], ["p1!"], Ct);
        Assert.Empty((await LayerScripts.GroupTargets.EvaluateAsync(_redis, keys, [Now - 10, "gm:room:"], Ct)).Items![1].Items!);
    }

    [Fact]
    public void Envelopes_round_trip_type_headers_payload_and_expiry_with_and_without_encryption()
    {
        using var encryption = new PayloadEncryption(["k1"]);
        var message = new ChannelMessage("chat.message", new byte[] { 0, 1, 2, 255 }, MessageHeaders.Empty.With("traceparent", "00-abc-def-01"));
        foreach (var crypto in new[] { null, encryption })
        {
            var (decoded, expiresAt) = Envelope.Decode(Envelope.Encode(message, 1234567890123, crypto), crypto);
            Assert.Equal(1234567890123, expiresAt);
            Assert.Equal(message.Type, decoded.Type);
            Assert.Equal(message.Payload.ToArray(), decoded.Payload.ToArray());
            Assert.Equal(message.Headers, decoded.Headers);
        }

        Assert.Throws<RedisLayerException>(() => Envelope.Decode("not an envelope"u8, null));
    }

    private async Task<(long, long)> SendAsync(string key, int n, int capacity, long now = Now)
    {
        var entry = Envelope.Encode(ChannelMessage.Create(new Numbered(n)), now + Ttl, null);
        return LayerScripts.Pair(await LayerScripts.Send.EvaluateAsync(_redis, [key], [now, capacity, entry, Ttl], Ct));
    }

    private Task<RedisResult> ExecuteAsync(object[] command, CancellationToken cancellationToken) =>
        _redis.Database.ExecuteAsync((string)command[0], command[1..]).WaitAsync(cancellationToken);

    private async Task<long[]> DeliverAsync(RedisKey[] keys, RedisValue[] arguments) =>
        [.. (await LayerScripts.Deliver.EvaluateAsync(_redis, keys, arguments, Ct))[0].Items!.Select(r => r.AsInteger())];

    // What a receive on a plain channel does first: a plain LPOP (it checks the expiry itself; see the specification kit).
    private async Task<byte[]?> PopAsync(string key) => (byte[]?)await _redis.Database.ListLeftPopAsync(key).WaitAsync(Ct);
}

/// <summary>A hand-written message (this project does not run the generator).</summary>
public sealed record Numbered(int N) : IChannelMessage<Numbered>
{
    public static string MessageType => "test.numbered";

    public static void Write(Numbered message, System.Buffers.IBufferWriter<byte> writer)
    {
        var output = new Serialization.BinaryMessageWriter(writer);
        output.WriteInt32(message.N);
    }

    public static Numbered Read(ReadOnlySpan<byte> payload) => new(new Serialization.BinaryMessageReader(payload).ReadInt32());
}
