namespace Switchyard.Client.TestServer;

/// <summary>An enum in <see cref="TypedNote"/>: JSON carries it by name.</summary>
public enum Mood
{
    /// <summary>The first value.</summary>
    Calm,

    /// <summary>The second value.</summary>
    Cheerful,
}
