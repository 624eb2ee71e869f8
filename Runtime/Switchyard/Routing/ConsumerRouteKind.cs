namespace Switchyard;

/// <summary>How a consumer in the route table is reached.</summary>
public enum ConsumerRouteKind
{
    /// <summary>A WebSocket path template.</summary>
    WebSocket,

    /// <summary>An HTTP path template.</summary>
    Http,

    /// <summary>A named channel served by workers.</summary>
    Channel,
}
