using Microsoft.AspNetCore.WebUtilities;

namespace Switchyard.Samples.Chat;

/// <summary>
/// One browser in one room: <c>ws://host/ws/chat/{room}/?name=ada</c>, and <c>&amp;since=epoch:offset</c> when it comes
/// back after a disconnect. It joins the room's group — with presence, so the room knows who is here, and from the
/// browser's last position, so it first gets the lines it missed — sends what its user says to the moderator worker,
/// and forwards the room's lines and comings and goings to the browser.
/// </summary>
[WebSocketConsumer("/ws/chat/{room}/")]
public sealed partial class RoomConsumer : JsonWebSocketConsumer
{
    private string Group => $"chat.{Route["room"]}";

    private string User
    {
        get
        {
            var name = Query.TryGetValue("name", out var value) ? value.ToString().Trim() : string.Empty;
            return name.Length == 0 ? "guest" : name.Length > 24 ? name[..24] : name;
        }
    }

    /// <summary>The longest line a user may say, in characters.</summary>
    public const int MaxLine = 500;

    private Dictionary<string, Microsoft.Extensions.Primitives.StringValues> Query => field ??= QueryHelpers.ParseQuery(Scope.QueryString);

    protected override async ValueTask OnConnectAsync(CancellationToken cancellationToken)
    {
        await AcceptAsync(cancellationToken: cancellationToken);

        // The lines missed since the browser's last position (since=, which the page's @switchyard/client adds when it
        // reconnects) come first (a position the room's history cannot serve, or none, replays nothing), then live
        // ones; none twice.
        var since = ResumePosition;
        var resume = await JoinGroupAsync(Group, since, cancellationToken);
        if (since is not null)
        {
            await SendAsync(new Resumed(resume.Replayed, resume.Recovered), cancellationToken);
        }

        // Who is here now, as one presence event of joins; later events say who comes and goes.
        var here = await Layer.GroupPresenceAsync(Group, pageSize: 500, cancellationToken: cancellationToken);
        await SendAsync(new PresenceEvent(Group, await Layer.GroupMemberCountAsync(Group, cancellationToken), here.Members, []), cancellationToken);
    }

    // The room's presence shows the user's name.
    protected override string? GetPresenceInfo(string group) => User;

    // What the user says goes to the moderator worker on its named channel, not straight to the room. The page sends
    // it as a request: returning acknowledges it (the moderator has the line), RequestFailedException refuses it with
    // a text the page shows, and the connection stays open either way.
    [FromClient]
    public async ValueTask Handle(Say say, CancellationToken cancellationToken)
    {
        var text = say.Text.Trim();
        if (text.Length is 0 or > MaxLine)
        {
            throw new RequestFailedException($"A line is 1 to {MaxLine} characters; this one has {text.Length}.");
        }

        try
        {
            await SendToChannelAsync(ModeratorConsumer.Channel, new ChatMessage(Route["room"], User, text, DateTimeOffset.UtcNow), cancellationToken);
        }
        catch (ChannelFullException ex)
        {
            // The moderator is not keeping up with the room (the layer has logged the full channel): not passed on.
            throw new RequestFailedException("The room is busy: your line was not sent. Try again in a moment.", ex);
        }
    }

    // Only forwarded to the browser: the generator puts these on the fast lane (one JSON encoding per broadcast, which
    // ends with the line's position in the room's history: what the browser comes back with).
    public ValueTask Handle(ChatMessage message, CancellationToken cancellationToken) => SendAsync(message, cancellationToken);

    public ValueTask Handle(PresenceEvent presence, CancellationToken cancellationToken) => SendAsync(presence, cancellationToken);
}
