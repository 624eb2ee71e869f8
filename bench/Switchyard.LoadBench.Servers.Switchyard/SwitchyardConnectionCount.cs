using System.Diagnostics.Metrics;

namespace Switchyard.LoadBench.Servers.Switchyard;

/// <summary>Open WebSocket connections, read off Switchyard's own <c>switchyard.websocket.connections.active</c> metric.</summary>
internal static class SwitchyardConnectionCount
{
    private static readonly MeterListener Listener = Start();
    private static long open;

    public static long Read()
    {
        GC.KeepAlive(Listener);
        return Interlocked.Read(ref open);
    }

    private static MeterListener Start()
    {
        var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == SwitchyardDiagnostics.MeterName && instrument.Name == "switchyard.websocket.connections.active")
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref open, value));
        listener.Start();
        return listener;
    }
}
