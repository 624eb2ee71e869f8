namespace Switchyard.Redis;

/// <summary>The base of what the Redis channel layer throws when Redis itself is the problem.</summary>
public class RedisLayerException : ChannelLayerException
{
    /// <summary>Creates the exception.</summary>
    public RedisLayerException()
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">What went wrong.</param>
    public RedisLayerException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="innerException">The cause.</param>
    public RedisLayerException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>Redis cannot be reached, or the connection to it was lost.</summary>
/// <remarks>
/// When <see cref="CommandMayHaveRun"/> is <see langword="false"/> the command never left this process (the connection
/// was already down): nothing happened, and it is safe to try again. Otherwise it was written before the connection
/// died and may or may not have run; a message sent that way may have been delivered.
/// </remarks>
public sealed class RedisConnectionException : RedisLayerException
{
    /// <summary>Creates the exception.</summary>
    public RedisConnectionException()
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">What went wrong.</param>
    public RedisConnectionException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="innerException">The cause.</param>
    public RedisConnectionException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Gets a value indicating whether the command was written before the connection died, so it may have run. Default <see langword="true"/> (unknown).</summary>
    public bool CommandMayHaveRun { get; init; } = true;
}

/// <summary>Redis answered a command with an error reply (the message is Redis's own, such as <c>WRONGTYPE ...</c>).</summary>
public sealed class RedisServerException : RedisLayerException
{
    /// <summary>Creates the exception.</summary>
    public RedisServerException()
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">Redis's error reply.</param>
    public RedisServerException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="innerException">The cause.</param>
    public RedisServerException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
