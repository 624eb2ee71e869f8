using Switchyard.Redis.Connections;
using Xunit;

namespace Switchyard.Redis.Tests.Connections;

/// <summary>Which changes a Redis connection's events lead the layer to report (so that consumers rejoin their groups).</summary>
public sealed class ReportedConnectionTests
{
    [Fact]
    public void A_loss_whose_event_runs_after_the_client_reconnected_is_reported_as_a_loss_then_a_return()
    {
        // Redis killed and restarted at once: by the time the loss's event runs, the connection reads as up again.
        var state = new ReportedConnection(connected: true);

        Assert.Equal(ConnectionChanges.Lost | ConnectionChanges.Back, state.Lost(connectedNow: true));
        Assert.True(state.IsConnected);

        // The restore event that follows has nothing more to say.
        Assert.Equal(ConnectionChanges.None, state.Observed(connectedNow: true));
    }

    [Fact]
    public void A_loss_seen_while_down_is_reported_once_and_the_return_once()
    {
        var state = new ReportedConnection(connected: true);

        Assert.Equal(ConnectionChanges.Lost, state.Lost(connectedNow: false));
        Assert.False(state.IsConnected);
        Assert.Equal(ConnectionChanges.None, state.Lost(connectedNow: false));
        Assert.Equal(ConnectionChanges.None, state.Observed(connectedNow: false));

        Assert.Equal(ConnectionChanges.Back, state.Observed(connectedNow: true));
        Assert.True(state.IsConnected);
        Assert.Equal(ConnectionChanges.None, state.Observed(connectedNow: true));
    }

    [Fact]
    public void A_second_loss_event_after_a_reported_loss_reports_the_return_when_the_connection_reads_up()
    {
        // The loss was reported (by the subscription connection's event, say); the command connection's late event
        // finds it back: the return is reported, not a second loss.
        var state = new ReportedConnection(connected: true);
        Assert.Equal(ConnectionChanges.Lost, state.Observed(connectedNow: false));

        Assert.Equal(ConnectionChanges.Back, state.Lost(connectedNow: true));
        Assert.True(state.IsConnected);
    }

    [Fact]
    public void Other_events_report_only_a_change_of_the_state_as_it_reads()
    {
        var state = new ReportedConnection(connected: false);

        Assert.Equal(ConnectionChanges.None, state.Observed(connectedNow: false));
        Assert.Equal(ConnectionChanges.Back, state.Observed(connectedNow: true));
        Assert.Equal(ConnectionChanges.Lost, state.Observed(connectedNow: false));
    }
}
