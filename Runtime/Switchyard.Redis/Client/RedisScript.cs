using System.Security.Cryptography;
using System.Text;
using Switchyard.Redis.Resp;

namespace Switchyard.Redis.Client;

/// <summary>
/// A Lua script run by its SHA1 (<c>EVALSHA</c>), sent whole only when the server does not have it cached
/// (<c>NOSCRIPT</c>: a new or restarted server, or after <c>SCRIPT FLUSH</c>); the <c>EVAL</c> then caches it again.
/// </summary>
internal sealed class RedisScript
{
    public RedisScript(string source)
    {
        ArgumentException.ThrowIfNullOrEmpty(source);
        Source = source;
        Sha1 = Convert.ToHexStringLower(SHA1.HashData(Encoding.UTF8.GetBytes(source)));
    }

    public string Source { get; }

    public string Sha1 { get; }

    /// <summary>Runs the script with <paramref name="keys"/> (KEYS) and <paramref name="arguments"/> (ARGV).</summary>
    public async Task<RespValue> EvaluateAsync(IRedisExecutor redis, IReadOnlyList<RedisArg> keys, IReadOnlyList<RedisArg> arguments, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(redis);
        try
        {
            return await redis.ExecuteAsync(Command("EVALSHA", Sha1, keys, arguments), cancellationToken).ConfigureAwait(false);
        }
        catch (RedisServerException ex) when (ex.Message.StartsWith("NOSCRIPT", StringComparison.Ordinal))
        {
            return await redis.ExecuteAsync(Command("EVAL", Source, keys, arguments), cancellationToken).ConfigureAwait(false);
        }
    }

    private static RedisArg[] Command(string verb, string script, IReadOnlyList<RedisArg> keys, IReadOnlyList<RedisArg> arguments)
    {
        var command = new RedisArg[3 + keys.Count + arguments.Count];
        command[0] = verb;
        command[1] = script;
        command[2] = (long)keys.Count;
        for (var i = 0; i < keys.Count; i++)
        {
            command[3 + i] = keys[i];
        }

        for (var i = 0; i < arguments.Count; i++)
        {
            command[3 + keys.Count + i] = arguments[i];
        }

        return command;
    }
}
