namespace Switchyard.Docs.Tests.Consumers;

// docs/consumers.md, "Requests, replies and calls to the client": compiled here; the doc shows what lies between the markers.
// <readme>
[Message("calc.add")] public sealed partial record Add(int A, int B);
[Message("calc.sum")] public sealed partial record Sum(int Value);
[Message("calc.note")] public sealed partial record Note(string Text);
[Message("calc.confirm")] public sealed partial record Confirm(string Question);
[Message("calc.confirmed")] public sealed partial record Confirmed(bool Yes);

[WebSocketConsumer("/ws/calc/")]
public sealed partial class CalcConsumer : JsonWebSocketConsumer
{
    // The returned message is the reply ({"type":"calc.sum",...,"$re":id}); ValueTask<T> or Task<T>.
    [FromClient]
    public ValueTask<Sum> Handle(Add add) => ValueTask.FromResult(new Sum(add.A + add.B));

    [FromClient]
    public async ValueTask Handle(Note note, CancellationToken ct)
    {
        if (note.Text.Length == 0)
        {
            throw new RequestFailedException("an empty note"); // switchyard.error to the client; the connection stays open
        }

        // Ask the client and wait for its answer (its handler for calc.confirm returns a Confirmed).
        var answer = await InvokeClientAsync<Confirm, Confirmed>(new Confirm($"keep '{note.Text}'?"), TimeSpan.FromSeconds(10), ct);
        if (answer.Yes)
        {
            await ReplyAsync(new Sum(note.Text.Length), ct); // an explicit reply; without one the request is acknowledged
        }
    }
}
// </readme>
