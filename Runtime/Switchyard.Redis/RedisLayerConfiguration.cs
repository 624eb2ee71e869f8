using Microsoft.Extensions.Configuration;
using Switchyard.Configuration;

namespace Switchyard.Redis;

/// <summary>
/// Reads <see cref="RedisChannelLayerOptions"/> from a configuration section, key by key (no reflection, so it works
/// in Native AOT). A value that cannot be read is an error naming its key.
/// </summary>
/// <example>
/// <code language="json">
/// "Switchyard": { "Redis": {
///   "Servers": [ "redis-a:6379,password=...", "redis-b:6379,password=..." ],
///   "Prefix": "myapp", "EncryptionKeys": [ "current", "previous" ],
///   "ReconnectWait": "00:00:05", "InboxCapacity": 10000, "AbortOnConnectFail": false,
///   "Layer": { "Capacity": 100, "Expiry": "00:01:00", "GroupExpiry": "1.00:00:00", "MaxMessageSize": 1048576,
///              "ChannelCapacity": [ { "Pattern": "http.response!*", "Capacity": 1 } ] } } }
/// </code>
/// </example>
internal static class RedisLayerConfiguration
{
    public static void Bind(IConfiguration section, RedisChannelLayerOptions options)
    {
        foreach (var server in LayerConfiguration.Strings(section, "Servers"))
        {
            options.Servers.Add(server);
        }

        if (section["Prefix"] is { Length: > 0 } prefix)
        {
            options.Prefix = prefix;
        }

        foreach (var key in LayerConfiguration.Strings(section, "EncryptionKeys"))
        {
            options.EncryptionKeys.Add(key);
        }

        options.InboxCapacity = LayerConfiguration.Int32(section, "InboxCapacity") ?? options.InboxCapacity;
        options.ReconnectWait = LayerConfiguration.Duration(section, "ReconnectWait") ?? options.ReconnectWait;
        options.AbortOnConnectFail = LayerConfiguration.Boolean(section, "AbortOnConnectFail") ?? options.AbortOnConnectFail;
        LayerConfiguration.Bind(section.GetSection("Layer"), options.Layer);
    }
}
