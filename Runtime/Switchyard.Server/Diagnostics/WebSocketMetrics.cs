using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;

namespace Switchyard.Server;

/// <summary>
/// The instruments WebSocket connections report on the <see cref="SwitchyardDiagnostics.MeterName"/> meter:
/// <c>switchyard.websocket.connections.active</c>, <c>switchyard.websocket.connections.closed</c> (tagged
/// <c>code</c> and <c>initiator</c>), <c>switchyard.websocket.connections.rejected</c> (tagged <c>reason</c>),
/// <c>switchyard.websocket.messages.received</c>, <c>.sent</c> and <c>.dropped</c> (tagged <c>reason</c>).
/// </summary>
internal sealed class WebSocketMetrics
{
    // Instruments are created once per meter, not once per connection.
    private static readonly ConditionalWeakTable<Meter, WebSocketMetrics> ByMeter = [];

    /// <summary>The <c>reason</c> tag of a message dropped because the client's send queue was full.</summary>
    public const string ReasonSlowClient = "slow_client";

    /// <summary>The <c>reason</c> tag of a message sent while the connection was closing or gone.</summary>
    public const string ReasonClosed = "closed";

    private readonly UpDownCounter<long> _active;
    private readonly Counter<long> _closed;
    private readonly Counter<long> _rejected;
    private readonly Counter<long> _received;
    private readonly Counter<long> _sent;
    private readonly Counter<long> _dropped;

    /// <summary>Creates the instruments on <paramref name="meter"/>.</summary>
    /// <param name="meter">The meter.</param>
    public WebSocketMetrics(Meter meter)
    {
        ArgumentNullException.ThrowIfNull(meter);
        _active = meter.CreateUpDownCounter<long>("switchyard.websocket.connections.active", "{connection}", "WebSocket connections open.");
        _closed = meter.CreateCounter<long>("switchyard.websocket.connections.closed", "{connection}", "WebSocket connections closed, by close code and initiator.");
        _rejected = meter.CreateCounter<long>("switchyard.websocket.connections.rejected", "{connection}", "WebSocket requests refused before the handshake, by reason.");
        _received = meter.CreateCounter<long>("switchyard.websocket.messages.received", "{message}", "Messages received from clients.");
        _sent = meter.CreateCounter<long>("switchyard.websocket.messages.sent", "{message}", "Messages queued to clients.");
        _dropped = meter.CreateCounter<long>("switchyard.websocket.messages.dropped", "{message}", "Messages to clients dropped, by reason.");
    }

    /// <summary>Returns the instruments on the Switchyard meter of <paramref name="meterFactory"/> (a process-wide meter without one).</summary>
    internal static WebSocketMetrics For(IMeterFactory? meterFactory) =>
        ByMeter.GetValue(SwitchyardDiagnostics.GetMeter(meterFactory), static meter => new WebSocketMetrics(meter));

    internal void Opened() => _active.Add(1);

    internal void Closed(int code, string initiator)
    {
        _active.Add(-1);
        _closed.Add(1, new KeyValuePair<string, object?>("code", code), new KeyValuePair<string, object?>("initiator", initiator));
    }

    /// <summary>Counts a request refused before the handshake.</summary>
    /// <param name="reason">Why: <c>origin</c>, <c>connection_limit</c>, <c>route_value</c>, <c>consumer</c>, <c>connect_timeout</c>, ...</param>
    public void Rejected(string reason) => _rejected.Add(1, new KeyValuePair<string, object?>("reason", reason));

    internal void Received() => _received.Add(1);

    internal void Sent() => _sent.Add(1);

    internal void Dropped(string reason, long count = 1)
    {
        if (count > 0)
        {
            _dropped.Add(count, new KeyValuePair<string, object?>("reason", reason));
        }
    }
}
