namespace Switchyard.AspNetCore.Tests.Consumers;

[Message("calc.add")]
public sealed partial record Add(int A, int B);

[Message("calc.sum")]
public sealed partial record Sum(int Value);

[Message("calc.note")]
public sealed partial record Note(string Text);

[Message("calc.divide")]
public sealed partial record Divide(int A, int B);

[Message("calc.ask_client")]
public sealed partial record AskClient(string Question, bool WantAnswer);

[Message("client.question")]
public sealed partial record ClientQuestion(string Text);

[Message("client.answer")]
public sealed partial record ClientAnswer(string Text);

[Message("calc.ask_later")]
public sealed partial record AskLater(string Question);

[Message("calc.outcome")]
public sealed partial record Outcome(string Text);

/// <summary>
/// Requests and server calls (docs/protocol.md): a handler that returns its reply, one that replies explicitly, one
/// that refuses, and one that calls the client and reports how the call ended.
/// </summary>
[WebSocketConsumer("/ws/calc/")]
[JoinGroup("calc")]
public sealed partial class CallConsumer(Support.ConsumerEvents events) : JsonWebSocketConsumer
{
    [FromClient]
    public ValueTask<Sum> Handle(Add add) => ValueTask.FromResult(new Sum(add.A + add.B));

    [FromClient]
    public async Task<Sum> Handle(Divide divide, CancellationToken cancellationToken)
    {
        await Task.Yield();
        return divide.B == 0 ? throw new RequestFailedException("cannot divide by zero") : new Sum(divide.A / divide.B);
    }

    [FromClient]
    public async ValueTask Handle(Note note, CancellationToken cancellationToken)
    {
        events.Add($"note:{note.Text}");
        if (note.Text == "reply")
        {
            await ReplyAsync(new Outcome("explicit"), cancellationToken);
        }
    }

    [FromClient]
    public async ValueTask Handle(AskClient ask, CancellationToken cancellationToken)
    {
        string outcome;
        try
        {
            if (ask.WantAnswer)
            {
                var answer = await InvokeClientAsync<ClientQuestion, ClientAnswer>(new ClientQuestion(ask.Question), TimeSpan.FromSeconds(2), cancellationToken);
                outcome = $"answer:{answer.Text}";
            }
            else
            {
                await InvokeClientAsync(new ClientQuestion(ask.Question), TimeSpan.FromSeconds(2), cancellationToken);
                outcome = "acknowledged";
            }
        }
        catch (ClientCallException ex)
        {
            outcome = $"refused:{ex.RefusedByClient}:{ex.Message}";
        }
        catch (TimeoutException)
        {
            outcome = "timeout";
        }

        events.Add($"call:{outcome}");
        await SendAsync(new Outcome(outcome), cancellationToken);
    }

    // The call is started and not awaited: the handler returns at once, the consumer goes on with its other messages,
    // and the answer comes back through the consumer's own channel, to be handled in turn by a layer handler.
    [FromClient]
    public ValueTask Handle(AskLater ask, CancellationToken cancellationToken)
    {
        _ = AskLaterAsync(ask.Question);
        return default;
    }

    [FromLayer]
    public async ValueTask Handle(Outcome outcome, CancellationToken cancellationToken)
    {
        events.Add($"later:{outcome.Text}");
        await SendAsync(outcome, cancellationToken);
    }

    private async Task AskLaterAsync(string question)
    {
        string outcome;
        try
        {
            outcome = (await InvokeClientAsync<ClientQuestion, ClientAnswer>(new ClientQuestion(question), TimeSpan.FromSeconds(5))).Text;
        }
        catch (Exception ex) when (ex is ClientCallException or TimeoutException)
        {
            outcome = ex.Message;
        }

        await SendToChannelAsync(ChannelName, ChannelMessage.Create(new Outcome(outcome)));
    }

    [FromLayer]
    public ValueTask Forward(ChatMessage message, CancellationToken cancellationToken) => SendAsync(message, cancellationToken);
}
