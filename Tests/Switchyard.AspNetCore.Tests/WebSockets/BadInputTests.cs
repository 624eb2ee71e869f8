using System.Buffers.Binary;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using Microsoft.Extensions.Logging;
using Switchyard.AspNetCore.Tests.Support;
using Xunit;

namespace Switchyard.AspNetCore.Tests.WebSockets;

/// <summary>What clients that send garbage get: the right close code, and a server that keeps serving everyone else.</summary>
public sealed class BadInputTests : IAsyncLifetime
{
    private KestrelHost _host = null!;

    public async ValueTask InitializeAsync() => _host = await KestrelHost.StartAsync();

    public async ValueTask DisposeAsync() => await _host.DisposeAsync();

    [Theory]
    [InlineData("{not json", WebSocketCloseCodes.InvalidPayloadData)]
    [InlineData("", WebSocketCloseCodes.InvalidPayloadData)]
    [InlineData("""{"text":"no type"}""", WebSocketCloseCodes.InvalidPayloadData)]
    [InlineData("""{"type":5,"text":"type is not a string"}""", WebSocketCloseCodes.InvalidPayloadData)]
    [InlineData("""["chat.say"]""", WebSocketCloseCodes.InvalidPayloadData)]
    [InlineData("""{"type":"chat.nope"}""", WebSocketCloseCodes.UnsupportedData)]
    [InlineData("""{"type":"chat.say","text":5}""", WebSocketCloseCodes.InvalidPayloadData)]
    [InlineData("""{"type":"chat.say","text":"unterminated""", WebSocketCloseCodes.InvalidPayloadData)]
    public async Task A_bad_JSON_message_closes_the_JSON_consumer_with_the_matching_code(string text, int expected)
    {
        using var client = await ConnectChatAsync("bad");

        await client.SendTextAsync(text);

        Assert.Equal((WebSocketCloseStatus)expected, await client.ReceiveCloseAsync());
        // A consumer-level close is a close handshake: the server waits for the client's answer (ClientWebSocket does
        // not send one by itself), and the consumer is told the code the client answered with.
        await client.CloseAsync((WebSocketCloseStatus)expected);
        Assert.Equal($"chat-disconnect:{expected}", await _host.Events.WaitForAsync("chat-disconnect:"));
        Assert.Contains(_host.Logs.WithEvent("WebSocketBadInput"), r => r.Message.Contains(expected.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal));
        await AssertStillServingAsync();
    }

    [Fact]
    public async Task A_binary_frame_to_the_JSON_consumer_closes_with_1003()
    {
        using var client = await ConnectChatAsync("bad");

        await client.SendAsync("""{"type":"chat.say","text":"as bytes"}"""u8.ToArray(), WebSocketMessageType.Binary);

        Assert.Equal(WebSocketCloseStatus.InvalidMessageType, await client.ReceiveCloseAsync());
        await client.CloseAsync(WebSocketCloseStatus.InvalidMessageType);
        Assert.Equal("chat-disconnect:1003", await _host.Events.WaitForAsync("chat-disconnect:"));
        await AssertStillServingAsync();
    }

    [Theory]
    [InlineData(new byte[] { 0xC3, 0x28 })]
    [InlineData(new byte[] { 0x68, 0x69, 0xC0, 0xAF })]
    [InlineData(new byte[] { 0xED, 0xA0, 0x80 })]
    [InlineData(new byte[] { 0xF0, 0x9F, 0x98 })]
    public async Task A_text_frame_that_is_not_UTF8_closes_with_1007(byte[] bytes)
    {
        using var client = await WsClient.ConnectAsync(_host.WebSocketUri("/ws/echo/"));

        // ClientWebSocket sends text bytes as given, unvalidated.
        await client.SendAsync(bytes, WebSocketMessageType.Text);

        Assert.Equal(WebSocketCloseStatus.InvalidPayloadData, await client.ReceiveCloseAsync());
        Assert.Equal("disconnect:1007", await _host.Events.WaitForAsync("disconnect:"));
        await AssertStillServingAsync();
    }

    [Fact]
    public async Task Invalid_UTF8_split_across_fragments_closes_with_1007_but_a_character_split_across_them_is_fine()
    {
        using var client = await WsClient.ConnectAsync(_host.WebSocketUri("/ws/echo/"));
        var cancellation = TestContext.Current.CancellationToken;

        // "é" is C3 A9: its two bytes in two fragments make valid text.
        await client.Socket.SendAsync(new byte[] { 0x61, 0xC3 }, WebSocketMessageType.Text, endOfMessage: false, cancellation);
        await client.Socket.SendAsync(new byte[] { 0xA9 }, WebSocketMessageType.Text, endOfMessage: true, cancellation);
        Assert.Equal("aé", await client.ReceiveTextAsync());

        await client.Socket.SendAsync(new byte[] { 0x61, 0xC3 }, WebSocketMessageType.Text, endOfMessage: false, cancellation);
        await client.Socket.SendAsync(new byte[] { 0x28 }, WebSocketMessageType.Text, endOfMessage: true, cancellation);
        Assert.Equal(WebSocketCloseStatus.InvalidPayloadData, await client.ReceiveCloseAsync());
    }

    public static TheoryData<string, int> ProtocolViolations => new()
    {
        { "unmasked frame", WebSocketCloseCodes.ProtocolError },
        { "RSV1 set", WebSocketCloseCodes.ProtocolError },
        { "RSV3 set on a ping", WebSocketCloseCodes.ProtocolError },
        { "unknown data opcode 3", WebSocketCloseCodes.ProtocolError },
        { "unknown control opcode 11", WebSocketCloseCodes.ProtocolError },
        { "continuation without a message", WebSocketCloseCodes.ProtocolError },
        { "new message before the last one ended", WebSocketCloseCodes.ProtocolError },
        { "ping with 126-byte payload", WebSocketCloseCodes.ProtocolError },
        { "fragmented ping", WebSocketCloseCodes.ProtocolError },
        { "close with 1-byte payload", WebSocketCloseCodes.ProtocolError },
        { "close with code 1005", WebSocketCloseCodes.ProtocolError },
        { "close with code 1006", WebSocketCloseCodes.ProtocolError },
        { "close with code 1004", WebSocketCloseCodes.ProtocolError },
        { "close with code 999", WebSocketCloseCodes.ProtocolError },
        { "close with code 5000", WebSocketCloseCodes.ProtocolError },
        { "close with a reason that is not UTF-8", WebSocketCloseCodes.InvalidPayloadData },
    };

    [Theory]
    [MemberData(nameof(ProtocolViolations))]
    public async Task A_protocol_violation_closes_with_the_matching_code(string violation, int expected)
    {
        using var client = await RawWebSocketClient.ConnectAsync(_host.Address, "/ws/echo/");

        await client.SendRawAsync(ViolationBytes(violation));

        Assert.Equal(expected, await client.ReceiveCloseCodeAsync());
        Assert.Equal($"disconnect:{expected}", await _host.Events.WaitForAsync("disconnect:"));
        Assert.Contains(_host.Logs.WithEvent("WebSocketBadInput"), r => r.Level == LogLevel.Warning);
        await AssertStillServingAsync();
    }

    [Fact]
    public async Task A_control_frame_with_a_64bit_length_whose_top_bit_is_set_closes_with_1002()
    {
        using var client = await RawWebSocketClient.ConnectAsync(_host.Address, "/ws/echo/");

        // FIN + ping, masked, 127 = 64-bit length; RFC 6455 §5.2: "the most significant bit MUST be 0".
        byte[] frame = [0x89, 0xFF, 0x80, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4];
        await client.SendRawAsync(frame);

        Assert.Equal(WebSocketCloseCodes.ProtocolError, await client.ReceiveCloseCodeAsync());
        Assert.Equal("disconnect:1002", await _host.Events.WaitForAsync("disconnect:"));
        Assert.DoesNotContain(_host.Logs.All, r => r.Level >= LogLevel.Error);
        await AssertStillServingAsync();
    }

    [Fact]
    public async Task A_data_frame_with_a_64bit_length_whose_top_bit_is_set_closes_with_1002()
    {
        using var client = await RawWebSocketClient.ConnectAsync(_host.Address, "/ws/echo/");

        // RFC 6455 §5.2: "the most significant bit MUST be 0" — a protocol error, whatever the frame.
        byte[] frame = [0x81, 0xFF, 0x80, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4];
        await client.SendRawAsync(frame);

        Assert.Equal(WebSocketCloseCodes.ProtocolError, await client.ReceiveCloseCodeAsync());
        await AssertStillServingAsync();
    }

    [Fact]
    public async Task A_ping_in_the_middle_of_a_fragmented_message_is_answered_and_the_message_still_arrives()
    {
        using var client = await RawWebSocketClient.ConnectAsync(_host.Address, "/ws/echo/");

        await client.SendFrameAsync(RawWebSocketClient.Text, "inter"u8, fin: false);
        await client.SendFrameAsync(RawWebSocketClient.Ping, "are you there"u8);
        await client.SendFrameAsync(RawWebSocketClient.Continuation, "leaved"u8, fin: true);

        var pong = await client.ReceiveFrameAsync();
        Assert.Equal(RawWebSocketClient.Pong, pong?.Opcode);
        Assert.Equal("are you there", pong?.Text);
        var echo = await client.ReceiveDataFrameAsync();
        Assert.Equal("interleaved", echo.Text);
    }

    [Fact]
    public async Task Random_bytes_and_frames_from_many_clients_never_break_the_server()
    {
        var seed = int.TryParse(Environment.GetEnvironmentVariable("SWITCHYARD_FUZZ_SEED"), out var fixedSeed) ? fixedSeed : Random.Shared.Next();
        var random = new Random(seed);
        var cases = Enumerable.Range(0, 200).Select(_ => Fuzz.Generate(random)).ToArray();
        var why = $"(fuzz seed {seed}; rerun with SWITCHYARD_FUZZ_SEED={seed})";

        // A well-behaved client in another room keeps talking the whole time.
        using var steady = await ConnectChatAsync("steady");
        using var fuzzDone = new CancellationTokenSource();
        var conversation = Task.Run(async () =>
        {
            var exchanges = 0;
            while (!fuzzDone.IsCancellationRequested || exchanges == 0)
            {
                await steady.SendTextAsync($$"""{"type":"chat.say","text":"steady {{exchanges}}"}""");
                Assert.Equal($$"""{"type":"chat.message","room":"steady","text":"steady {{exchanges}}"}""", await steady.ReceiveTextAsync());
                exchanges++;
            }

            return exchanges;
        }, TestContext.Current.CancellationToken);

        var next = -1;
        var failures = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var workers = Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
        {
            int index;
            while ((index = Interlocked.Increment(ref next)) < cases.Length)
            {
                using var client = await RawWebSocketClient.ConnectAsync(_host.Address, "/ws/chat/fuzz/");
                try
                {
                    await client.SendRawAsync(cases[index]);
                    client.ShutdownSend();
                }
                catch (Exception ex) when (ex is IOException or SocketException)
                {
                    // The server already closed the connection on an earlier part of the input.
                }

                // Every connection ends: the server closes it, whatever it was sent.
                if (!await client.ReadToEndAsync(TimeSpan.FromSeconds(10)))
                {
                    failures.Enqueue($"case {index} ({Convert.ToHexString(cases[index].AsSpan(0, Math.Min(cases[index].Length, 64)))}...) was still open after 10 s");
                }
            }
        }, TestContext.Current.CancellationToken)).ToArray();

        try
        {
            await Task.WhenAll(workers);
        }
        finally
        {
            await fuzzDone.CancelAsync();
        }

        var exchanges = await conversation;
        Assert.True(failures.IsEmpty, $"{string.Join("; ", failures)} {why}");
        Assert.True(exchanges > 0, $"The steady client exchanged no messages {why}");
        await AssertStillServingAsync();

        var unexpected = _host.Logs.All
            .Where(r => r.Level >= LogLevel.Error && !(r.EventName == "HandlerFailed" && r.Exception is InvalidOperationException))
            .Select(r => $"[{r.Level} {r.Category} {r.EventName}] {r.Message} {r.Exception}")
            .ToArray();
        Assert.True(unexpected.Length == 0, $"Unexpected errors in the log {why}:\n{string.Join("\n", unexpected)}");
        Assert.DoesNotContain(_host.Logs.All, r => r.Level == LogLevel.Critical);
        Assert.DoesNotContain(_host.Logs.WithEvent("HandlerFailed"), r => r.Exception is not InvalidOperationException);
    }

    [Fact]
    public async Task A_client_that_hangs_up_as_the_connection_finishes_never_makes_the_server_throw()
    {
        // The window is a few instructions wide; many short connections that end with the client hanging up hit it
        // now and then (the fuzz test above hit it about once in eight runs of 200 connections).
        var closeFrame = RawWebSocketClient.EncodeFrame(RawWebSocketClient.Close, [0x03, 0xE8], fin: true, reserved: 0, masked: true, maskKey: 7);
        var next = -1;
        var workers = Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
        {
            while (Interlocked.Increment(ref next) < 2000)
            {
                using var client = await RawWebSocketClient.ConnectAsync(_host.Address, "/ws/echo/");
                await client.SendRawAsync(closeFrame);
                client.ShutdownSend();
                await client.ReadToEndAsync();
            }
        }, TestContext.Current.CancellationToken));
        await Task.WhenAll(workers);

        var thrown = _host.Logs.All.Where(r => r.Level >= LogLevel.Error).ToArray();
        Assert.True(thrown.Length == 0, $"{thrown.Length} of 2000 connections made the server log an error: {thrown.FirstOrDefault()?.Exception}");
    }

    private static byte[] ViolationBytes(string violation)
    {
        static byte[] Frame(int opcode, ReadOnlySpan<byte> payload, bool fin = true, int reserved = 0, bool masked = true) =>
            RawWebSocketClient.EncodeFrame(opcode, payload, fin, reserved, masked, maskKey: 0x1234_5678);

        static byte[] Close(int code, params byte[] reason)
        {
            var payload = new byte[2 + reason.Length];
            BinaryPrimitives.WriteUInt16BigEndian(payload, (ushort)code);
            reason.CopyTo(payload, 2);
            return Frame(RawWebSocketClient.Close, payload);
        }

        return violation switch
        {
            "unmasked frame" => Frame(RawWebSocketClient.Text, "hi"u8, masked: false),
            "RSV1 set" => Frame(RawWebSocketClient.Text, "hi"u8, reserved: 0b100),
            "RSV3 set on a ping" => Frame(RawWebSocketClient.Ping, "hi"u8, reserved: 0b001),
            "unknown data opcode 3" => Frame(3, "hi"u8),
            "unknown control opcode 11" => Frame(11, "hi"u8),
            "continuation without a message" => Frame(RawWebSocketClient.Continuation, "hi"u8),
            "new message before the last one ended" => [.. Frame(RawWebSocketClient.Text, "a"u8, fin: false), .. Frame(RawWebSocketClient.Text, "b"u8)],
            "ping with 126-byte payload" => Frame(RawWebSocketClient.Ping, new byte[126]),
            "fragmented ping" => Frame(RawWebSocketClient.Ping, "hi"u8, fin: false),
            "close with 1-byte payload" => Frame(RawWebSocketClient.Close, [0x03]),
            "close with code 1005" => Close(1005),
            "close with code 1006" => Close(1006),
            "close with code 1004" => Close(1004),
            "close with code 999" => Close(999),
            "close with code 5000" => Close(5000),
            "close with a reason that is not UTF-8" => Close(1000, 0xC3, 0x28),
            _ => throw new ArgumentOutOfRangeException(nameof(violation), violation, null),
        };
    }

    private async Task<WsClient> ConnectChatAsync(string room)
    {
        var client = await WsClient.ConnectAsync(_host.WebSocketUri($"/ws/chat/{room}/"));
        Assert.Contains("\"type\":\"test.hello\"", await client.ReceiveTextAsync());
        return client;
    }

    private async Task AssertStillServingAsync()
    {
        using var echo = await WsClient.ConnectAsync(_host.WebSocketUri("/ws/echo/"));
        await echo.SendTextAsync("still serving");
        Assert.Equal("still serving", await echo.ReceiveTextAsync());
        await echo.CloseAsync();

        using var chat = await ConnectChatAsync("after");
        await chat.SendTextAsync("""{"type":"chat.say","text":"still serving"}""");
        Assert.Equal("""{"type":"chat.message","room":"after","text":"still serving"}""", await chat.ReceiveTextAsync());
        await chat.CloseAsync();
    }

    /// <summary>Random client input after the handshake: raw bytes, frames with any flags and opcodes, lying lengths.</summary>
    private static class Fuzz
    {
        private static readonly string[] JsonPayloads =
        [
            """{"type":"chat.say","text":"fuzz"}""",
            """{"type":"chat.say","text":5}""",
            """{"type":"chat.say"}""",
            """{"type":"chat.message","room":"fuzz","text":"x"}""",
            """{"type":"test.boom","why":"fuzz"}""",
            """{"type":"test.hello","channel":"x"}""",
            """{"type":"chat.unknown"}""",
            """{"type":""}""",
            """{"type":null}""",
            """{"text":"x","type":"chat.say"}""",
            """{"type":"chat.say","text":"x","type":"chat.nope"}""",
            "{", "}", "[]", "null", "\"chat.say\"", "{\"type\":\"", "{\"type\":\"chat.say\",\"text\":\"\\ud800\"}",
        ];

        public static byte[] Generate(Random random)
        {
            var output = new List<byte>();
            switch (random.Next(4))
            {
                case 0:
                    // Raw bytes.
                    output.AddRange(Bytes(random, random.Next(1, 300)));
                    break;
                case 1:
                case 2:
                    // A few frames, mostly well-formed in their header, with random details.
                    for (var i = random.Next(1, 6); i > 0; i--)
                    {
                        output.AddRange(RandomFrame(random));
                    }

                    break;
                default:
                    // A header whose length disagrees with what follows.
                    output.AddRange(LyingHeader(random));
                    break;
            }

            return [.. output];
        }

        private static byte[] RandomFrame(Random random)
        {
            int[] opcodes = [0, 1, 1, 1, 2, 8, 9, 10, 3, 7, 11, 15];
            var opcode = opcodes[random.Next(opcodes.Length)];
            var fin = random.Next(5) != 0;
            var reserved = random.Next(10) == 0 ? random.Next(1, 8) : 0;
            var masked = random.Next(10) != 0;
            byte[] payload = random.Next(4) switch
            {
                0 => Bytes(random, random.Next(0, opcode >= 8 ? 130 : 2000)),
                1 => Encoding.UTF8.GetBytes(new string((char)random.Next(0x20, 0x7F), random.Next(0, 200))),
                2 when opcode == 8 => [.. BitConverter.GetBytes((ushort)random.Next(0, 5000)).Reverse(), .. Bytes(random, random.Next(0, 10))],
                _ => Encoding.UTF8.GetBytes(Nest(random, JsonPayloads[random.Next(JsonPayloads.Length)])),
            };
            return RawWebSocketClient.EncodeFrame(opcode, payload, fin, reserved, masked, random.Next());
        }

        private static byte[] LyingHeader(Random random)
        {
            var output = new List<byte> { (byte)random.Next(256) };
            var lengthKind = random.Next(3);
            var masked = random.Next(4) != 0 ? 0x80 : 0;
            if (lengthKind == 0)
            {
                output.Add((byte)(masked | random.Next(126)));
            }
            else if (lengthKind == 1)
            {
                output.Add((byte)(masked | 126));
                output.AddRange(Bytes(random, 2));
            }
            else
            {
                output.Add((byte)(masked | 127));
                output.AddRange(Bytes(random, 8));
            }


            if (masked != 0)
            {
                output.AddRange(Bytes(random, 4));
            }

            output.AddRange(Bytes(random, random.Next(0, 64)));
            return [.. output];
        }

        // Sometimes wraps a JSON payload in deep nesting, or truncates it.
        private static string Nest(Random random, string json) => random.Next(6) switch
        {
            0 => new string('[', 2000) + json + new string(']', 2000),
            1 => "{\"a\":" + string.Concat(Enumerable.Repeat("{\"a\":", 300)) + "1" + new string('}', 300) + ",\"type\":\"chat.say\",\"text\":\"deep\"}",
            2 => json[..random.Next(json.Length + 1)],
            _ => json,
        };

        private static byte[] Bytes(Random random, int count)
        {
            var bytes = new byte[count];
            random.NextBytes(bytes);
            return bytes;
        }
    }
}
