namespace Switchyard.ChannelLayers.OutOfProcess;

/// <summary>
/// How to start a layer host: the built host (<c>Switchyard.ChannelLayers.LayerHost.dll</c>, published ReadyToRun by the
/// build and run with <c>dotnet</c>, never <c>dotnet run</c>), the kind of layer and the kind's arguments. Hosts of one command are interchangeable, so
/// <see cref="LayerHostPool"/> starts them ahead.
/// </summary>
public sealed class LayerHostCommand
{
    /// <summary>The environment variable that can name the host's dll; otherwise it is found in this repository's build output.</summary>
    public const string HostPathVariable = "SWITCHYARD_LAYER_HOST";

    private const string HostName = "Switchyard.ChannelLayers.LayerHost";

    /// <summary>Creates the command.</summary>
    /// <param name="kind">The layer kind, the host's first argument (<c>redis</c>).</param>
    /// <param name="arguments">The kind's arguments.</param>
    /// <param name="hostPath">The host's dll; found by <see cref="FindHost"/> when <see langword="null"/>.</param>
    public LayerHostCommand(string kind, IReadOnlyList<string> arguments, string? hostPath = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(kind);
        ArgumentNullException.ThrowIfNull(arguments);
        Kind = kind;
        Arguments = [.. arguments];
        HostPath = hostPath ?? FindHost();
    }

    /// <summary>Gets the layer kind.</summary>
    public string Kind { get; }

    /// <summary>Gets the kind's arguments.</summary>
    public IReadOnlyList<string> Arguments { get; }

    /// <summary>Gets the host's dll.</summary>
    public string HostPath { get; }

    /// <summary>Gets a key that is equal for interchangeable hosts.</summary>
    internal string Key => string.Join('\0', [HostPath, Kind, .. Arguments]);

    /// <summary>
    /// Returns the host the build published (ReadyToRun) in this repository, in the configuration of the running tests,
    /// or the one <see cref="HostPathVariable"/> names.
    /// </summary>
    /// <returns>The path of the host's dll.</returns>
    /// <exception cref="InvalidOperationException">The host is not built.</exception>
    public static string FindHost()
    {
        if (Environment.GetEnvironmentVariable(HostPathVariable) is { Length: > 0 } configured)
        {
            return File.Exists(configured)
                ? configured
                : throw new InvalidOperationException($"{HostPathVariable} names '{configured}', which does not exist.");
        }

        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Switchyard.slnx")))
        {
            directory = directory.Parent;
        }

        var separator = Path.DirectorySeparatorChar;
        var configuration = AppContext.BaseDirectory.Contains($"{separator}Debug{separator}", StringComparison.Ordinal) ? "Debug" : "Release";
        var host = directory is null ? null : Path.Combine(directory.FullName, "Tests", HostName, "bin", configuration, "layer-host", HostName + ".dll");
        return host is not null && File.Exists(host)
            ? host
            : throw new InvalidOperationException($"The layer host is not built at {host ?? "(no Switchyard.slnx above " + AppContext.BaseDirectory + ")"}; build the solution first.");
    }

    /// <inheritdoc />
    public override string ToString() => $"{HostName} {Kind}";
}
