using Switchyard.Redis.Resp;

namespace Switchyard.Redis.Client;

/// <summary>
/// The seam between the Redis channel layer and a Redis client: one command in, one reply out. The project's own
/// client implements it; a StackExchange.Redis adapter could, where that package can be restored.
/// </summary>
internal interface IRedisExecutor
{
    /// <summary>Runs one command.</summary>
    /// <exception cref="RedisServerException">Redis answered with an error.</exception>
    /// <exception cref="RedisConnectionException">Redis cannot be reached.</exception>
    /// <exception cref="TimeoutException">No reply in time.</exception>
    Task<RespValue> ExecuteAsync(RedisArg[] command, CancellationToken cancellationToken = default);
}
