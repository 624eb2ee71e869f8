using Microsoft.Extensions.Logging;

namespace Switchyard.Samples.Chat;

/// <summary>
/// A worker on the named channel <c>chat.moderate</c> (run by the worker host): every line goes through it, is cleaned
/// up, and is broadcast to the room's group. Several moderators share the channel; each line reaches exactly one.
/// </summary>
[ChannelConsumer(Channel)]
public sealed partial class ModeratorConsumer(ILogger<ModeratorConsumer> logger) : ChannelConsumer
{
    public const string Channel = "chat.moderate";

    private static readonly string[] Banned = ["darn", "heck"];

    public async ValueTask Handle(ChatMessage message, CancellationToken cancellationToken)
    {
        var text = message.Text.Length > 500 ? message.Text[..500] : message.Text;
        foreach (var word in Banned)
        {
            text = text.Replace(word, new string('*', word.Length), StringComparison.OrdinalIgnoreCase);
        }

        var result = await GroupSendAsync($"chat.{message.Room}", message with { Text = text }, cancellationToken);
        // The user name is what the browser chose: sanitised, so it cannot forge a log line.
        logger.LogInformation("{User} in {Room}: delivered to {Delivered}, skipped {Skipped}", LogSanitizer.Sanitize(message.User, 40), message.Room, result.Delivered, result.SkippedFull);
    }
}
