using System.Globalization;
using Microsoft.Extensions.Configuration;

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
        foreach (var server in Strings(section, "Servers"))
        {
            options.Servers.Add(server);
        }

        if (section["Prefix"] is { Length: > 0 } prefix)
        {
            options.Prefix = prefix;
        }

        foreach (var key in Strings(section, "EncryptionKeys"))
        {
            options.EncryptionKeys.Add(key);
        }

        options.InboxCapacity = Integer(section, "InboxCapacity") ?? options.InboxCapacity;
        options.ReconnectWait = Duration(section, "ReconnectWait") ?? options.ReconnectWait;
        options.AbortOnConnectFail = Boolean(section, "AbortOnConnectFail") ?? options.AbortOnConnectFail;

        var layer = section.GetSection("Layer");
        options.Layer.Capacity = Integer(layer, "Capacity") ?? options.Layer.Capacity;
        options.Layer.Expiry = Duration(layer, "Expiry") ?? options.Layer.Expiry;
        options.Layer.GroupExpiry = Duration(layer, "GroupExpiry") ?? options.Layer.GroupExpiry;
        options.Layer.MaxMessageSize = Integer(layer, "MaxMessageSize") ?? options.Layer.MaxMessageSize;
        foreach (var rule in Ordered(layer.GetSection("ChannelCapacity")))
        {
            var pattern = rule["Pattern"] is { Length: > 0 } value
                ? value
                : throw new InvalidOperationException($"Configuration '{rule.Path}' needs a Pattern (a channel name glob such as 'http.response!*').");
            options.Layer.WithCapacity(pattern, Integer(rule, "Capacity") ?? throw new InvalidOperationException($"Configuration '{rule.Path}' needs a Capacity."));
        }
    }

    // A list is either one value ("Servers": "host:6379") or an array (Servers:0, Servers:1, ...), in array order.
    private static IEnumerable<string> Strings(IConfiguration section, string key)
    {
        if (section[key] is { Length: > 0 } single)
        {
            return [single];
        }

        return Ordered(section.GetSection(key)).Select(child => child.Value).OfType<string>().Where(v => v.Length > 0);
    }

    private static IEnumerable<IConfigurationSection> Ordered(IConfiguration section) =>
        section.GetChildren().OrderBy(c => int.TryParse(c.Key, NumberStyles.None, CultureInfo.InvariantCulture, out var index) ? index : int.MaxValue);

    private static int? Integer(IConfiguration section, string key) =>
        section[key] is not { Length: > 0 } value ? null
        : int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var number) ? number
        : throw new InvalidOperationException($"Configuration '{PathOf(section, key)}' must be a whole number; it is '{value}'.");

    private static bool? Boolean(IConfiguration section, string key) =>
        section[key] is not { Length: > 0 } value ? null
        : bool.TryParse(value, out var flag) ? flag
        : throw new InvalidOperationException($"Configuration '{PathOf(section, key)}' must be true or false; it is '{value}'.");

    private static TimeSpan? Duration(IConfiguration section, string key) =>
        section[key] is not { Length: > 0 } value ? null
        : TimeSpan.TryParse(value, CultureInfo.InvariantCulture, out var duration) ? duration
        : throw new InvalidOperationException($"Configuration '{PathOf(section, key)}' must be a duration such as 00:00:05; it is '{value}'.");

    private static string PathOf(IConfiguration section, string key) =>
        section is IConfigurationSection { Path: { Length: > 0 } path } ? $"{path}:{key}" : key;
}
