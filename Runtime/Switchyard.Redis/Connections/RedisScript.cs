using System.Security.Cryptography;
using System.Text;
using StackExchange.Redis;

namespace Switchyard.Redis.Connections;

/// <summary>
/// A Lua script run by its SHA1 (<c>EVALSHA</c>), sent whole only when the node does not have it cached
/// (<c>NOSCRIPT</c>: a new or restarted server, another node of a cluster, or after <c>SCRIPT FLUSH</c>); the
/// <c>EVAL</c> then caches it there. Keys and values go as StackExchange.Redis's typed arrays (no parameter objects,
/// so nothing is reflected on: Native AOT publishes without warnings). On a cluster every key must be in one hash slot.
/// </summary>
internal sealed class RedisScript
{
    private readonly byte[] _sha1;

    public RedisScript(string source)
    {
        ArgumentException.ThrowIfNullOrEmpty(source);
        Source = source;
        _sha1 = SHA1.HashData(Encoding.UTF8.GetBytes(source));
    }

    public string Source { get; }

    /// <summary>Runs the script with <paramref name="keys"/> (KEYS) and <paramref name="arguments"/> (ARGV).</summary>
    /// <exception cref="RedisConnectionException">Redis cannot be reached, or did not answer in time.</exception>
    /// <exception cref="RedisServerException">The script failed.</exception>
    public async Task<RedisResult> EvaluateAsync(RedisServerConnection server, RedisKey[] keys, RedisValue[] arguments, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(server);
        cancellationToken.ThrowIfCancellationRequested();
        try
        {
            try
            {
                return await server.Database.ScriptEvaluateAsync(_sha1, keys, arguments).ConfigureAwait(false);
            }
            catch (StackExchange.Redis.RedisServerException ex) when (ex.Message.StartsWith("NOSCRIPT", StringComparison.Ordinal))
            {
                return await server.Database.ScriptEvaluateAsync(Source, keys, arguments).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (RedisErrors.Translate(ex, server) is { } translated)
        {
            throw translated;
        }
    }
}
