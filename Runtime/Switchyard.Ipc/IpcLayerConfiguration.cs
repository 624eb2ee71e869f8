using Microsoft.Extensions.Configuration;
using Switchyard.Configuration;

namespace Switchyard.Ipc;

/// <summary>Reads <see cref="IpcChannelLayerOptions"/> from a configuration section, key by key (no reflection: Native AOT).</summary>
/// <example>
/// <code language="json">
/// "Switchyard": { "Ipc": {
///   "Name": "myapp", "Directory": "/run/myapp", "SegmentSize": 67108864, "MaxNames": 65536, "SweepInterval": "00:00:01",
///   "Layer": { "Capacity": 100, "Expiry": "00:01:00", "GroupExpiry": "1.00:00:00" } } }
/// </code>
/// </example>
internal static class IpcLayerConfiguration
{
    public static void Bind(IConfiguration section, IpcChannelLayerOptions options)
    {
        if (section["Name"] is { Length: > 0 } name)
        {
            options.Name = name;
        }

        if (section["Directory"] is { Length: > 0 } directory)
        {
            options.Directory = directory;
        }

        options.SegmentSize = LayerConfiguration.Int64(section, "SegmentSize") ?? options.SegmentSize;
        options.MaxNames = LayerConfiguration.Int32(section, "MaxNames") ?? options.MaxNames;
        options.SweepInterval = LayerConfiguration.Duration(section, "SweepInterval") ?? options.SweepInterval;
        LayerConfiguration.Bind(section.GetSection("Layer"), options.Layer);
    }
}
