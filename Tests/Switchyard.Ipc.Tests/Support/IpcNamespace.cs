using Switchyard.ChannelLayers.Specification;

namespace Switchyard.Ipc.Tests.Support;

/// <summary>A private IPC namespace for one test: its own directory in memory, removed with everything in it afterwards.</summary>
internal sealed class IpcNamespace : IDisposable
{
    public IpcNamespace()
    {
        Directory = Path.Combine(System.IO.Directory.Exists("/dev/shm") ? "/dev/shm" : Path.GetTempPath(), $"switchyard-test-{Guid.NewGuid():N}");
    }

    public string Directory { get; }

    public string Name { get; } = "t";

    /// <summary>Options for a layer of this namespace (a small segment: tests do not need 64 MiB).</summary>
    public IpcChannelLayerOptions Options(ChannelLayerOptions? layer = null)
    {
        var options = new IpcChannelLayerOptions { Name = Name, Directory = Directory, SegmentSize = 8L << 20, MaxNames = 4096 };
        layer?.CopyTo(options.Layer);

        return options;
    }

    public void Dispose()
    {
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }
}
