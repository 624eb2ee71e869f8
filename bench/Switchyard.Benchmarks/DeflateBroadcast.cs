using System.Buffers;
using System.Buffers.Binary;
using System.Diagnostics;
using System.IO.Pipelines;
using System.Text;
using Switchyard.Server;

namespace Switchyard.Benchmarks;

/// <summary>
/// A broadcast of a 2 KB JSON message to 1,000 WebSocket connections of the connection engine (Switchyard.Server)
/// on the in-memory layer, with permessage-deflate off, on with one compression per group send (the shipped
/// behaviour), and on with one compression per connection; each mode measures the bytes written to the connections
/// per delivery (the frames exactly as they go on the wire, TCP/IP aside) and the process CPU per delivery.
/// </summary>
/// <remarks>
/// <c>dotnet run -c Release --project bench/Switchyard.Benchmarks -- deflate-broadcast [rounds]</c>. The connections
/// run over in-memory pipes whose client ends are drained in this process (counting frames by their headers), so
/// the CPU figure includes that drain: the same few instructions per frame in every mode, fewer bytes to copy when
/// compressed. A first round of every mode is not reported (the JIT settles); then modes alternate within each round
/// and every round prints one row per mode.
/// </remarks>
public static class DeflateBroadcast
{
    private static readonly int Members = int.TryParse(Environment.GetEnvironmentVariable("BENCH_MEMBERS"), out var members) ? members : 1_000;
    private const int Broadcasts = 200;
    private const int WarmUp = 20;
    private const string Group = "bench.broadcast";

    private static readonly object JsonFrameKey = new();

    private enum Mode
    {
        Off,
        Shared,
        PerConnection,
    }

    /// <summary>Runs the rounds and prints a Markdown table.</summary>
    /// <param name="rounds">How many times each mode runs.</param>
    /// <returns>A task that completes when every round ran.</returns>
    public static async Task RunAsync(int rounds)
    {
        var title = MakeText(2_000);
        var sample = JsonFrame(ChannelMessage.Create(new PostPublished(1, title)));
        Console.WriteLine($"Message: {sample.Length} bytes of JSON; {Members} members; {Broadcasts} broadcasts per measurement ({Members * Broadcasts:N0} deliveries).");
        Console.WriteLine();
        Console.WriteLine("| Round | Mode | Bytes on the wire per delivery | CPU µs per delivery | Wall ms |");
        Console.WriteLine("|---|---|---:|---:|---:|");
        // One unreported round first: the JIT's tiers settle before anything is measured.
        foreach (var mode in Enum.GetValues<Mode>())
        {
            await MeasureAsync(mode, title);
        }

        for (var round = 1; round <= rounds; round++)
        {
            foreach (var mode in Enum.GetValues<Mode>())
            {
                var (bytes, cpu, wall) = await MeasureAsync(mode, title);
                Console.WriteLine($"| {round} | {Describe(mode)} | {bytes:F1} | {cpu:F3} | {wall:F0} |");
            }
        }
    }

    private static string Describe(Mode mode) => mode switch
    {
        Mode.Off => "no compression",
        Mode.Shared => "deflate, compressed once per group send",
        _ => "deflate, compressed per connection",
    };

    private static async Task<(double Bytes, double CpuMicroseconds, double WallMilliseconds)> MeasureAsync(Mode mode, string title)
    {
        var options = new SwitchyardWebSocketOptions
        {
            EnableCompression = mode != Mode.Off,
            ShareCompressedFrames = mode == Mode.Shared,
            PingInterval = Timeout.InfiniteTimeSpan,
        };
        await using var layer = new InMemoryChannelLayer();
        var clients = new List<Client>(Members);
        for (var i = 0; i < Members; i++)
        {
            var channel = await layer.NewChannelAsync("ws");
            var connection = new WebSocketConnection(new BroadcastConsumer(), new WebSocketScope(channel), layer, options);
            if (!(await connection.ConnectAsync()).IsAccepted)
            {
                throw new InvalidOperationException("The benchmark's consumer did not accept.");
            }

            if (mode != Mode.Off)
            {
                connection.EnableDeflate();
            }

            clients.Add(new Client(connection));
        }

        await SendAsync(layer, title, WarmUp, clients, WarmUp);
        GC.Collect();
        var bytesBefore = clients.Sum(c => c.Bytes);
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var wall = Stopwatch.StartNew();
        await SendAsync(layer, title, Broadcasts, clients, WarmUp + Broadcasts);
        wall.Stop();
        var cpuUsed = Process.GetCurrentProcess().TotalProcessorTime - cpu;
        var deliveries = (double)Members * Broadcasts;
        var bytes = (clients.Sum(c => c.Bytes) - bytesBefore) / deliveries;
        foreach (var client in clients)
        {
            await client.CloseAsync();
        }

        return (bytes, cpuUsed.TotalMicroseconds / deliveries, wall.Elapsed.TotalMilliseconds);
    }

    // Sends the broadcasts, each a new message as an application would (so a shared compressed frame serves one send),
    // then waits until every client has every frame.
    private static async Task SendAsync(InMemoryChannelLayer layer, string title, int count, List<Client> clients, int expectedFrames)
    {
        for (var i = 0; i < count; i++)
        {
            await layer.GroupSendAsync(Group, ChannelMessage.Create(new PostPublished(i, title)));
        }

        foreach (var client in clients)
        {
            await client.WaitForFramesAsync(expectedFrames).WaitAsync(TimeSpan.FromMinutes(2));
        }
    }

    // A blog post's text: words of a fixed vocabulary in a fixed pseudo-random order, so it compresses as prose does
    // (not as one repeated character).
    private static string MakeText(int length)
    {
        string[] words =
        [
            "the", "live", "blog", "match", "goal", "minute", "keeper", "crowd", "referee", "penalty", "corner", "shot",
            "striker", "defender", "midfield", "header", "save", "whistle", "half", "time", "second", "first", "team",
            "score", "yellow", "card", "substitution", "pitch", "stadium", "fans", "pressure", "chance", "counter",
            "attack", "possession", "pass", "cross", "volley", "offside", "replay", "coach", "tactics", "injury",
        ];
        var random = new Random(17);
        var text = new StringBuilder(length + 16);
        while (text.Length < length)
        {
            text.Append(words[random.Next(words.Length)]).Append(random.Next(12) == 0 ? ". " : " ");
        }

        return text.ToString(0, length);
    }

    // The frame the generated forwarding path would make for the message: its JSON, made once per message.
    private static byte[] JsonFrame(ChannelMessage message) =>
        message.GetFrame(JsonFrameKey, static m =>
        {
            var id = BinaryPrimitives.ReadInt32LittleEndian(m.Payload.Span);
            var title = Encoding.UTF8.GetString(m.Payload.Span[sizeof(int)..]);
            return Encoding.UTF8.GetBytes($$"""{"type":"post.published","id":{{id}},"title":"{{title}}"}""");
        })!;

    /// <summary>
    /// A consumer in the broadcast group whose only handler forwards the message's JSON to its client: what the
    /// generator emits for <c>[FromLayer] ValueTask Handle(PostPublished m, ct) => SendAsync(m, ct)</c>, written out
    /// (this project does not run the generator).
    /// </summary>
    private sealed class BroadcastConsumer : WebSocketConsumer, IForwardingConsumer, IConsumerDispatcher
    {
        public bool TryDispatch(ChannelMessage message, CancellationToken cancellationToken, out ValueTask handling)
        {
            handling = message.Type == PostPublished.MessageType ? SendTextAsync(JsonFrame(message), cancellationToken) : default;
            return message.Type == PostPublished.MessageType;
        }

        public bool TryGetFrame(ChannelMessage message, out ForwardedFrame frame)
        {
            frame = new ForwardedFrame(JsonFrame(message), IsText: true);
            return true;
        }

        protected override async ValueTask OnConnectAsync(CancellationToken cancellationToken)
        {
            await AcceptAsync(cancellationToken: cancellationToken);
            await JoinGroupAsync(Group, cancellationToken);
        }
    }

    /// <summary>The client end of one connection: drains what the server writes, counting bytes and frames.</summary>
    private sealed class Client
    {
        private readonly Lock _lock = new();
        private readonly Pipe _toServer = new();
        private readonly Pipe _toClient = new(new PipeOptions(pauseWriterThreshold: 0));
        private readonly Task _run;
        private readonly Task _drain;
        private long _bytes;
        private int _frames;
        private TaskCompletionSource? _waiter;
        private int _waitingFor;

        public Client(WebSocketConnection connection)
        {
            _run = connection.RunAsync(new DuplexPipe(_toServer.Reader, _toClient.Writer));
            _drain = DrainAsync();
        }

        public long Bytes => Interlocked.Read(ref _bytes);

        public Task WaitForFramesAsync(int frames)
        {
            lock (_lock)
            {
                if (_frames >= frames)
                {
                    return Task.CompletedTask;
                }

                _waitingFor = frames;
                _waiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                return _waiter.Task;
            }
        }

        public async Task CloseAsync()
        {
            // A client that hangs up: the server reads the end of its stream (1006) and stops the consumer.
            await _toServer.Writer.CompleteAsync();
            await _run;

            // The transport's owner (here) completes its pipes once the connection has run.
            await _toClient.Writer.CompleteAsync();
            await _drain;
        }

        private async Task DrainAsync()
        {
            var reader = _toClient.Reader;
            while (true)
            {
                var result = await reader.ReadAsync();
                var buffer = result.Buffer;
                var frames = 0;
                while (TryReadFrameLength(buffer, out var length) && buffer.Length >= length)
                {
                    buffer = buffer.Slice(length);
                    frames++;
                }

                Interlocked.Add(ref _bytes, result.Buffer.Length - buffer.Length);
                reader.AdvanceTo(buffer.Start, buffer.End);
                if (frames > 0)
                {
                    lock (_lock)
                    {
                        _frames += frames;
                        if (_waiter is not null && _frames >= _waitingFor)
                        {
                            _waiter.SetResult();
                            _waiter = null;
                        }
                    }
                }

                if (result.IsCompleted)
                {
                    await reader.CompleteAsync();
                    return;
                }
            }
        }

        // The length of the server frame at the start of the buffer (unmasked: header and payload).
        private static bool TryReadFrameLength(ReadOnlySequence<byte> buffer, out long length)
        {
            length = 0;
            Span<byte> header = stackalloc byte[10];
            if (buffer.Length < 2)
            {
                return false;
            }

            var available = (int)Math.Min(buffer.Length, 10);
            buffer.Slice(0, available).CopyTo(header);
            var length7 = header[1] & 0x7F;
            var headerLength = length7 == 126 ? 4 : length7 == 127 ? 10 : 2;
            if (available < headerLength)
            {
                return false;
            }

            long payload = length7 switch
            {
                126 => BinaryPrimitives.ReadUInt16BigEndian(header[2..]),
                127 => (long)BinaryPrimitives.ReadUInt64BigEndian(header[2..]),
                _ => length7,
            };
            length = headerLength + payload;
            return true;
        }
    }

    private sealed class DuplexPipe(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input => input;

        public PipeWriter Output => output;
    }
}
