namespace Switchyard.Client.TestServer;

/// <summary>
/// <c>ws://host/ws/test/</c>: one <see cref="FromClientAttribute"/> handler per part of the protocol the browser tests
/// drive — a typed message sent back, a reply, a reply that waits on a gate, a refusal, and a request that calls the
/// page first.
/// </summary>
/// <param name="gates">The gates the tests open.</param>
[WebSocketConsumer("/ws/test/")]
public sealed partial class ClientTestConsumer(Gates gates) : JsonWebSocketConsumer
{
    /// <summary>Sends the note back as it was read.</summary>
    [FromClient]
    public ValueTask Handle(TypedNote note, CancellationToken cancellationToken) => SendAsync(note, cancellationToken);

    /// <summary>Replies with the sum.</summary>
    [FromClient]
    public ValueTask<Sum> Handle(Add add, CancellationToken cancellationToken) => ValueTask.FromResult(new Sum(add.A + add.B));

    /// <summary>Replies once the gate <c>slow.{Key}</c> is opened (or after 10 s).</summary>
    [FromClient]
    public async Task<SlowDone> Handle(Slow slow, CancellationToken cancellationToken) =>
        new(slow.Key, await gates.PassAsync($"slow.{slow.Key}", TimeSpan.FromSeconds(10), cancellationToken));

    /// <summary>Refuses, always.</summary>
    [FromClient]
    public ValueTask Handle(Refuse refuse, CancellationToken cancellationToken) =>
        throw new RequestFailedException($"refused because {refuse.Why}");

    /// <summary>Asks the page, then replies with its answer.</summary>
    [FromClient]
    public async ValueTask<PageSaid> Handle(AskPage ask, CancellationToken cancellationToken)
    {
        var answer = await InvokeClientAsync<PageQuestion, PageAnswer>(new PageQuestion(ask.N), TimeSpan.FromSeconds(10), cancellationToken);
        return new PageSaid(answer.Value, answer.By);
    }
}
