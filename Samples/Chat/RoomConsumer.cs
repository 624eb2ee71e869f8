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
    private Dictionary<string, Microsoft.Extensions.Primitives.StringValues>? _query;

    private string Group => $"chat.{Route["room"]}";

    private string User
    {
        get
        {
            var name = Query.TryGetValue("name", out var value) ? value.ToString().Trim() : string.Empty;
            return name.Length == 0 ? "guest" : name.Length > 24 ? name[..24] : name;
        }
    }

    private Dictionary<string, Microsoft.Extensions.Primitives.StringValues> Query => _query ??= QueryHelpers.ParseQuery(Scope.QueryString);

    protected override async ValueTask OnConnectAsync(CancellationToken cancellationToken)
    {
        await AcceptAsync(cancellationToken: cancellationToken);

        // The lines missed since the browser's last position come first (a position the room's history cannot serve,
        // or none, replays nothing), then live ones; none twice.
        GroupPosition? since = Query.TryGetValue("since", out var text) && GroupPosition.TryParse(text.ToString(), out var position) ? position : null;
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

    // What the user says goes to the moderator worker on its named channel, not straight to the room.
    [FromClient]
    public async ValueTask Handle(Say say, CancellationToken cancellationToken) =>
        await SendToChannelAsync(ModeratorConsumer.Channel, new ChatMessage(Route["room"], User, say.Text, DateTimeOffset.UtcNow), cancellationToken);

    // The moderator's channel is full (it is not keeping up with the room): the line is not passed on, and the speaker
    // is told so and stays connected. Without this override the line is dropped silently, the connection still open.
    protected override ValueTask OnChannelFullAsync(ChannelFullException exception, CancellationToken cancellationToken) =>
        SendAsync(new ChatError("The room is busy: your line was not sent. Try again in a moment."), cancellationToken);

    // Only forwarded to the browser: the generator puts these on the fast lane (one JSON encoding per broadcast, which
    // ends with the line's position in the room's history: what the browser comes back with).
    public ValueTask Handle(ChatMessage message, CancellationToken cancellationToken) => SendAsync(message, cancellationToken);

    public ValueTask Handle(PresenceEvent presence, CancellationToken cancellationToken) => SendAsync(presence, cancellationToken);
}
