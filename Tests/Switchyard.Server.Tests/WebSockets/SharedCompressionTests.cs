using System.Buffers;
using System.IO.Pipelines;
using System.Text;
using Xunit;

namespace Switchyard.Server.Tests.WebSockets;

/// <summary>
/// With permessage-deflate, a group message on the forwarding path is compressed once per group send and the same
/// compressed frame goes to every member; a message a consumer sends itself is compressed on its own.
/// </summary>
public sealed class SharedCompressionTests
{
    private const string Group = "compressed.room";
    private static readonly object JsonKey = new();

    [Fact]
    public async Task Every_member_gets_the_frame_compressed_once_for_the_group_send()
    {
        await using var layer = new InMemoryChannelLayer();
        var options = new SwitchyardWebSocketOptions { PingInterval = Timeout.InfiniteTimeSpan };
        await using var first = await Member.ConnectAsync(layer, options);
        await using var second = await Member.ConnectAsync(layer, options);
        var message = new ChannelMessage("room.post", Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("a post of the live blog ", 40))));

        Assert.Equal(2, (await layer.GroupSendAsync(Group, message, TestContext.Current.CancellationToken)).Delivered);

        var frames = new[] { await first.ReadFrameAsync(), await second.ReadFrameAsync() };
        Assert.All(frames, f => Assert.Equal(0xC1, f[0])); // FIN, RSV1, text
        Assert.Equal(frames[0], frames[1]);

        // The compressed frame is cached on the message, keyed by its plain frame: the second member found it there.
        var plain = Forwarder.Frame(message);
        var cached = message.GetFrame(plain, static _ => throw new InvalidOperationException("compressed again"));
        Assert.Equal(cached, frames[0][FrameHeaderLength(frames[0])..]);
        Assert.Equal(Encoding.UTF8.GetString(plain), Inflate(cached!));
    }

    [Fact]
    public async Task Small_messages_below_the_threshold_go_out_uncompressed()
    {
        await using var layer = new InMemoryChannelLayer();
        await using var member = await Member.ConnectAsync(layer, new SwitchyardWebSocketOptions { PingInterval = Timeout.InfiniteTimeSpan, CompressionThreshold = 1000 });

        await layer.GroupSendAsync(Group, new ChannelMessage("room.post", "short"u8.ToArray()), TestContext.Current.CancellationToken);

        var frame = await member.ReadFrameAsync();
        Assert.Equal(0x81, frame[0]); // FIN, text, no RSV1
        Assert.Equal("\"short\"", Encoding.UTF8.GetString(frame[2..]));
    }

    private static int FrameHeaderLength(byte[] frame) => (frame[1] & 0x7F) switch
    {
        126 => 4,
        127 => 10,
        _ => 2,
    };

    private static string Inflate(byte[] compressed)
    {
        Assert.Equal(0, WebSocketDeflate.TryDecompress(compressed, 1 << 20, out var rented, out var length));
        return Encoding.UTF8.GetString(rented!, 0, length);
    }

    /// <summary>One connection of the engine over in-memory pipes, with deflate on, in the group.</summary>
    private sealed class Member : IAsyncDisposable
    {
        private readonly Pipe _toServer = new();
        private readonly Pipe _toClient = new();
        private readonly Task<int> _run;

        private Member(WebSocketConnection connection) =>
            _run = connection.RunAsync(new DuplexPipe(_toServer.Reader, _toClient.Writer), TestContext.Current.CancellationToken);

        public static async Task<Member> ConnectAsync(ChannelLayer layer, SwitchyardWebSocketOptions options)
        {
            var channel = await layer.NewChannelAsync("ws", TestContext.Current.CancellationToken);
            var connection = new WebSocketConnection(new Forwarder(), new WebSocketScope(channel), layer, options);
            Assert.True((await connection.ConnectAsync(TestContext.Current.CancellationToken)).IsAccepted);
            connection.EnableDeflate();
            return new Member(connection);
        }

        // Reads one whole server frame (header and payload).
        public async Task<byte[]> ReadFrameAsync()
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            while (true)
            {
                var result = await _toClient.Reader.ReadAsync(timeout.Token);
                var bytes = result.Buffer.ToArray();
                if (bytes.Length >= 2 && bytes.Length >= FrameHeaderLength(bytes) + PayloadLength(bytes))
                {
                    var frame = bytes[..(FrameHeaderLength(bytes) + PayloadLength(bytes))];
                    _toClient.Reader.AdvanceTo(result.Buffer.GetPosition(frame.Length));
                    return frame;
                }

                _toClient.Reader.AdvanceTo(result.Buffer.Start, result.Buffer.End);
            }
        }

        public async ValueTask DisposeAsync()
        {
            await _toServer.Writer.CompleteAsync();
            await _run;
            await _toClient.Writer.CompleteAsync();
        }

        private static int PayloadLength(byte[] frame) => (frame[1] & 0x7F) switch
        {
            126 => frame.Length >= 4 ? (frame[2] << 8) | frame[3] : int.MaxValue / 2,
            127 => int.MaxValue / 2,
            var length => length,
        };
    }

    /// <summary>
    /// A consumer in the group whose handler only forwards a message as a JSON string: what the generator emits for a
    /// forwarding handler, written out (this project does not run the generator).
    /// </summary>
    private sealed class Forwarder : WebSocketConsumer, IForwardingConsumer, IConsumerDispatcher
    {
        public static byte[] Frame(ChannelMessage message) =>
            message.GetFrame(JsonKey, static m => Encoding.UTF8.GetBytes($"\"{Encoding.UTF8.GetString(m.Payload.Span)}\""))!;

        public bool TryGetFrame(ChannelMessage message, out ForwardedFrame frame)
        {
            frame = new ForwardedFrame(Frame(message), IsText: true);
            return true;
        }

        public bool TryDispatch(ChannelMessage message, CancellationToken cancellationToken, out ValueTask handling)
        {
            handling = SendTextAsync(Frame(message), cancellationToken);
            return true;
        }

        protected override async ValueTask OnConnectAsync(CancellationToken cancellationToken)
        {
            await AcceptAsync(cancellationToken: cancellationToken);
            await JoinGroupAsync(Group, cancellationToken);
        }
    }

    private sealed class DuplexPipe(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input => input;

        public PipeWriter Output => output;
    }
}
