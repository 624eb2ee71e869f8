using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace Switchyard.Configuration;

/// <summary>
/// Reads channel-layer options from configuration, key by key (no reflection, so it works in Native AOT): the common
/// <see cref="ChannelLayerOptions"/> and the typed values a layer package's own options need. A value that cannot be
/// read is an <see cref="InvalidOperationException"/> naming its key.
/// </summary>
public static class LayerConfiguration
{
    /// <summary>
    /// Reads <c>Capacity</c>, <c>Expiry</c>, <c>GroupExpiry</c>, <c>MaxMessageSize</c>, <c>FullMemberTimeout</c> and
    /// <c>ChannelCapacity</c> (an array of <c>{ "Pattern": ..., "Capacity": ... }</c>, first match wins) into
    /// <paramref name="options"/>; absent keys leave their value as it is.
    /// </summary>
    /// <param name="section">The section holding the layer options (a layer's <c>Layer</c> section).</param>
    /// <param name="options">The options to change.</param>
    /// <exception cref="InvalidOperationException">A value cannot be read; the message names its key.</exception>
    public static void Bind(IConfiguration section, ChannelLayerOptions options)
    {
        ArgumentNullException.ThrowIfNull(section);
        ArgumentNullException.ThrowIfNull(options);
        options.Capacity = Int32(section, "Capacity") ?? options.Capacity;
        options.Expiry = Duration(section, "Expiry") ?? options.Expiry;
        options.GroupExpiry = Duration(section, "GroupExpiry") ?? options.GroupExpiry;
        options.MaxMessageSize = Int32(section, "MaxMessageSize") ?? options.MaxMessageSize;
        options.FullMemberTimeout = Duration(section, "FullMemberTimeout") ?? options.FullMemberTimeout;
        foreach (var rule in Ordered(section.GetSection("ChannelCapacity")))
        {
            var pattern = rule["Pattern"] is { Length: > 0 } value
                ? value
                : throw new InvalidOperationException($"Configuration '{rule.Path}' needs a Pattern (a channel name glob such as 'http.response!*').");
            options.WithCapacity(pattern, Int32(rule, "Capacity") ?? throw new InvalidOperationException($"Configuration '{rule.Path}' needs a Capacity."));
        }
    }

    /// <summary>A list: one value (<c>"Servers": "host:6379"</c>) or an array (<c>Servers:0</c>, <c>Servers:1</c>, ...), in array order.</summary>
    /// <param name="section">The section.</param>
    /// <param name="key">The key.</param>
    /// <returns>The non-empty values.</returns>
    public static IEnumerable<string> Strings(IConfiguration section, string key)
    {
        ArgumentNullException.ThrowIfNull(section);
        if (section[key] is { Length: > 0 } single)
        {
            return [single];
        }

        return Ordered(section.GetSection(key)).Select(child => child.Value).OfType<string>().Where(v => v.Length > 0);
    }

    /// <summary>A whole number, or <see langword="null"/> when the key is absent.</summary>
    /// <param name="section">The section.</param>
    /// <param name="key">The key.</param>
    /// <returns>The value.</returns>
    /// <exception cref="InvalidOperationException">The value is not a whole number.</exception>
    public static int? Int32(IConfiguration section, string key) => Int64(section, key) is { } value
        ? value is >= int.MinValue and <= int.MaxValue ? (int)value : throw new InvalidOperationException($"Configuration '{PathOf(section, key)}' is out of range ({value}).")
        : null;

    /// <summary>A whole number, or <see langword="null"/> when the key is absent.</summary>
    /// <param name="section">The section.</param>
    /// <param name="key">The key.</param>
    /// <returns>The value.</returns>
    /// <exception cref="InvalidOperationException">The value is not a whole number.</exception>
    public static long? Int64(IConfiguration section, string key)
    {
        ArgumentNullException.ThrowIfNull(section);
        return section[key] is not { Length: > 0 } value ? null
            : long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var number) ? number
            : throw new InvalidOperationException($"Configuration '{PathOf(section, key)}' must be a whole number; it is '{value}'.");
    }

    /// <summary><see langword="true"/> or <see langword="false"/>, or <see langword="null"/> when the key is absent.</summary>
    /// <param name="section">The section.</param>
    /// <param name="key">The key.</param>
    /// <returns>The value.</returns>
    /// <exception cref="InvalidOperationException">The value is neither.</exception>
    public static bool? Boolean(IConfiguration section, string key)
    {
        ArgumentNullException.ThrowIfNull(section);
        return section[key] is not { Length: > 0 } value ? null
            : bool.TryParse(value, out var flag) ? flag
            : throw new InvalidOperationException($"Configuration '{PathOf(section, key)}' must be true or false; it is '{value}'.");
    }

    /// <summary>A duration such as <c>00:00:05</c>, or <see langword="null"/> when the key is absent.</summary>
    /// <param name="section">The section.</param>
    /// <param name="key">The key.</param>
    /// <returns>The value.</returns>
    /// <exception cref="InvalidOperationException">The value is not a duration.</exception>
    public static TimeSpan? Duration(IConfiguration section, string key)
    {
        ArgumentNullException.ThrowIfNull(section);
        return section[key] is not { Length: > 0 } value ? null
            : TimeSpan.TryParse(value, CultureInfo.InvariantCulture, out var duration) ? duration
            : throw new InvalidOperationException($"Configuration '{PathOf(section, key)}' must be a duration such as 00:00:05; it is '{value}'.");
    }

    private static IEnumerable<IConfigurationSection> Ordered(IConfiguration section) =>
        section.GetChildren().OrderBy(c => int.TryParse(c.Key, NumberStyles.None, CultureInfo.InvariantCulture, out var index) ? index : int.MaxValue);

    private static string PathOf(IConfiguration section, string key) =>
        section is IConfigurationSection { Path: { Length: > 0 } path } ? $"{path}:{key}" : key;
}
