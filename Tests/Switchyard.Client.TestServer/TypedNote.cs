namespace Switchyard.Client.TestServer;

/// <summary>
/// <c>test.note</c>: one field of each JSON shape (string, integer, double, bool, list, enum, nested record, nullable,
/// date); <see cref="ClientTestConsumer"/> reads it as the typed record and sends it back, so the page sees what the
/// generated reader and writer made of what it sent.
/// </summary>
[Message("test.note")]
public sealed partial record TypedNote(string Text, long Count, double Ratio, bool Flag, IReadOnlyList<string> Tags, Mood Mood, Detail Detail, string? Missing, DateTimeOffset At);
