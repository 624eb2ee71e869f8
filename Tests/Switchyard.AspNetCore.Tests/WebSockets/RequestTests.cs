using System.Net.WebSockets;
using System.Text.Json;
using Switchyard.AspNetCore.Tests.Consumers;
using Switchyard.AspNetCore.Tests.Support;
using Xunit;

namespace Switchyard.AspNetCore.Tests.WebSockets;

/// <summary>
/// Requests, replies, acknowledgements and server calls over a real Kestrel connection, frame by frame as
/// docs/protocol.md writes them.
/// </summary>
public sealed class RequestTests : IAsyncLifetime
{
    private KestrelHost _host = null!;

    public async ValueTask InitializeAsync() => _host = await KestrelHost.StartAsync();

    public async ValueTask DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task A_handler_that_returns_a_message_answers_the_request_with_it()
    {
        using var client = await ConnectAsync();

        await client.SendTextAsync("""{"type":"calc.add","a":1,"b":2,"$id":7}""");

        Assert.Equal("""{"type":"calc.sum","value":3,"$re":7}""", await client.ReceiveTextAsync());
    }

    [Fact]
    public async Task A_returned_message_without_a_request_is_sent_without_re()
    {
        using var client = await ConnectAsync();

        await client.SendTextAsync("""{"$id":9007199254740991,"type":"calc.add","a":2,"b":2}""");
        await client.SendTextAsync("""{"type":"calc.add","a":40,"b":2}""");

        Assert.Equal("""{"type":"calc.sum","value":4,"$re":9007199254740991}""", await client.ReceiveTextAsync());
        Assert.Equal("""{"type":"calc.sum","value":42}""", await client.ReceiveTextAsync());
    }

    [Fact]
    public async Task RequestFailedException_answers_with_an_error_and_the_connection_stays_open()
    {
        using var client = await ConnectAsync();

        await client.SendTextAsync("""{"type":"calc.divide","a":1,"b":0,"$id":3}""");
        Assert.Equal("""{"type":"switchyard.error","$re":3,"error":"cannot divide by zero"}""", await client.ReceiveTextAsync());

        await client.SendTextAsync("""{"type":"calc.divide","a":9,"b":3,"$id":4}""");
        Assert.Equal("""{"type":"calc.sum","value":3,"$re":4}""", await client.ReceiveTextAsync());
        Assert.Empty(_host.Logs.WithEvent("HandlerFailed"));
    }

    [Fact]
    public async Task A_handler_without_a_reply_acknowledges_and_an_explicit_reply_replaces_the_ack()
    {
        using var client = await ConnectAsync();

        await client.SendTextAsync("""{"type":"calc.note","text":"plain","$id":1}""");
        await client.SendTextAsync("""{"type":"calc.note","text":"reply","$id":2}""");
        await client.SendTextAsync("""{"type":"calc.note","text":"unasked"}""");
        await client.SendTextAsync("""{"type":"calc.add","a":0,"b":0,"$id":3}""");

        Assert.Equal("""{"type":"switchyard.ack","$re":1}""", await client.ReceiveTextAsync());
        Assert.Equal("""{"type":"calc.outcome","text":"explicit","$re":2}""", await client.ReceiveTextAsync());
        Assert.Equal("""{"type":"calc.sum","value":0,"$re":3}""", await client.ReceiveTextAsync());
    }

    [Theory]
    [InlineData("\"7\"")]
    [InlineData("0")]
    [InlineData("-1")]
    [InlineData("1.5")]
    [InlineData("9007199254740992")]
    public async Task An_id_that_is_not_an_integer_in_range_closes_with_1007(string id)
    {
        using var client = await ConnectAsync();

        await client.SendTextAsync($$"""{"type":"calc.add","a":1,"b":2,"$id":{{id}}}""");

        Assert.Equal(WebSocketCloseStatus.InvalidPayloadData, await client.ReceiveCloseAsync());
        var bad = Assert.Single(_host.Logs.WithEvent("WebSocketBadInput"));
        Assert.Contains("'$id' must be an integer", bad.Message, StringComparison.Ordinal);
        Assert.Null(bad.Exception);
    }

    [Theory]
    [InlineData("""{"type":"client.answer","text":"yes","$re":1}""", true, "call:answer:yes")]
    [InlineData("""{"type":"switchyard.ack","$re":1}""", false, "call:acknowledged")]
    [InlineData("""{"type":"switchyard.error","$re":1,"error":"no handler for 'client.question'"}""", true, "call:refused:True:no handler for 'client.question'")]
    [InlineData("""{"type":"switchyard.ack","$re":1}""", true, "call:refused:False:The client acknowledged ClientQuestion without answering with ClientAnswer.")]
    public async Task A_server_call_gets_the_clients_answer(string answer, bool wantAnswer, string outcome)
    {
        using var client = await ConnectAsync();

        await client.SendTextAsync($$"""{"type":"calc.ask_client","question":"ready?","wantAnswer":{{(wantAnswer ? "true" : "false")}}}""");
        Assert.Equal("""{"type":"client.question","text":"ready?","$id":1}""", await client.ReceiveTextAsync());
        await client.SendTextAsync(answer);

        Assert.Equal(outcome, await _host.Events.WaitForAsync("call:"));
        Assert.Equal(JsonSerializer.Serialize(new { type = "calc.outcome", text = outcome["call:".Length..] }), await client.ReceiveTextAsync());
    }

    [Fact]
    public async Task While_a_handler_awaits_its_client_group_messages_flow_and_the_next_frame_waits_its_turn()
    {
        using var client = await ConnectAsync();
        await client.SendTextAsync("""{"type":"calc.ask_client","question":"slow","wantAnswer":true}""");
        Assert.Equal("""{"type":"client.question","text":"slow","$id":1}""", await client.ReceiveTextAsync());

        // The handler waits for the client: a group message still reaches the client (the forwarding path), and a
        // client frame sent before the answer is handled only after the handler that waits.
        await _host.Layer.GroupSendAsync("calc", ChannelMessage.Create(new ChatMessage("calc", "live")), TestContext.Current.CancellationToken);
        Assert.Equal("""{"type":"chat.message","room":"calc","text":"live"}""", await client.ReceiveTextAsync());
        await client.SendTextAsync("""{"type":"calc.note","text":"queued"}""");
        await client.SendTextAsync("""{"type":"client.answer","text":"done","$re":1}""");

        Assert.Equal("call:answer:done", await _host.Events.WaitForAsync("call:"));
        Assert.Equal("note:queued", await _host.Events.WaitForAsync("note:"));
        Assert.Equal("""{"type":"calc.outcome","text":"answer:done"}""", await client.ReceiveTextAsync());
    }

    [Fact]
    public async Task A_call_started_without_awaiting_it_leaves_the_consumer_free_and_its_answer_comes_back_through_the_channel()
    {
        using var client = await ConnectAsync();
        await client.SendTextAsync("""{"type":"calc.ask_later","question":"later?"}""");
        Assert.Equal("""{"type":"client.question","text":"later?","$id":1}""", await client.ReceiveTextAsync());

        // While the client has not answered, the consumer handles the client's next request.
        await client.SendTextAsync("""{"type":"calc.add","a":2,"b":3,"$id":1}""");
        Assert.Equal("""{"type":"calc.sum","value":5,"$re":1}""", await client.ReceiveTextAsync());

        await client.SendTextAsync("""{"type":"client.answer","text":"now","$re":1}""");
        Assert.Equal("later:now", await _host.Events.WaitForAsync("later:"));
        Assert.Equal("""{"type":"calc.outcome","text":"now"}""", await client.ReceiveTextAsync());
    }

    [Fact]
    public async Task A_late_answer_is_dropped_with_a_debug_line_and_the_connection_stays_open()
    {
        using var client = await ConnectAsync();
        await client.SendTextAsync("""{"type":"calc.ask_client","question":"anyone?","wantAnswer":true}""");
        Assert.Equal("""{"type":"client.question","text":"anyone?","$id":1}""", await client.ReceiveTextAsync());

        Assert.Equal("call:timeout", await _host.Events.WaitForAsync("call:"));
        Assert.Equal("""{"type":"calc.outcome","text":"timeout"}""", await client.ReceiveTextAsync());
        await client.SendTextAsync("""{"type":"client.answer","text":"too late","$re":1}""");
        await client.SendTextAsync("""{"type":"calc.add","a":1,"b":1,"$id":2}""");

        Assert.Equal("""{"type":"calc.sum","value":2,"$re":2}""", await client.ReceiveTextAsync());
        var dropped = Assert.Single(_host.Logs.WithEvent("WebSocketAnswerDropped"));
        Assert.Contains("call 1", dropped.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_bad_re_closes_with_1007()
    {
        using var client = await ConnectAsync();

        await client.SendTextAsync("""{"type":"client.answer","text":"x","$re":"1"}""");

        Assert.Equal(WebSocketCloseStatus.InvalidPayloadData, await client.ReceiveCloseAsync());
        Assert.Contains("'$re' must be an integer", Assert.Single(_host.Logs.WithEvent("WebSocketBadInput")).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_call_fails_as_soon_as_the_connection_closes()
    {
        var client = await ConnectAsync();
        await client.SendTextAsync("""{"type":"calc.ask_client","question":"bye?","wantAnswer":true}""");
        Assert.Equal("""{"type":"client.question","text":"bye?","$id":1}""", await client.ReceiveTextAsync());

        client.Socket.Abort();
        client.Dispose();

        // Well before the call's 2 s timeout: the close, not the clock, ends the wait.
        Assert.Equal("call:refused:False:the connection closed before the client answered", await _host.Events.WaitForAsync("call:", TimeSpan.FromSeconds(1.5)));
    }

    private Task<WsClient> ConnectAsync() => WsClient.ConnectAsync(_host.WebSocketUri("/ws/calc/"));
}
