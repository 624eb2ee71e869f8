using Microsoft.AspNetCore.Authorization;

namespace Switchyard.AspNetCore.Tests.Consumers;

/// <summary>Any authenticated user: greets with the user's name from the scope, then echoes "chat.say" as "chat.message".</summary>
[Authorize]
[WebSocketConsumer("/ws/secure/")]
public sealed partial class SecureConsumer(Support.ConsumerEvents events) : JsonWebSocketConsumer
{
    protected override async ValueTask OnConnectAsync(CancellationToken cancellationToken)
    {
        events.Add($"secure-connected:{Scope.User?.Identity?.Name}");
        await base.OnConnectAsync(cancellationToken);
        await SendAsync(new Hello(ChannelName, Scope.User?.Identity?.Name, Subprotocol), cancellationToken);
    }

    [FromClient]
    public ValueTask Handle(Say say, CancellationToken cancellationToken) =>
        SendAsync(new ChatMessage("secure", say.Text), cancellationToken);

    // Sent to the user (SendToUserAsync): passed on to the client.
    public ValueTask Handle(ChatMessage message, CancellationToken cancellationToken) => SendAsync(message, cancellationToken);
}

/// <summary>What <see cref="AdminConsumer"/> reads from its scope's principal.</summary>
[Message("test.whoami")]
public sealed partial record WhoAmI(string? User, string? AuthenticationType, bool IsAdmin);

/// <summary>Only users in the "admin" role (policy "admins"); greets with what its scope's ClaimsPrincipal says.</summary>
[Authorize(Policy = "admins")]
[WebSocketConsumer("/ws/admin/")]
public sealed partial class AdminConsumer(Support.ConsumerEvents events) : JsonWebSocketConsumer
{
    protected override async ValueTask OnConnectAsync(CancellationToken cancellationToken)
    {
        events.Add($"admin-connected:{Scope.User?.Identity?.Name}");
        await base.OnConnectAsync(cancellationToken);
        var user = Scope.User;
        await SendAsync(new WhoAmI(user?.Identity?.Name, user?.Identity?.AuthenticationType, user?.IsInRole("admin") == true), cancellationToken);
    }

    [FromClient]
    public ValueTask Handle(Say say, CancellationToken cancellationToken) =>
        SendAsync(new ChatMessage("admin", say.Text), cancellationToken);
}
