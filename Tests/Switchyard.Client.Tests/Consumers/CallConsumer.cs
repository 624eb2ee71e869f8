using Switchyard.Client.TestMessages;
using Switchyard.Client.Tests.Support;

namespace Switchyard.Client.Tests.Consumers;

/// <summary>
/// <c>/ws/client/calls/{name}/</c>, a member of <c>calls.{name}</c> (its notes forwarded): requests answered by a
/// returned reply, by an acknowledgement, refused with <see cref="RequestFailedException"/>, held until a test opens a
/// gate; and calls to the client (<see cref="CallMe"/>) whose outcome it sends back as a <see cref="CallResult"/>.
/// </summary>
[WebSocketConsumer("/ws/client/calls/{name}/")]
[JoinGroup("calls.{name}")]
public sealed partial class CallConsumer(Gates gates) : JsonWebSocketConsumer
{
    [FromClient]
    public ValueTask<Sum> Handle(Add add) => ValueTask.FromResult(new Sum(add.A + add.B));

    [FromClient]
    public ValueTask Handle(Line line, CancellationToken cancellationToken) => SendAsync(new Echoed(line.Text, line.Text.Length), cancellationToken);

    [FromClient]
    public ValueTask Handle(Refuse refuse) => throw new RequestFailedException(refuse.Why);

    // Waits for the test: "fail" throws (the consumer closes with 1011), anything else acknowledges.
    [FromClient]
    public async ValueTask Handle(Hold hold, CancellationToken cancellationToken)
    {
        if (await gates.WaitAsync(hold.Key, cancellationToken) == "fail")
        {
            throw new InvalidOperationException("the held handler failed");
        }
    }

    [FromClient]
    public async ValueTask Handle(CallMe call, CancellationToken cancellationToken)
    {
        string outcome;
        try
        {
            switch (call.Kind)
            {
                case "ping":
                    await InvokeClientAsync(new Ping(7), TimeSpan.FromSeconds(10), cancellationToken);
                    outcome = "acknowledged";
                    break;
                case "unhandled":
                    await InvokeClientAsync(new Note("nobody answers this"), TimeSpan.FromSeconds(10), cancellationToken);
                    outcome = "acknowledged";
                    break;
                default:
                    var answer = await InvokeClientAsync<ConfirmAsk, ConfirmAnswer>(new ConfirmAsk(call.Kind), TimeSpan.FromSeconds(10), cancellationToken);
                    outcome = $"answer:{answer.Yes}:{answer.By}";
                    break;
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

        await SendAsync(new CallResult(call.Kind, outcome), cancellationToken);
    }

    public ValueTask Handle(Note note, CancellationToken cancellationToken) => SendAsync(note, cancellationToken);
}
