using Switchyard.AspNetCore.Tests.Support;
using Switchyard.Client.TestMessages;
using Switchyard.Client.Tests.Support;
using Xunit;

namespace Switchyard.Client.Tests;

/// <summary>Requests ($id → $re) and the server's calls to the client, against a real JsonWebSocketConsumer.</summary>
public sealed class RequestTests : IAsyncLifetime
{
    private TestServer _server = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _server = await TestServer.StartAsync();

    public async ValueTask DisposeAsync() => await _server.DisposeAsync();

    private SwitchyardClient Client(string name, SwitchyardClientOptions? options = null) =>
        new(_server.WebSocketUri($"/ws/client/calls/{name}/"), options ?? new SwitchyardClientOptions
        {
            Reconnect = { InitialDelay = TimeSpan.FromMilliseconds(20), MaxDelay = TimeSpan.FromMilliseconds(50) },
        });

    [Fact]
    public async Task A_request_gets_the_reply_its_handler_returned()
    {
        await using var client = Client("reply");
        await client.ConnectAsync(Ct);

        var sums = await Task.WhenAll(Enumerable.Range(1, 20).Select(i => client.RequestAsync<Add, Sum>(new Add(i, 100), timeout: null, Ct)));

        Assert.Equal(Enumerable.Range(1, 20).Select(i => i + 100), sums.Select(s => s.Value));
    }

    [Fact]
    public async Task A_request_to_a_handler_without_reply_is_acknowledged_after_it_ran()
    {
        await using var client = Client("ack");
        var echoes = new Inbox<Echoed>(client);
        await client.ConnectAsync(Ct);

        await client.RequestAsync(new Line("handled"), timeout: null, Ct);

        Assert.Equal("handled", (await echoes.ReceiveAsync()).Text);
    }

    [Fact]
    public async Task A_RequestFailedException_on_the_server_is_a_SwitchyardRequestFailedException_with_its_message_and_the_connection_stays()
    {
        await using var client = Client("refuse");
        var states = new StateRecorder(client);
        await client.ConnectAsync(Ct);

        var refused = await Assert.ThrowsAsync<SwitchyardRequestFailedException>(() => client.RequestAsync(new Refuse("the room is closed"), timeout: null, Ct));
        var typed = await Assert.ThrowsAsync<SwitchyardRequestFailedException>(() => client.RequestAsync<Refuse, Sum>(new Refuse("still closed"), timeout: null, Ct));

        Assert.Equal("the room is closed", refused.Message);
        Assert.Equal("still closed", typed.Message);
        Assert.Equal(3, (await client.RequestAsync<Add, Sum>(new Add(1, 2), timeout: null, Ct)).Value);
        Assert.Equal([SwitchyardClientState.Connecting, SwitchyardClientState.Open], states.States);
    }

    [Fact]
    public async Task A_request_without_an_answer_in_time_throws_TimeoutException_and_the_late_answer_is_dropped()
    {
        var logs = new CapturingLoggerProvider();
        await using var client = Client("timeout", new SwitchyardClientOptions { Logger = logs.CreateLogger("Switchyard.Client") });
        await client.ConnectAsync(Ct);

        var timeout = await Assert.ThrowsAsync<TimeoutException>(() => client.RequestAsync(new Hold("late"), TimeSpan.FromMilliseconds(200), Ct));
        Assert.Contains("test.hold", timeout.Message, StringComparison.Ordinal);

        _server.Gates.Open("late");
        await logs.WaitForAsync("UnexpectedAnswer");
        Assert.Equal(5, (await client.RequestAsync<Add, Sum>(new Add(2, 3), timeout: null, Ct)).Value);
    }

    [Fact]
    public async Task A_lost_connection_fails_the_requests_sent_on_it_which_are_not_resent()
    {
        await using var client = Client("lost");
        var states = new StateRecorder(client);
        await client.ConnectAsync(Ct);

        var held = client.RequestAsync(new Hold("lost"), timeout: null, Ct);
        await _server.Gates.EnteredAsync("lost");
        _server.Gates.Open("lost", "fail");

        // The handler threw: the consumer closed with 1011, which the client reconnects after.
        var error = await Assert.ThrowsAsync<SwitchyardClosedException>(() => held);
        Assert.Equal(1011, error.Code);
        Assert.Equal(SwitchyardCloseKind.ServerError, error.Kind);
        await states.WaitForAsync(SwitchyardClientState.Open, count: 2);
        Assert.Equal(9, (await client.RequestAsync<Add, Sum>(new Add(4, 5), timeout: null, Ct)).Value);
        Assert.Equal(1, _server.Gates.Entered("lost"));
    }

    [Fact]
    public async Task A_server_call_is_answered_with_the_handlers_reply()
    {
        await using var client = Client("call-reply");
        var results = new Inbox<CallResult>(client);
        using var handler = client.Handle<ConfirmAsk, ConfirmAnswer>((ask, _) => ValueTask.FromResult(new ConfirmAnswer(ask.Question == "sure?", "client")));
        await client.ConnectAsync(Ct);

        await client.SendAsync(new CallMe("sure?"), Ct);

        Assert.Equal(new CallResult("sure?", "answer:True:client"), await results.ReceiveAsync());
    }

    [Fact]
    public async Task A_server_call_to_a_handler_without_reply_is_acknowledged()
    {
        await using var client = Client("call-ack");
        var results = new Inbox<CallResult>(client);
        var pinged = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var handler = client.Handle<Ping>((ping, _) =>
        {
            pinged.SetResult(ping.N);
            return default;
        });
        await client.ConnectAsync(Ct);

        await client.SendAsync(new CallMe("ping"), Ct);

        Assert.Equal(new CallResult("ping", "acknowledged"), await results.ReceiveAsync());
        Assert.Equal(7, await pinged.Task);
    }

    [Fact]
    public async Task A_server_call_whose_handler_refuses_is_answered_with_its_error_text()
    {
        await using var client = Client("call-error");
        var results = new Inbox<CallResult>(client);
        using var handler = client.Handle<ConfirmAsk, ConfirmAnswer>((ask, _) => throw new SwitchyardRequestFailedException($"no to '{ask.Question}'"));
        await client.ConnectAsync(Ct);

        await client.SendAsync(new CallMe("delete everything?"), Ct);

        Assert.Equal(new CallResult("delete everything?", "refused:True:no to 'delete everything?'"), await results.ReceiveAsync());
    }

    [Fact]
    public async Task A_server_call_whose_handler_throws_is_answered_with_an_error_naming_the_type_and_logged()
    {
        var logs = new CapturingLoggerProvider();
        await using var client = Client("call-throws", new SwitchyardClientOptions { Logger = logs.CreateLogger("Switchyard.Client") });
        var results = new Inbox<CallResult>(client);
        using var handler = client.Handle<ConfirmAsk, ConfirmAnswer>((_, _) => throw new InvalidOperationException("secret detail"));
        await client.ConnectAsync(Ct);

        await client.SendAsync(new CallMe("x"), Ct);

        var result = await results.ReceiveAsync();
        Assert.Equal("refused:True:The client's handler for 'test.confirm_ask' failed.", result.Outcome);
        Assert.IsType<InvalidOperationException>((await logs.WaitForAsync("HandlerFailed")).Exception);
    }

    [Fact]
    public async Task A_server_call_of_a_type_the_client_has_no_handler_for_is_answered_with_an_error()
    {
        await using var client = Client("call-none");
        var results = new Inbox<CallResult>(client);
        var notes = new Inbox<Note>(client);   // an On handler is not a call handler
        await client.ConnectAsync(Ct);

        await client.SendAsync(new CallMe("unhandled"), Ct);

        Assert.Equal(new CallResult("unhandled", "refused:True:The client has no handler for 'test.note'."), await results.ReceiveAsync());
        Assert.False(notes.TryReceive(out _));
    }

    [Fact]
    public async Task While_the_server_awaits_a_slow_client_handler_group_messages_and_other_frames_keep_flowing()
    {
        await using var client = Client("flowing");
        var notes = new Inbox<Note>(client);
        var results = new Inbox<CallResult>(client);
        var echoes = new Inbox<Echoed>(client);
        var asked = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var handler = client.Handle<ConfirmAsk, ConfirmAnswer>(async (_, ct) =>
        {
            asked.SetResult();
            await release.Task.WaitAsync(ct);
            return new ConfirmAnswer(true, "slow");
        });
        await client.ConnectAsync(Ct);

        await client.SendAsync(new CallMe("slow?"), Ct);
        await asked.Task.WaitAsync(TimeSpan.FromSeconds(10), Ct);

        // The server's handler waits for the client's; the client's handler waits for the test. Meanwhile: group
        // messages reach the client, and the client's frames reach the server (handled after the waiting handler).
        for (var i = 0; i < 20; i++)
        {
            await _server.Layer.GroupSendAsync("calls.flowing", ChannelMessage.Create(new Note($"g{i}")), Ct);
        }

        Assert.Equal(Enumerable.Range(0, 20).Select(i => $"g{i}"), (await notes.ReceiveAsync(20)).Select(n => n.Text));
        await client.SendAsync(new Line("queued behind the call"), Ct);
        var later = client.RequestAsync<Add, Sum>(new Add(40, 2), timeout: null, Ct);
        Assert.False(results.TryReceive(out _));
        Assert.False(later.IsCompleted);

        release.SetResult();
        Assert.Equal(new CallResult("slow?", "answer:True:slow"), await results.ReceiveAsync());
        Assert.Equal("queued behind the call", (await echoes.ReceiveAsync()).Text);
        Assert.Equal(42, (await later).Value);
    }

    [Fact]
    public async Task A_message_handler_may_await_a_request_its_answer_is_not_queued_behind_it()
    {
        await using var client = Client("nested");
        var sums = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var handler = client.On<Note>(async (note, ct) =>
        {
            var sum = await client.RequestAsync<Add, Sum>(new Add(note.Text.Length, 1), timeout: TimeSpan.FromSeconds(10), ct);
            sums.SetResult(sum.Value);
        });
        await client.ConnectAsync(Ct);

        await _server.Layer.GroupSendAsync("calls.nested", ChannelMessage.Create(new Note("four")), Ct);

        Assert.Equal(5, await sums.Task.WaitAsync(TimeSpan.FromSeconds(10), Ct));
    }
}
