using System.Buffers;
using System.Text;
using Switchyard.Redis.Resp;
using Xunit;

namespace Switchyard.Redis.Tests.Resp;

public sealed class RespReaderTests
{
    [Theory]
    [InlineData("+OK\r\n", nameof(RespType.SimpleString), "OK")]
    [InlineData("-ERR wrong\r\n", nameof(RespType.Error), "ERR wrong")]
    [InlineData(":-42\r\n", nameof(RespType.Integer), "-42")]
    [InlineData("$5\r\nhello\r\n", nameof(RespType.BulkString), "hello")]
    [InlineData("$0\r\n\r\n", nameof(RespType.BulkString), "")]
    [InlineData("$-1\r\n", nameof(RespType.Null), null)]
    [InlineData("*-1\r\n", nameof(RespType.Null), null)]
    [InlineData("_\r\n", nameof(RespType.Null), null)]
    [InlineData("#t\r\n", nameof(RespType.Boolean), "1")]
    [InlineData(",3.25\r\n", nameof(RespType.Double), "3.25")]
    [InlineData("(3492890328409238509324850943850943825024385\r\n", nameof(RespType.BigNumber), "3492890328409238509324850943850943825024385")]
    [InlineData("!9\r\nERR oops!\r\n", nameof(RespType.Error), "ERR oops!")]
    [InlineData("=8\r\ntxt:text\r\n", nameof(RespType.VerbatimString), "txt:text")]
    public void Every_scalar_reply_type_is_read(string wire, string type, string? text)
    {
        var value = ReadOne(wire);
        Assert.Equal(type, value.Type.ToString());
        Assert.Equal(text, value.AsString());
    }

    [Fact]
    public void Aggregates_nest_and_maps_alternate_keys_and_values()
    {
        var value = ReadOne("*3\r\n:1\r\n*2\r\n+a\r\n$1\r\nb\r\n%1\r\n+k\r\n:7\r\n");
        Assert.Equal(RespType.Array, value.Type);
        Assert.Equal(1, value.Items![0].AsInteger());
        Assert.Equal(["a", "b"], value.Items[1].Items!.Select(i => i.AsString()));
        Assert.Equal(RespType.Map, value.Items[2].Type);
        Assert.Equal("k", value.Items[2].Items![0].AsString());
        Assert.Equal(7, value.Items[2].Items![1].AsInteger());

        Assert.Equal(RespType.Set, ReadOne("~2\r\n+x\r\n+y\r\n").Type);
        Assert.Equal(RespType.Push, ReadOne(">2\r\n+message\r\n+hi\r\n").Type);
        // An attribute is read and dropped; the reply it annotates is what comes out.
        Assert.Equal(9, ReadOne("|1\r\n+ttl\r\n:3\r\n:9\r\n").AsInteger());
    }

    [Fact]
    public void Every_incomplete_prefix_of_a_reply_asks_for_more_and_consumes_nothing()
    {
        var wire = Encoding.ASCII.GetBytes("*4\r\n$5\r\nhello\r\n:12\r\n%1\r\n+k\r\n,1.5\r\n_\r\n");
        for (var length = 0; length < wire.Length; length++)
        {
            var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(wire, 0, length));
            Assert.False(RespReader.TryRead(ref reader, out _), $"{length} bytes should not make a reply");
        }

        Assert.Equal(RespType.Array, ReadOne(Encoding.ASCII.GetString(wire)).Type);
    }

    [Fact]
    public void Replies_split_across_segments_are_read()
    {
        var wire = Encoding.ASCII.GetBytes("$11\r\nhello world\r\n");
        var first = new Segment(wire.AsMemory(0, 7));
        var last = first.Append(wire.AsMemory(7));
        var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length));
        Assert.True(RespReader.TryRead(ref reader, out var value));
        Assert.Equal("hello world", value.AsString());
    }

    [Theory]
    [InlineData("HTTP/1.1 200 OK\r\n")]
    [InlineData("$abc\r\n")]
    [InlineData("$-7\r\n")]
    [InlineData("$3\r\nabcXY")]
    [InlineData("*99999999999\r\n")]
    [InlineData("#x\r\n")]
    [InlineData(",notanumber\r\n")]
    public void Garbage_is_a_protocol_error_not_a_wait(string wire)
    {
        var exception = Assert.Throws<RedisProtocolException>(() => ReadOne(wire));
        Assert.False(string.IsNullOrEmpty(exception.Message));
    }

    [Fact]
    public void Nesting_beyond_the_limit_is_refused()
    {
        var wire = string.Concat(Enumerable.Repeat("*1\r\n", RespReader.MaxDepth + 2)) + ":1\r\n";
        Assert.Throws<RedisProtocolException>(() => ReadOne(wire));
    }

    private static RespValue ReadOne(string wire)
    {
        var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(Encoding.UTF8.GetBytes(wire)));
        Assert.True(RespReader.TryRead(ref reader, out var value), "the reply is complete");
        Assert.Equal(0, reader.Remaining);
        return value;
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory) => Memory = memory;

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory) { RunningIndex = RunningIndex + Memory.Length };
            Next = next;
            return next;
        }
    }
}
