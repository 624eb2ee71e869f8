using Switchyard.Redis.Client;
using Switchyard.Redis.Resp;

namespace Switchyard.Redis.Layer;

/// <summary>
/// The Lua scripts that make the Redis layer's operations atomic. Time comes in as an argument (Unix milliseconds of
/// the layer's clock) so every process and the tests' manual clock agree on what has expired; an entry's expiry is its
/// first 16 characters (see <see cref="Envelope"/>). Every push also publishes on the list's own name, which is how a
/// waiting receive in any process learns that there is something to take.
/// </summary>
internal static class LayerScripts
{
    // Drops the expired entries at the head of list KEYS[i]; entries expire in the order they were sent.
    private const string DropExpired = """
        local function drop_expired(key, now)
          local dropped = 0
          while true do
            local head = redis.call('LINDEX', key, 0)
            if not head or tonumber(string.sub(head, 1, 16)) > now then return dropped end
            redis.call('LPOP', key)
            dropped = dropped + 1
          end
        end

        """;

    /// <summary>KEYS[1] channel; ARGV now, capacity, entry, ttl ms → {1 queued | 0 full, expired count}.</summary>
    public static readonly RedisScript Send = new(DropExpired + """
        local now = tonumber(ARGV[1])
        local expired = drop_expired(KEYS[1], now)
        if redis.call('LLEN', KEYS[1]) >= tonumber(ARGV[2]) then return {0, expired} end
        redis.call('RPUSH', KEYS[1], ARGV[3])
        redis.call('PEXPIRE', KEYS[1], ARGV[4])
        redis.call('PUBLISH', KEYS[1], '1')
        return {1, expired}
        """);

    /// <summary>
    /// KEYS the member channels on one shard; ARGV now, ttl ms, entry, then one capacity per key → one result per
    /// member: 1 queued, 0 full, or -n when n of its messages had expired (it has gone: it gets nothing, as in Django).
    /// </summary>
    public static readonly RedisScript GroupSend = new(DropExpired + """
        local now = tonumber(ARGV[1])
        local results = {}
        for i = 1, #KEYS do
          local expired = drop_expired(KEYS[i], now)
          if expired > 0 then
            results[i] = -expired
          elseif redis.call('LLEN', KEYS[i]) >= tonumber(ARGV[3 + i]) then
            results[i] = 0
          else
            redis.call('RPUSH', KEYS[i], ARGV[3])
            redis.call('PEXPIRE', KEYS[i], ARGV[2])
            redis.call('PUBLISH', KEYS[i], '1')
            results[i] = 1
          end
        end
        return results
        """);

    /// <summary>KEYS[1] channel; ARGV now → {entry or false, expired count}: the first unexpired entry, taken.</summary>
    public static readonly RedisScript Pop = new(DropExpired + """
        local expired = drop_expired(KEYS[1], tonumber(ARGV[1]))
        return {redis.call('LPOP', KEYS[1]), expired}
        """);

    /// <summary>KEYS[1] group; ARGV cutoff (memberships joined at or before it have expired) → {expired count, members...}.</summary>
    public static readonly RedisScript GroupMembers = new("""
        local expired = redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
        local members = redis.call('ZRANGE', KEYS[1], 0, -1)
        table.insert(members, 1, expired)
        return members
        """);

    /// <summary>ARGV pattern → deletes every key matching it (the layer's prefix), in chunks.</summary>
    public static readonly RedisScript DeleteMatching = new("""
        local keys = redis.call('KEYS', ARGV[1])
        for i = 1, #keys, 5000 do
          redis.call('DEL', unpack(keys, i, math.min(i + 4999, #keys)))
        end
        return #keys
        """);

    /// <summary>Reads a {status, count} pair.</summary>
    public static (long First, long Second) Pair(RespValue reply) =>
        (reply.Items![0].IsNull ? 0 : reply.Items[0].AsInteger(), reply.Items[1].AsInteger());
}
