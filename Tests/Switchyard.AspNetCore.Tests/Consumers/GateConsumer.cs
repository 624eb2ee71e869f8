namespace Switchyard.AspNetCore.Tests.Consumers;

/// <summary>Exercises the connect step: the query string says what to do ("?reject", "?reject=401", "?close", "?protocol=b", "?hang", "?throw").</summary>
[WebSocketConsumer("/ws/gate/")]
public sealed partial class GateConsumer(Support.ConsumerEvents events) : WebSocketConsumer
{
    protected override async ValueTask OnConnectAsync(CancellationToken cancellationToken)
    {
        var query = Scope.QueryString.TrimStart('?');
        var (verb, argument) = query.Split('=', 2) is [var v, var a] ? (v, a) : (query, null);
        switch (verb)
        {
            case "reject":
                await RejectAsync(argument is null ? 403 : int.Parse(argument, System.Globalization.CultureInfo.InvariantCulture));
                break;
            case "close":
                await CloseAsync(cancellationToken: cancellationToken);
                break;
            case "protocol":
                await AcceptAsync(argument, cancellationToken);
                await SendTextAsync($"protocol:{Subprotocol}", cancellationToken);
                break;
            case "hang":
                await Task.Delay(Timeout.Infinite, cancellationToken);
                break;
            case "throw":
                throw new InvalidOperationException("the gate consumer failed while connecting");
            default:
                await AcceptAsync(cancellationToken: cancellationToken);
                break;
        }
    }

    protected override ValueTask OnStoppedAsync(ConsumerStopReason reason, CancellationToken cancellationToken)
    {
        events.Add($"gate-stopped:{reason}:{Groups.Count}");
        return default;
    }
}
