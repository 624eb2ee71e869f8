namespace Switchyard.Client.TestServer;

/// <summary>A record nested in <see cref="TypedNote"/>.</summary>
/// <param name="Label">A string.</param>
/// <param name="Scores">A dictionary of integers.</param>
[Message]
public sealed partial record Detail(string Label, Dictionary<string, int> Scores);
