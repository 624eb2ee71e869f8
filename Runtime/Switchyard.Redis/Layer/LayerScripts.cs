using StackExchange.Redis;
using Switchyard.Redis.Connections;

namespace Switchyard.Redis;

/// <summary>
/// The Lua scripts that make the Redis layer's operations atomic. Time comes in as an argument (Unix milliseconds of
/// the layer's clock) so every process and the tests' manual clock agree on what has expired; an entry's expiry is its
/// first 16 characters (see <see cref="Envelope"/>). Every push to a plain channel also publishes on the list's own name,
/// which is how a waiting receive in any process learns that there is something to take; a process inbox has one
/// reader, its process's receive loop, which waits on it with a blocking pop instead.
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

    // Drops the expired entries at the head of a process inbox. A direct entry's head names its channel (its local
    // part), whose pending count it leaves; a group entry's head starts with '@'. Returns (table local part → n, total).
    private const string DropExpiredInbox = """
        local function drop_expired_inbox(list, counts, now)
          local gone = {}
          local total = 0
          while true do
            local head = redis.call('LINDEX', list, 0)
            if not head or tonumber(string.sub(head, 1, 16)) > now then return gone, total end
            redis.call('LPOP', list)
            total = total + 1
            if string.byte(head, 17) ~= 64 then
              local suffix = string.sub(head, 17, string.find(head, '\n', 17, true) - 1)
              gone[suffix] = (gone[suffix] or 0) + 1
              if redis.call('HINCRBY', counts, suffix, -1) <= 0 then redis.call('HDEL', counts, suffix) end
            end
          end
        end

        """;

    // Queues an entry in a process inbox (see Deliver); needs DropExpiredInbox. Returns 1 queued, 0 full. Entries that
    // expired unread are dropped (and reported in expired) first; the channels they were for stay in their groups.
    private const string DeliverInbox = """
        local function deliver_inbox(list, counts, head, capacity, group, now, ttl, stamp, body, inbox_capacity, expired, inbox)
          local gone, dropped = drop_expired_inbox(list, counts, now)
          for suffix, n in pairs(gone) do
            expired[#expired + 1] = inbox
            expired[#expired + 1] = suffix
            expired[#expired + 1] = n
          end
          if redis.call('LLEN', list) >= inbox_capacity then return 0 end
          if not group then
            if tonumber(redis.call('HGET', counts, head) or '0') >= capacity then return 0 end
            redis.call('HINCRBY', counts, head, 1)
            redis.call('PEXPIRE', counts, ttl)
          end
          redis.call('RPUSH', list, stamp .. head .. '\n' .. body)
          redis.call('PEXPIRE', list, ttl)
          return 1
        end

        """;

    // What a group send needs from the group's shard: its live plain members, and per process with local members its
    // non-local part, membership version and member count. Memberships joined at or before cutoff have expired.
    private const string GroupTargetsFunction = """
        local function group_targets(members_key, processes_key, versions_key, cutoff, process_members_prefix)
          redis.call('ZREMRANGEBYSCORE', members_key, '-inf', cutoff)
          local plain = redis.call('ZRANGE', members_key, 0, -1)
          redis.call('ZREMRANGEBYSCORE', processes_key, '-inf', cutoff)
          local processes = {}
          for _, part in ipairs(redis.call('ZRANGE', processes_key, 0, -1)) do
            local members = process_members_prefix .. part
            redis.call('ZREMRANGEBYSCORE', members, '-inf', cutoff)
            local count = redis.call('ZCARD', members)
            if count > 0 then
              processes[#processes + 1] = part
              processes[#processes + 1] = redis.call('HGET', versions_key, part) or '0'
              processes[#processes + 1] = count
            end
          end
          return plain, processes
        end

        """;

    /// <summary>
    /// Queues one message on one shard: an entry per plain channel, and ONE entry per process inbox. In a send (mode 0)
    /// an inbox entry is for one local channel, whose capacity is checked against its pending count (a hash per inbox
    /// that the owning process keeps current); in a group send (mode 1) it is for all the group's members in that
    /// process (<c>@group,version</c>), which the process fans out. An inbox also has a capacity of its own, which only
    /// a process that is gone or far behind reaches.
    /// KEYS the plain channels, then per inbox its list and its pending-count hash. ARGV now, ttl ms, entry, mode, the
    /// number of plain channels and one capacity each, the inbox capacity, then per inbox: head and capacity (a local
    /// part and its capacity in a send, <c>@group,version</c> and 0 in a group send), then the pending-count changes the
    /// sending process has not reported yet for that inbox (its own: count, then (local part, delta) pairs), applied first
    /// so the send sees the room its receives made, in the same round trip.
    /// Returns {results, expired, plain expired}: one result per plain channel then per inbox (1 queued, 0 full), the
    /// local channels whose direct messages expired in an inbox as flat (inbox number, local part, count) triples, and
    /// per plain channel how many of its messages expired unread (dropped first; the channel still takes this one).
    /// </summary>
    public static readonly RedisScript Deliver = new(DropExpired + DropExpiredInbox + DeliverInbox + """
        local now = tonumber(ARGV[1])
        local ttl = ARGV[2]
        local entry = ARGV[3]
        local group = ARGV[4] == '1'
        local plain = tonumber(ARGV[5])
        local results = {}
        local expired = {}
        local plain_expired = {}
        for i = 1, plain do
          plain_expired[i] = drop_expired(KEYS[i], now)
          if redis.call('LLEN', KEYS[i]) >= tonumber(ARGV[5 + i]) then
            results[#results + 1] = 0
          else
            redis.call('RPUSH', KEYS[i], entry)
            redis.call('PEXPIRE', KEYS[i], ttl)
            redis.call('PUBLISH', KEYS[i], '1')
            results[#results + 1] = 1
          end
        end

        local inbox_capacity = tonumber(ARGV[6 + plain])
        local stamp = string.sub(entry, 1, 16)
        local body = string.sub(entry, 17)
        local inbox = 0
        local arg = 7 + plain
        while arg <= #ARGV do
          inbox = inbox + 1
          local list, counts = KEYS[plain + 2 * inbox - 1], KEYS[plain + 2 * inbox]
          local changes = tonumber(ARGV[arg + 2])
          for c = 1, changes do
            if redis.call('HINCRBY', counts, ARGV[arg + 1 + 2 * c], tonumber(ARGV[arg + 2 + 2 * c])) <= 0 then
              redis.call('HDEL', counts, ARGV[arg + 1 + 2 * c])
            end
          end
          results[#results + 1] = deliver_inbox(list, counts, ARGV[arg], tonumber(ARGV[arg + 1]), group, now, ttl, stamp,
            body, inbox_capacity, expired, inbox)
          arg = arg + 3 + 2 * changes
        end

        return {results, expired, plain_expired}
        """);

    /// <summary>
    /// KEYS[1] an inbox's pending-count hash; ARGV (local part, delta) pairs: what its process buffered from group
    /// entries (+) and what its receives took (-) since the last report.
    /// </summary>
    public static readonly RedisScript AdjustPending = new("""
        for i = 1, #ARGV, 2 do
          if redis.call('HINCRBY', KEYS[1], ARGV[i], tonumber(ARGV[i + 1])) <= 0 then redis.call('HDEL', KEYS[1], ARGV[i]) end
        end
        return 0
        """);

    /// <summary>
    /// What a group send needs from the group's shard. KEYS[1] the plain members (sorted set), KEYS[2] the processes
    /// with local members (sorted set of non-local parts), KEYS[3] their membership versions (hash); ARGV cutoff
    /// (memberships joined at or before it have expired), the key prefix of the per-process member sets.
    /// Returns {plain members, flat (non-local part, version, member count) triples}.
    /// </summary>
    public static readonly RedisScript GroupTargets = new(GroupTargetsFunction + """
        local plain, processes = group_targets(KEYS[1], KEYS[2], KEYS[3], ARGV[1], ARGV[2])
        return {plain, processes}
        """);

    /// <summary>
    /// A whole group send when every key lives on one server (one shard, not a cluster: the inboxes are in other slots): the targets as <see cref="GroupTargets"/>
    /// finds them, and ONE entry queued in each process inbox among them, in one round trip. The plain members are
    /// returned for the caller to deliver (their capacities are the caller's rules).
    /// KEYS as <see cref="GroupTargets"/>; ARGV cutoff, process member-set prefix, inbox key prefix, pending-count key
    /// prefix (each completed with <c>{a!}</c>), group, now, ttl ms, entry, inbox capacity.
    /// Returns {plain members, flat (non-local part, member count, result) triples, expired triples as Deliver's}.
    /// </summary>
    public static readonly RedisScript GroupSendToInboxes = new(GroupSendFunction + """
        local plain, results, expired = group_send(ARGV[8])
        return {plain, results, expired}
        """);

    /// <summary>
    /// <see cref="GroupSendToInboxes"/> for a group with a history, in the same round trip: the send gets the next
    /// offset, its entry's position header (a placeholder of the same length, ARGV[14], that the script finds after the
    /// expiry) is written, the entry is appended to the history, and then delivered. KEYS as
    /// <see cref="GroupSendToInboxes"/>, then the history stream and state; ARGV as <see cref="GroupSendToInboxes"/>,
    /// then fresh epoch, max count, max age ms, state lifetime ms, placeholder. Returns its reply, then epoch and offset.
    /// </summary>
    public static readonly RedisScript GroupSendToInboxesWithHistory = new(HistoryState + GroupSendFunction + """
        local epoch, offset = history_state(KEYS[4], KEYS[5], ARGV[10], ARGV[13])
        offset = redis.call('HINCRBY', KEYS[5], 'o', 1)
        local position = epoch .. ':' .. string.format('%019d', offset)
        local from, to = string.find(ARGV[8], ARGV[14], 17, true)
        if not from or #position ~= #ARGV[14] then return redis.error_reply('ERR group history: no position placeholder in the entry') end
        local entry = string.sub(ARGV[8], 1, from - 1) .. position .. string.sub(ARGV[8], to + 1)
        redis.call('XADD', KEYS[4], 'MAXLEN', '~', ARGV[11], offset .. '-0', 't', ARGV[6], 'm', entry)
        redis.call('PEXPIRE', KEYS[4], ARGV[12])
        local plain, results, expired = group_send(entry)
        return {plain, results, expired, epoch, offset}
        """);

    // The body of a group send on one server (KEYS and ARGV[1..7, 9] as GroupSendToInboxes): finds the targets and
    // queues the entry once in each process inbox among them. Returns plain members, (part, count, result) triples, expired.
    private const string GroupSendFunction = DropExpiredInbox + DeliverInbox + GroupTargetsFunction + """
        local function group_send(entry)
          local plain, processes = group_targets(KEYS[1], KEYS[2], KEYS[3], ARGV[1], ARGV[2])
          local now = tonumber(ARGV[6])
          local stamp = string.sub(entry, 1, 16)
          local body = string.sub(entry, 17)
          local inbox_capacity = tonumber(ARGV[9])
          local results = {}
          local expired = {}
          for i = 1, #processes, 3 do
            local part = processes[i]
            local inbox = (i + 2) / 3
            results[#results + 1] = part
            results[#results + 1] = processes[i + 2]
            results[#results + 1] = deliver_inbox(ARGV[3] .. '{' .. part .. '}', ARGV[4] .. '{' .. part .. '}', '@' .. ARGV[5] .. ',' .. processes[i + 1],
              0, true, now, ARGV[7], stamp, body, inbox_capacity, expired, inbox)
          end
          return plain, results, expired
        end

        """;

    // A new membership version for one process of a group (KEYS[3] versions, ARGV[1] its non-local part): the server's
    // clock in microseconds, past the group's last version (under '#'), so a version never comes back, even after the
    // group expired and was made again; a process that cached the members of a version loads them again on a new one.
    private const string NextVersion = """
        local function next_version(versions, part)
          local t = redis.call('TIME')
          local v = tonumber(t[1]) * 1000000 + tonumber(t[2])
          local last = tonumber(redis.call('HGET', versions, '#') or '0')
          if v <= last then v = last + 1 end
          local text = string.format('%.0f', v)
          redis.call('HSET', versions, '#', text, part, text)
        end

        """;

    /// <summary>KEYS[1] a group's plain members; ARGV channel, now, group expiry ms: the channel joins (or renews).</summary>
    public static readonly RedisScript GroupJoin = new("""
        redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1])
        redis.call('PEXPIRE', KEYS[1], ARGV[3])
        return 1
        """);

    /// <summary>
    /// A process-local channel joins (or renews) a group. KEYS[1] processes, KEYS[2] this process's members of the group,
    /// KEYS[3] versions (all in the group's slot); ARGV non-local part, local part, now, group expiry ms.
    /// </summary>
    public static readonly RedisScript LocalGroupJoin = new(NextVersion + """
        redis.call('ZADD', KEYS[2], ARGV[3], ARGV[2])
        redis.call('ZADD', KEYS[1], ARGV[3], ARGV[1])
        next_version(KEYS[3], ARGV[1])
        redis.call('PEXPIRE', KEYS[1], ARGV[4])
        redis.call('PEXPIRE', KEYS[2], ARGV[4])
        redis.call('PEXPIRE', KEYS[3], ARGV[4])
        return 1
        """);

    /// <summary>
    /// Process-local channels leave a group. KEYS as <see cref="LocalGroupJoin"/>; ARGV non-local part, then the local
    /// parts leaving (none: the whole process leaves, its inbox having gone).
    /// </summary>
    public static readonly RedisScript LocalGroupLeave = new(NextVersion + """
        if #ARGV > 1 then
          redis.call('ZREM', KEYS[2], unpack(ARGV, 2))
        else
          redis.call('DEL', KEYS[2])
        end
        if redis.call('ZCARD', KEYS[2]) == 0 then redis.call('ZREM', KEYS[1], ARGV[1]) end
        next_version(KEYS[3], ARGV[1])
        return 1
        """);

    /// <summary>
    /// A process's members of a group, as its receive loop loads them. KEYS[1] the process's member set, KEYS[2]
    /// versions; ARGV non-local part, cutoff. Returns {version, flat (local part, joined ms) pairs}.
    /// </summary>
    public static readonly RedisScript LocalGroupMembers = new("""
        redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[2])
        return {redis.call('HGET', KEYS[2], ARGV[1]) or '0', redis.call('ZRANGE', KEYS[1], 0, -1, 'WITHSCORES')}
        """);

    /// <summary>
    /// Presence upkeep for one group, by a process with members in it: it adds a member (ARGV[5] channel, ARGV[6] its
    /// data; empty when none joins), renews its own members' deadlines (ARGV[7..]), and removes every member whose
    /// deadline has passed — from the presence keys and from the group itself — so a dead process's members leave.
    /// KEYS[1] plain members, KEYS[2] processes, KEYS[3] versions, KEYS[4] presence data, KEYS[5] names, KEYS[6]
    /// deadlines; ARGV[1] process member-set prefix, ARGV[2] now ms, ARGV[3] new deadline ms, ARGV[4] key lifetime ms.
    /// Returns the removed members as flat (channel, data) pairs.
    /// </summary>
    public static readonly RedisScript PresenceUpkeep = new(NextVersion + """
        if ARGV[5] ~= '' then
          redis.call('HSET', KEYS[4], ARGV[5], ARGV[6])
          redis.call('ZADD', KEYS[5], 0, ARGV[5])
          redis.call('ZADD', KEYS[6], ARGV[3], ARGV[5])
        end
        for i = 7, #ARGV do redis.call('ZADD', KEYS[6], 'XX', ARGV[3], ARGV[i]) end
        local out = {}
        for _, ch in ipairs(redis.call('ZRANGEBYSCORE', KEYS[6], '-inf', '(' .. ARGV[2])) do
          out[#out + 1] = ch
          out[#out + 1] = redis.call('HGET', KEYS[4], ch) or ''
          redis.call('HDEL', KEYS[4], ch)
          redis.call('ZREM', KEYS[5], ch)
          redis.call('ZREM', KEYS[6], ch)
          local bang = string.find(ch, '!', 1, true)
          if bang then
            local part = string.sub(ch, 1, bang)
            local set = ARGV[1] .. part
            redis.call('ZREM', set, string.sub(ch, bang + 1))
            if redis.call('ZCARD', set) == 0 then redis.call('ZREM', KEYS[2], part) end
            next_version(KEYS[3], part)
          else
            redis.call('ZREM', KEYS[1], ch)
          end
        end
        for k = 4, 6 do redis.call('PEXPIRE', KEYS[k], ARGV[4]) end
        return out
        """);

    /// <summary>A member leaves a presence group's presence. KEYS[1] data, KEYS[2] names, KEYS[3] deadlines; ARGV channel. Returns its data, or nil.</summary>
    public static readonly RedisScript PresenceLeave = new("""
        local data = redis.call('HGET', KEYS[1], ARGV[1])
        redis.call('HDEL', KEYS[1], ARGV[1])
        redis.call('ZREM', KEYS[2], ARGV[1])
        redis.call('ZREM', KEYS[3], ARGV[1])
        return data
        """);

    /// <summary>
    /// One page of a presence group's members in name order. KEYS[1] data, KEYS[2] names, KEYS[3] deadlines; ARGV cursor
    /// (the last channel of the previous page, or empty), page size. Returns flat (channel, data or empty, deadline ms)
    /// triples, one more than the page when there are more; the caller leaves out those past their deadline.
    /// </summary>
    public static readonly RedisScript PresencePage = new("""
        local from = ARGV[1] == '' and '-' or ('(' .. ARGV[1])
        local out = {}
        for _, ch in ipairs(redis.call('ZRANGEBYLEX', KEYS[2], from, '+', 'LIMIT', 0, tonumber(ARGV[2]) + 1)) do
          out[#out + 1] = ch
          out[#out + 1] = redis.call('HGET', KEYS[1], ch) or ''
          out[#out + 1] = redis.call('ZSCORE', KEYS[3], ch) or '0'
        end
        return out
        """);

    // A group history's state (KEYS[1] stream, KEYS[2] state hash): its epoch, made from the caller's fresh one when the
    // state is gone (never made, or expired, or a Redis that lost it) — with the stream, so no entry of an old epoch is
    // served under a new one — and its latest offset; the state lives for the group expiry after its last use.
    private const string HistoryState = """
        local function history_state(stream, state, fresh_epoch, keep_ms)
          local epoch = redis.call('HGET', state, 'e')
          if not epoch then
            epoch = fresh_epoch
            redis.call('DEL', stream)
            redis.call('HSET', state, 'e', epoch, 'o', 0)
          end
          redis.call('PEXPIRE', state, keep_ms)
          return epoch, tonumber(redis.call('HGET', state, 'o'))
        end

        """;

    /// <summary>
    /// Appends a group send to the group's history. KEYS[1] history stream, KEYS[2] history state; ARGV fresh epoch,
    /// now ms, max count, max age ms, state lifetime ms, the message entry. Returns {epoch, offset}.
    /// </summary>
    public static readonly RedisScript GroupHistoryAppend = new(HistoryState + """
        local epoch, offset = history_state(KEYS[1], KEYS[2], ARGV[1], ARGV[5])
        offset = redis.call('HINCRBY', KEYS[2], 'o', 1)
        redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[3], offset .. '-0', 't', ARGV[2], 'm', ARGV[6])
        redis.call('PEXPIRE', KEYS[1], ARGV[4])
        return {epoch, offset}
        """);

    /// <summary>
    /// Reads a group's history after a position. KEYS as <see cref="GroupHistoryAppend"/>; ARGV fresh epoch, since
    /// epoch (empty: no position), since offset, now ms, max count, max age ms, state lifetime ms. Returns {epoch,
    /// latest offset, loss (0 none, 1 epoch changed, 2 trimmed), entries as (offset, message entry) pairs}. Only the
    /// latest max-count entries younger than max age count: the stream itself is trimmed approximately.
    /// </summary>
    public static readonly RedisScript GroupHistoryRead = new(HistoryState + """
        local epoch, offset = history_state(KEYS[1], KEYS[2], ARGV[1], ARGV[7])
        if ARGV[2] == '' then return {epoch, offset, 0, {}} end
        local since = tonumber(ARGV[3])
        if ARGV[2] ~= epoch or since > offset or since < 0 then return {epoch, offset, 1, {}} end
        if since == offset then return {epoch, offset, 0, {}} end
        if offset - since > tonumber(ARGV[5]) then return {epoch, offset, 2, {}} end
        local entries = redis.call('XRANGE', KEYS[1], (since + 1) .. '-0', '+', 'COUNT', offset - since)
        local cutoff = tonumber(ARGV[4]) - tonumber(ARGV[6])
        if #entries == 0 or entries[1][1] ~= (since + 1) .. '-0' or tonumber(entries[1][2][2]) <= cutoff then
          return {epoch, offset, 2, {}}
        end
        local out = {}
        for i = 1, #entries do
          out[#out + 1] = string.match(entries[i][1], '^(%d+)')
          out[#out + 1] = entries[i][2][4]
        end
        return {epoch, offset, 0, out}
        """);

    /// <summary>
    /// The number of a group's live members, without changing anything. KEYS[1] plain members, KEYS[2] processes; ARGV
    /// cutoff, process member-set prefix.
    /// </summary>
    public static readonly RedisScript GroupMemberCount = new("""
        local after = '(' .. ARGV[1]
        local count = redis.call('ZCOUNT', KEYS[1], after, '+inf')
        for _, part in ipairs(redis.call('ZRANGEBYSCORE', KEYS[2], after, '+inf')) do
          count = count + redis.call('ZCOUNT', ARGV[2] .. part, after, '+inf')
        end
        return count
        """);

    /// <summary>
    /// One page of a group's live members, without changing anything: the plain members, then each process's members
    /// (processes in name order), each set in its own order (join time, then name), from just after a position (source,
    /// score, member; source '' is the plain set). KEYS[1] plain members, KEYS[2] processes; ARGV cutoff, process
    /// member-set prefix, source, score, member (all '' for the first page), page size. Returns up to page size + 1
    /// flat (channel, source, score) triples: the extra one says that more follow.
    /// </summary>
    public static readonly RedisScript GroupMemberPage = new("""
        local after = '(' .. ARGV[1]
        local limit = tonumber(ARGV[6])
        local out = {}
        local function collect(key, source, prefix, skip_score, skip_member)
          local min = after
          if skip_score ~= nil and tonumber(skip_score) > tonumber(ARGV[1]) then min = skip_score end
          local offset = 0
          while #out < 3 * (limit + 1) do
            local batch = redis.call('ZRANGEBYSCORE', key, min, '+inf', 'WITHSCORES', 'LIMIT', offset, limit + 16)
            if #batch == 0 then return end
            for i = 1, #batch, 2 do
              local member, score = batch[i], batch[i + 1]
              if skip_score == nil or tonumber(score) > tonumber(skip_score) or (tonumber(score) == tonumber(skip_score) and member > skip_member) then
                out[#out + 1] = prefix .. member
                out[#out + 1] = source
                out[#out + 1] = score
                if #out >= 3 * (limit + 1) then return end
              end
            end
            offset = offset + #batch / 2
          end
        end
        local source, score, member = ARGV[3], ARGV[4], ARGV[5]
        local started = score == ''
        if started or source == '' then
          if started then collect(KEYS[1], '', '', nil, nil) else collect(KEYS[1], '', '', score, member) end
          started = true
        end
        local parts = redis.call('ZRANGEBYSCORE', KEYS[2], after, '+inf')
        table.sort(parts)
        for _, part in ipairs(parts) do
          if #out >= 3 * (limit + 1) then break end
          if started then
            collect(ARGV[2] .. part, part, part, nil, nil)
          elseif part == source then
            collect(ARGV[2] .. part, part, part, score, member)
            started = true
          elseif part > source then
            collect(ARGV[2] .. part, part, part, nil, nil)
            started = true
          end
        end
        return out
        """);

    /// <summary>Reads a {status, count} pair.</summary>
    public static (long First, long Second) Pair(RedisResult reply) =>
        (reply[0].IsNull ? 0 : reply[0].AsInteger(), reply[1].AsInteger());
}
