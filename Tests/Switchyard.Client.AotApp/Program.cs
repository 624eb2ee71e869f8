using Switchyard.Client;
using Switchyard.Client.TestMessages;

// Usage: Switchyard.Client.AotApp ws://127.0.0.1:<port>
// Connects to the test server's call consumer; sends a line and prints the echo, asks for a sum, makes a request the
// server refuses, has the server call it, and prints what each gave.
if (args.Length != 1 || !Uri.TryCreate(args[0], UriKind.Absolute, out var server))
{
    Console.Error.WriteLine("usage: Switchyard.Client.AotApp ws://host:port");
    return 2;
}

using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
var ct = timeout.Token;
await using var client = new SwitchyardClient(new Uri(server, "/ws/client/calls/aot/"), new SwitchyardClientOptions
{
    Reconnect = { MaxAttempts = 3, InitialDelay = TimeSpan.FromMilliseconds(100) },
});
client.StateChanged += (_, e) => Console.WriteLine($"state: {e.State}");

var echoed = new TaskCompletionSource<Echoed>(TaskCreationOptions.RunContinuationsAsynchronously);
using var subscription = client.On<Echoed>((message, _) =>
{
    echoed.TrySetResult(message);
    return ValueTask.CompletedTask;
});

var called = new TaskCompletionSource<CallResult>(TaskCreationOptions.RunContinuationsAsynchronously);
using var results = client.On<CallResult>((result, _) =>
{
    called.TrySetResult(result);
    return ValueTask.CompletedTask;
});
using var confirm = client.Handle<ConfirmAsk, ConfirmAnswer>((ask, _) => ValueTask.FromResult(new ConfirmAnswer(true, "aot")));

await client.ConnectAsync(ct);
await client.SendAsync(new Line("native"), ct);
var echo = await echoed.Task.WaitAsync(ct);
Console.WriteLine($"echoed: {echo.Text} ({echo.Length})");

var sum = await client.RequestAsync<Add, Sum>(new Add(20, 22), timeout: null, ct);
Console.WriteLine($"sum: {sum.Value}");

try
{
    await client.RequestAsync(new Refuse("no thanks"), timeout: null, ct);
}
catch (SwitchyardRequestFailedException ex)
{
    Console.WriteLine($"refused: {ex.Message}");
}

await client.SendAsync(new CallMe("from native?"), ct);
var call = await called.Task.WaitAsync(ct);
Console.WriteLine($"called: {call.Outcome}");
Console.WriteLine($"position: {client.Position ?? "none"}");

await client.CloseAsync(ct);
return 0;
