namespace Switchyard;

/// <summary>
/// The base of a background worker consumer bound to a named channel, such as <c>thumbnails.generate</c>
/// (Django Channels' <c>ChannelNameRouter</c> + <c>runworker</c>). Several instances may serve one channel;
/// each message goes to exactly one of them, and each instance handles its messages one at a time.
/// </summary>
/// <remarks>
/// <code>
/// [ChannelConsumer("thumbnails.generate")]
/// public sealed partial class ThumbnailConsumer(IImageStore images) : ChannelConsumer
/// {
///     public async ValueTask Handle(GenerateThumbnail request, CancellationToken ct) =>
///         await SendToChannelAsync(request.ReplyTo, new ThumbnailReady(await images.ResizeAsync(request.Id, ct)), ct);
/// }
/// </code>
/// </remarks>
public abstract class ChannelConsumer : Consumer
{
}
