using System.Text;

namespace Switchyard.AspNetCore.Tests.Consumers;

[HttpConsumer("/http/hello/{name}", "GET")]
public sealed partial class HelloHttpConsumer : HttpConsumer
{
    protected override ValueTask OnRequestAsync(ReadOnlyMemory<byte> body, CancellationToken cancellationToken) =>
        SendResponseAsync(200, $"hello {Route["name"]} ({Scope.Method} {Scope.QueryString})", cancellationToken: cancellationToken);
}

[HttpConsumer("/http/echo", "POST")]
public sealed partial class EchoHttpConsumer : HttpConsumer
{
    protected override ValueTask OnRequestAsync(ReadOnlyMemory<byte> body, CancellationToken cancellationToken) =>
        SendResponseAsync(201, body, "application/octet-stream", [new("x-length", body.Length.ToString(System.Globalization.CultureInfo.InvariantCulture))], cancellationToken);
}

[HttpConsumer("/http/fail")]
public sealed partial class FailingHttpConsumer : HttpConsumer
{
    protected override ValueTask OnRequestAsync(ReadOnlyMemory<byte> body, CancellationToken cancellationToken) =>
        throw new InvalidOperationException("the HTTP consumer was asked to fail");
}

/// <summary>Server-Sent Events: "ready" first, then every chat message of the topic's group, until one says "end".</summary>
[HttpConsumer("/http/events/{topic}")]
[JoinGroup("events.{topic}")]
public sealed partial class EventStreamConsumer(Support.ConsumerEvents events) : HttpConsumer
{
    protected override async ValueTask OnRequestAsync(ReadOnlyMemory<byte> body, CancellationToken cancellationToken)
    {
        await SendEventAsync("ready", cancellationToken: cancellationToken);
        events.Add($"sse-ready:{Route["topic"]}");
    }

    public async ValueTask Handle(ChatMessage message, CancellationToken cancellationToken)
    {
        if (message.Text == "end")
        {
            await SendBodyAsync(Encoding.UTF8.GetBytes("event: end\ndata: bye\n\n"), moreBody: false, cancellationToken);
            return;
        }

        await SendEventAsync(message.Text, "chat", cancellationToken: cancellationToken);
    }

    protected override ValueTask OnDisconnectAsync(CancellationToken cancellationToken)
    {
        events.Add($"sse-disconnect:{Route["topic"]}");
        return default;
    }
}

/// <summary>Long-poll: the request waits until a message arrives on the topic's group, and gets it as JSON.</summary>
[HttpConsumer("/http/poll/{topic}", "GET")]
[JoinGroup("poll.{topic}")]
public sealed partial class LongPollConsumer(Support.ConsumerEvents events) : HttpConsumer
{
    protected override ValueTask OnRequestAsync(ReadOnlyMemory<byte> body, CancellationToken cancellationToken)
    {
        events.Add($"poll-waiting:{Route["topic"]}");
        return default;
    }

    public ValueTask Handle(ChatMessage message, CancellationToken cancellationToken) => SendJsonAsync(200, message, cancellationToken);
}

/// <summary>A worker for offloaded requests: answers "/slow" never, everything else with a streamed two-chunk body.</summary>
[ChannelConsumer("bigdata.process")]
public sealed partial class BigDataWorker(Support.ConsumerEvents events) : ChannelConsumer
{
    public async ValueTask Handle(HttpRequestEvent request, CancellationToken cancellationToken)
    {
        events.Add($"worker:{request.Method} {request.Path}");
        if (request.Path.EndsWith("/slow", StringComparison.Ordinal))
        {
            return;
        }

        await SendToChannelAsync(request.ReplyChannel, new HttpResponseStart(202, [new("content-type", "text/plain"), new("x-worker", "bigdata")]), cancellationToken);
        await SendToChannelAsync(request.ReplyChannel, new HttpResponseBody(Encoding.UTF8.GetBytes("processed:"), MoreBody: true), cancellationToken);
        await SendToChannelAsync(request.ReplyChannel, new HttpResponseBody(request.Body, MoreBody: false), cancellationToken);
    }
}
