using Switchyard.Client.TestMessages;

namespace Switchyard.Client.Tests;

/// <summary>The example of docs/clients.md (".NET"), compiled and run by <see cref="DocsExampleTests"/>; keep the two in step.</summary>
public static class DocsExample
{
    public static async Task<int> RunAsync(Uri server, TextWriter output, CancellationToken ct)
    {
        // docs:begin
        await using var client = new SwitchyardClient(new Uri(server, "/ws/client/calls/docs/"), new SwitchyardClientOptions
        {
            Reconnect = { InitialDelay = TimeSpan.FromSeconds(0.5), MaxDelay = TimeSpan.FromSeconds(30) },
            RequestTimeout = TimeSpan.FromSeconds(10),
            ConfigureWebSocket = ws => ws.SetRequestHeader("X-Client", "docs-example"),
        });
        client.StateChanged += (_, e) => output.WriteLine($"state: {e.State} {e.Error?.Message}");

        // Messages the server sends, by their type; handlers run one message at a time, in order.
        using var echoes = client.On<Echoed>((echo, _) =>
        {
            output.WriteLine($"echoed: {echo.Text}");
            return ValueTask.CompletedTask;
        });

        // The server's calls (InvokeClientAsync): answered with a reply, or with switchyard.ack.
        using var confirm = client.Handle<ConfirmAsk, ConfirmAnswer>((ask, _) => ValueTask.FromResult(new ConfirmAnswer(true, "docs")));
        using var ping = client.Handle<Ping>((p, _) => ValueTask.CompletedTask);

        await client.ConnectAsync(ct);
        await client.SendAsync(new Line("hi"), ct);

        // A request: the server's [FromClient] handler returns the reply.
        Sum sum = await client.RequestAsync<Add, Sum>(new Add(1, 2), timeout: null, ct);
        output.WriteLine($"sum: {sum.Value}");
        try
        {
            await client.RequestAsync(new Refuse("closed for today"), timeout: null, ct);   // awaits switchyard.ack
        }
        catch (SwitchyardRequestFailedException ex)
        {
            output.WriteLine($"refused: {ex.Message}");   // the server's RequestFailedException message
        }

        await client.CloseAsync(ct);
        // docs:end
        return sum.Value;
    }
}
