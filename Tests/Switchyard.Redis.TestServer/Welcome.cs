namespace Switchyard.Redis.TestServer;

/// <summary>The first frame of every connection to <see cref="EchoConsumer"/>: whose connection it is, and on which process.</summary>
/// <param name="User">The connection's user id (<see langword="null"/> when anonymous).</param>
/// <param name="Process">The server's operating-system process id.</param>
[Message("testserver.welcome")]
public sealed partial record Welcome(string? User, int Process);
