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

    // Drops the expired entries at the head of a process inbox, counting them per local channel (table suffix → n) and
    // taking them off the channels' pending counts.
    private const string DropExpiredInbox = """
        local function drop_expired_inbox(list, counts, now)
          local gone = {}
          while true do
            local head = redis.call('LINDEX', list, 0)
            if not head or tonumber(string.sub(head, 1, 16)) > now then return gone end
            redis.call('LPOP', list)
            local newline = string.find(head, '\n', 17, true)
            for suffix in string.gmatch(string.sub(head, 17, newline - 1), '[^,]+') do
              gone[suffix] = (gone[suffix] or 0) + 1
              if redis.call('HINCRBY', counts, suffix, -1) <= 0 then redis.call('HDEL', counts, suffix) end
            end
          end
        end

        """;

    /// <summary>
    /// Queues one message for several channels of one shard: plain channels get an entry each; process-local channels
    /// (<c>a!x</c>, <c>a!y</c>) of one process get ONE entry in that process's inbox (<c>a!</c>) listing them, which the
    /// process fans out locally. A local channel's capacity is checked against its pending count (a hash per inbox,
    /// counting queued and locally buffered messages until they are received).
    /// KEYS the plain channels, then per inbox its list and its pending-count hash. ARGV now, ttl ms, entry, mode (1: a
    /// group send, where a member whose messages expired has gone and gets nothing; 0: a send), the number of plain
    /// channels and one capacity each, then per inbox the number of its channels and (local part, capacity) per channel.
    /// Returns {results, expired}: one result per channel in order (1 queued, 0 full, -n gone after n expired), and the
    /// local channels whose messages expired in an inbox as flat (inbox number, local part, count) triples.
    /// </summary>
    public static readonly RedisScript Deliver = new(DropExpired + DropExpiredInbox + """
        local now = tonumber(ARGV[1])
        local ttl = ARGV[2]
        local entry = ARGV[3]
        local group = ARGV[4] == '1'
        local plain = tonumber(ARGV[5])
        local results = {}
        local expired = {}
        for i = 1, plain do
          local dropped = drop_expired(KEYS[i], now)
          if dropped > 0 and group then
            results[#results + 1] = -dropped
          elseif redis.call('LLEN', KEYS[i]) >= tonumber(ARGV[5 + i]) then
            results[#results + 1] = 0
          else
            redis.call('RPUSH', KEYS[i], entry)
            redis.call('PEXPIRE', KEYS[i], ttl)
            redis.call('PUBLISH', KEYS[i], '1')
            results[#results + 1] = 1
          end
        end

        local head = string.sub(entry, 1, 16)
        local body = string.sub(entry, 17)
        local arg = 6 + plain
        local key = plain + 1
        local inbox = 0
        while arg <= #ARGV do
          inbox = inbox + 1
          local list, counts = KEYS[key], KEYS[key + 1]
          key = key + 2
          local gone = drop_expired_inbox(list, counts, now)
          for suffix, n in pairs(gone) do
            expired[#expired + 1] = inbox
            expired[#expired + 1] = suffix
            expired[#expired + 1] = n
          end

          local admitted = {}
          local channels = tonumber(ARGV[arg])
          for j = 1, channels do
            local suffix = ARGV[arg + 2 * j - 1]
            if group and gone[suffix] then
              results[#results + 1] = -gone[suffix]
            elseif tonumber(redis.call('HGET', counts, suffix) or '0') >= tonumber(ARGV[arg + 2 * j]) then
              results[#results + 1] = 0
            else
              redis.call('HINCRBY', counts, suffix, 1)
              admitted[#admitted + 1] = suffix
              results[#results + 1] = 1
            end
          end

          arg = arg + 1 + 2 * channels
          if #admitted > 0 then
            redis.call('RPUSH', list, head .. table.concat(admitted, ',') .. '\n' .. body)
            redis.call('PEXPIRE', list, ttl)
            redis.call('PEXPIRE', counts, ttl)
            redis.call('PUBLISH', list, '1')
          end
        end

        return {results, expired}
        """);

    /// <summary>KEYS[1] an inbox's pending-count hash; ARGV (local part, n) pairs: n messages of that channel were received or dropped.</summary>
    public static readonly RedisScript Taken = new("""
        for i = 1, #ARGV, 2 do
          if redis.call('HINCRBY', KEYS[1], ARGV[i], -tonumber(ARGV[i + 1])) <= 0 then redis.call('HDEL', KEYS[1], ARGV[i]) end
        end
        return 0
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
