namespace Switchyard.Client.Internal;

/// <summary>Undoes an <c>On</c> or <c>Handle</c> registration when disposed; once.</summary>
internal sealed class Registration(Action remove) : IDisposable
{
    private Action? _remove = remove;

    public void Dispose() => Interlocked.Exchange(ref _remove, null)?.Invoke();
}
