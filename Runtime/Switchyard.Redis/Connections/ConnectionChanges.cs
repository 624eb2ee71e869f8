namespace Switchyard.Redis.Connections;

/// <summary>The changes of a connection's state to report, in this order when both.</summary>
[Flags]
internal enum ConnectionChanges
{
    /// <summary>Nothing to report.</summary>
    None = 0,

    /// <summary>The connection was lost.</summary>
    Lost = 1,

    /// <summary>The connection is up again.</summary>
    Back = 2,
}
