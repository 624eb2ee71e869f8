namespace Switchyard.Samples.Chat;

/// <summary>
/// A background worker on the named channel <c>chat.moderate</c>: every line goes through it, is cleaned up, and is
/// broadcast to the room's group. Several moderators could share the channel; each line reaches exactly one.
/// </summary>
[ChannelConsumer(Channel)]
public sealed partial class ModeratorConsumer(TextWriter output) : ChannelConsumer
{
    public const string Channel = "chat.moderate";

    private static readonly string[] Banned = ["darn", "heck"];

    private async ValueTask Handle(ChatMessage message, CancellationToken cancellationToken)
    {
        var text = message.Text;
        foreach (var word in Banned)
        {
            text = text.Replace(word, new string('*', word.Length), StringComparison.OrdinalIgnoreCase);
        }

        var result = await GroupSendAsync($"chat.{message.Room}", message with { Text = text }, cancellationToken);
        output.WriteLine($"moderator: '{message.User}' -> chat.{message.Room}: delivered to {result.Delivered}, skipped {result.SkippedFull}");
    }
}
