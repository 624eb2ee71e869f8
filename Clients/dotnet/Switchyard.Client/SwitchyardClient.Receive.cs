using System.Buffers;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Switchyard.Client.Internal;

namespace Switchyard.Client;

// Receiving: frames split on '\n', answers settled at once, server calls run off the loop, messages to their handlers.
public sealed partial class SwitchyardClient
{
    private const int InitialReceiveBuffer = 16 * 1024;

    private async Task<SwitchyardClosedException> ReceiveLoopAsync(ClientConnection connection)
    {
        var socket = connection.Socket;
        var buffer = ArrayPool<byte>.Shared.Rent(InitialReceiveBuffer);
        var count = 0;
        try
        {
            while (true)
            {
                if (count == buffer.Length)
                {
                    if (count >= _options.MaxMessageSize)
                    {
                        return await TooBigAsync(connection).ConfigureAwait(false);
                    }

                    var larger = ArrayPool<byte>.Shared.Rent(Math.Min(buffer.Length * 2, _options.MaxMessageSize));
                    buffer.AsSpan(0, count).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                }

                var result = await socket.ReceiveAsync(buffer.AsMemory(count), connection.Token).ConfigureAwait(false);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    var code = (int?)socket.CloseStatus ?? 1005;
                    var reason = socket.CloseStatusDescription ?? string.Empty;
                    if (socket.State == WebSocketState.CloseReceived)
                    {
                        await AnswerCloseAsync(connection, code).ConfigureAwait(false);
                    }

                    return new SwitchyardClosedException(code, reason);
                }

                count += result.Count;
                if (!result.EndOfMessage)
                {
                    continue;
                }

                if (result.MessageType == WebSocketMessageType.Binary)
                {
                    ClientLog.BinaryFrame(_logger);
                }
                else
                {
                    ReceiveFrame(connection, buffer.AsSpan(0, count));
                }

                count = 0;
            }
        }
        catch (Exception ex) when (ex is WebSocketException or IOException or OperationCanceledException or ObjectDisposedException or InvalidOperationException)
        {
            return new SwitchyardClosedException(1006, string.Empty, SwitchyardCloseKind.ConnectionLost, $"The connection to {_endpoint} dropped: {ex.Message}", ex);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static async Task AnswerCloseAsync(ClientConnection connection, int code)
    {
        try
        {
            using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            var status = code is 1005 or 1006 or 1015 ? WebSocketCloseStatus.Empty : (WebSocketCloseStatus)code;
            await connection.Socket.CloseOutputAsync(status, null, wait.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is WebSocketException or IOException or OperationCanceledException or ObjectDisposedException or ArgumentException)
        {
            connection.Abort();
        }
    }

    private async Task<SwitchyardClosedException> TooBigAsync(ClientConnection connection)
    {
        var error = new SwitchyardClosedException(1009, string.Empty, SwitchyardCloseKind.MessageTooBig,
            $"The server sent a message larger than {_options.MaxMessageSize} bytes (SwitchyardClientOptions.MaxMessageSize).", null);
        try
        {
            using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            await connection.Socket.CloseOutputAsync(WebSocketCloseStatus.MessageTooBig, "message too big", wait.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is WebSocketException or IOException or OperationCanceledException or ObjectDisposedException)
        {
            // Dropped below.
        }

        connection.Abort();
        return error;
    }

    // One text frame: one message, or several separated by '\n' (switchyard.batch).
    private void ReceiveFrame(ClientConnection connection, ReadOnlySpan<byte> frame)
    {
        while (!frame.IsEmpty)
        {
            var end = frame.IndexOf((byte)'\n');
            var message = end < 0 ? frame : frame[..end];
            frame = end < 0 ? default : frame[(end + 1)..];
            if (!message.IsEmpty)
            {
                ReceiveMessage(connection, message);
            }
        }
    }

    private void ReceiveMessage(ClientConnection connection, ReadOnlySpan<byte> json)
    {
        Span<byte> type = stackalloc byte[FrameHeader.MaxTypeLength];
        FrameHeader header;
        try
        {
            header = FrameHeader.Read(json, type);
        }
        catch (JsonException ex)
        {
            ClientLog.BadFrame(_logger, $"malformed JSON: {ex.Message}");
            return;
        }

        if (header.Problem is { } problem)
        {
            ClientLog.BadFrame(_logger, problem);
            return;
        }

        type = type[..header.TypeLength];
        if (header.Position is { } text && GroupPosition.TryParse(text, out var position))
        {
            if (_lastPosition is { } last && last.Epoch == position.Epoch && position.Offset <= last.Offset)
            {
                ClientLog.Duplicate(_logger, text, _position!);
                return;
            }

            _lastPosition = position;
            _position = text;
        }

        if (header.Re != 0)
        {
            Settle(header.Re, type, json);
            return;
        }

        Span<char> name = stackalloc char[FrameHeader.MaxTypeLength];
        name = name[..Encoding.UTF8.GetChars(type, name)];
        _routeLookup.TryGetValue(name, out var route);
        if (header.Id != 0)
        {
            Call(connection, header.Id, name.ToString(), route?.CallHandler, json);
            return;
        }

        var subscriptions = route?.Subscriptions;
        if (subscriptions is not { Length: > 0 })
        {
            ClientLog.Unhandled(_logger, name);
            return;
        }

        var copy = ArrayPool<byte>.Shared.Rent(json.Length);
        json.CopyTo(copy);
        if (!_inbox.Writer.TryWrite(new IncomingMessage(subscriptions, copy, json.Length)))
        {
            ArrayPool<byte>.Shared.Return(copy);
        }
    }

    // An answer ($re): settles the waiting request at once, whatever the handlers are doing.
    private void Settle(long re, ReadOnlySpan<byte> type, ReadOnlySpan<byte> json)
    {
        if (!_pending.TryGetValue(re, out var pending))
        {
            ClientLog.UnexpectedAnswer(_logger, re);
            return;
        }

        if (type.SequenceEqual("switchyard.ack"u8))
        {
            pending.Acknowledge();
        }
        else if (type.SequenceEqual("switchyard.error"u8))
        {
            pending.Fail(new SwitchyardRequestFailedException(FrameHeader.ReadError(json)));
        }
        else
        {
            pending.Reply(type, json);
        }
    }

    // A server call ($id): the question is read here, the handler runs off the loop and its answer goes back on the
    // connection the call came on.
    private void Call(ClientConnection connection, long id, string type, ServerCallHandler? handler, ReadOnlySpan<byte> json)
    {
        if (handler is null)
        {
            _ = AnswerAsync(connection, FrameWriter.Error(id, $"The client has no handler for '{type}'."));
            return;
        }

        Func<CancellationToken, ValueTask<OutgoingFrame>> work;
        try
        {
            work = handler.Prepare(json, id);
        }
        catch (JsonException ex)
        {
            ClientLog.BadFrame(_logger, $"an invalid '{type}' call: {ex.Message}");
            _ = AnswerAsync(connection, FrameWriter.Error(id, $"The client could not read the '{type}' message."));
            return;
        }

        _ = Task.Run(() => RunCallAsync(connection, id, type, work), CancellationToken.None);
    }

    private async Task RunCallAsync(ClientConnection connection, long id, string type, Func<CancellationToken, ValueTask<OutgoingFrame>> work)
    {
        OutgoingFrame answer;
        try
        {
            answer = await work(_lifetime.Token).ConfigureAwait(false);
        }
        catch (SwitchyardRequestFailedException ex)
        {
            answer = FrameWriter.Error(id, ex.Message);
        }
        catch (OperationCanceledException) when (_lifetime.IsCancellationRequested)
        {
            return;
        }
#pragma warning disable CA1031 // A client handler's failure is answered and logged; it must not end the connection.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            ClientLog.HandlerFailed(_logger, ex, type);
            answer = FrameWriter.Error(id, $"The client's handler for '{type}' failed.");
        }

        await AnswerAsync(connection, answer).ConfigureAwait(false);
    }

    // An answer to a server call: on its own connection only (the call died with it otherwise).
    private async Task AnswerAsync(ClientConnection connection, OutgoingFrame answer)
    {
        try
        {
            await _sendLock.WaitAsync(connection.Token).ConfigureAwait(false);
            try
            {
                if (connection.IsOpen)
                {
                    await connection.Socket.SendAsync(answer.Memory, WebSocketMessageType.Text, endOfMessage: true, connection.Token).ConfigureAwait(false);
                }
            }
            finally
            {
                _sendLock.Release();
            }
        }
        catch (Exception ex) when (ex is WebSocketException or IOException or ObjectDisposedException or OperationCanceledException or InvalidOperationException)
        {
            // The connection went; so did the server's call.
        }
        finally
        {
            answer.Return();
        }
    }

    // The On handlers: one message at a time, in the order received.
    private async Task DispatchLoopAsync()
    {
        var token = _lifetime.Token;
        var reader = _inbox.Reader;
        try
        {
            while (await reader.WaitToReadAsync(token).ConfigureAwait(false))
            {
                while (reader.TryRead(out var message))
                {
                    try
                    {
                        foreach (var subscription in message.Subscriptions)
                        {
                            try
                            {
                                await subscription.InvokeAsync(message.Rented.AsMemory(0, message.Length), token).ConfigureAwait(false);
                            }
                            catch (OperationCanceledException) when (token.IsCancellationRequested)
                            {
                                return;
                            }
#pragma warning disable CA1031 // A handler's failure is logged; the next message is handled.
                            catch (Exception ex)
#pragma warning restore CA1031
                            {
                                ClientLog.HandlerFailed(_logger, ex, subscription.MessageType);
                            }
                        }
                    }
                    finally
                    {
                        ArrayPool<byte>.Shared.Return(message.Rented);
                    }
                }
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            // Closed.
        }
        finally
        {
            _inbox.Writer.TryComplete();
            while (reader.TryRead(out var left))
            {
                ArrayPool<byte>.Shared.Return(left.Rented);
            }
        }
    }
}
