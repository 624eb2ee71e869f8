using Microsoft.Extensions.Options;
using Switchyard.Redis.Connections;

namespace Switchyard.Redis;

/// <summary>
/// Validates the options of both Redis layer flavours when the host starts (<c>ValidateOnStart</c>), so a bad
/// configuration stops the application at once with every problem named, rather than at the first use of the layer.
/// </summary>
internal sealed class RedisOptionsValidator : IValidateOptions<RedisChannelLayerOptions>, IValidateOptions<RedisPubSubChannelLayerOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, RedisChannelLayerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = Common(nameof(RedisChannelLayerOptions), options.Servers, options.Prefix, options.EncryptionKeys, options.Layer);
        if (options.InboxCapacity < 1)
        {
            failures.Add($"{nameof(RedisChannelLayerOptions)}.{nameof(RedisChannelLayerOptions.InboxCapacity)} must be at least 1, not {options.InboxCapacity}.");
        }

        if (options.ReconnectWait < TimeSpan.Zero)
        {
            failures.Add($"{nameof(RedisChannelLayerOptions)}.{nameof(RedisChannelLayerOptions.ReconnectWait)} must not be negative, not {options.ReconnectWait}.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, RedisPubSubChannelLayerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = Common(nameof(RedisPubSubChannelLayerOptions), options.Servers, options.Prefix, options.EncryptionKeys, options.Layer);
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static List<string> Common(string type, IList<string> servers, string prefix, IList<string> keys, ChannelLayerOptions layer)
    {
        var failures = new List<string>();
        if (servers.Count == 0)
        {
            failures.Add($"{type}.Servers needs at least one Redis connection string (host:port,password=...).");
        }

        foreach (var server in servers)
        {
            try
            {
                RedisServerConnection.Configure(server);
            }
            catch (ArgumentException ex)
            {
                // StackExchange.Redis's syntax; the messages redact passwords.
                failures.Add($"{type}.Servers: {ex.Message}");
            }
        }

        try
        {
            ChannelNames.ValidateGroupName(prefix, "Prefix");
        }
        catch (ArgumentException ex)
        {
            failures.Add($"{type}.Prefix: {ex.Message}");
        }

        if (keys.Any(string.IsNullOrEmpty))
        {
            failures.Add($"{type}.EncryptionKeys must not hold an empty key.");
        }

        try
        {
            layer.Validate();
        }
        catch (ArgumentException ex)
        {
            failures.Add($"{type}.Layer: {ex.Message}");
        }

        return failures;
    }
}
