namespace Switchyard.Docs.Tests.Shop;

// docs/consumers.md, "Requests, replies and calls to the client": compiled here; the doc shows what lies between the markers.
// <readme>
[Message("shop.place")] public sealed partial record Place(Guid Id);
[Message("shop.confirm")] public sealed partial record Confirm(Guid Id);
[Message("shop.confirmed")] public sealed partial record Confirmed(bool Yes);
[Message("shop.placed")] public sealed partial record Placed(Guid Id, bool Confirmed);

[WebSocketConsumer("/ws/shop/")]
public sealed partial class ShopConsumer : JsonWebSocketConsumer
{
    [FromClient]
    public ValueTask Handle(Place place, CancellationToken ct)
    {
        _ = ConfirmAsync(place);   // the handler returns at once; the consumer goes on with its other messages
        return default;
    }

    [FromLayer]   // the outcome comes back through the consumer's own channel
    public ValueTask Handle(Placed placed, CancellationToken ct) => SendAsync(placed, ct);

    private async Task ConfirmAsync(Place place)
    {
        bool yes;
        try
        {
            yes = (await InvokeClientAsync<Confirm, Confirmed>(new Confirm(place.Id), TimeSpan.FromSeconds(30))).Yes;
        }
        catch (Exception ex) when (ex is ClientCallException or TimeoutException)
        {
            yes = false;   // refused, not answered in time, or the connection closed
        }

        await SendToChannelAsync(ChannelName, new Placed(place.Id, yes));
    }
}
// </readme>
