namespace Switchyard.Samples.Chat;

/// <summary>One person in a chat room: joins the room's group when it starts and prints what the room says.</summary>
/// <remarks>Run by the application itself (<c>[Consumer]</c>); the generator writes its dispatch switch.</remarks>
[Consumer]
public sealed partial class RoomMemberConsumer(string user, string room, TextWriter output) : Consumer
{
    private readonly TaskCompletionSource _joined = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly SemaphoreSlim _heard = new(0);

    /// <summary>Gets a task that completes when this member is in the room's group.</summary>
    public Task Joined => _joined.Task;

    /// <summary>Completes once this member has heard <paramref name="count"/> more lines.</summary>
    public async Task HeardAsync(int count)
    {
        for (var i = 0; i < count; i++)
        {
            await _heard.WaitAsync();
        }
    }

    protected override async ValueTask OnStartedAsync(CancellationToken cancellationToken)
    {
        await JoinGroupAsync($"chat.{room}", cancellationToken);
        _joined.TrySetResult();
    }

    // A handler: the generated switch routes "chat.message" here by the parameter's type.
    private ValueTask Handle(ChatMessage message, CancellationToken cancellationToken)
    {
        output.WriteLine($"  {user,-6} hears  {message.User}: {message.Text}");
        _heard.Release();
        return default;
    }
}
