using System.Buffers;
using Switchyard.Serialization;
using Xunit;

namespace Switchyard.Tests.Serialization;

public sealed class ChannelMessageFormatTests
{
    [Fact]
    public void A_message_reads_back_as_it_was_written_type_headers_and_payload()
    {
        var message = new ChannelMessage("chat.message", new byte[] { 0, 1, 2, 255 }, MessageHeaders.Empty.With("traceparent", "00-abc-def-01").With("x", ""));
        var output = new ArrayBufferWriter<byte>();

        ChannelMessageFormat.Write(message, output);
        var read = ChannelMessageFormat.Read(output.WrittenSpan);

        Assert.Equal(message.Type, read.Type);
        Assert.Equal(message.Payload.ToArray(), read.Payload.ToArray());
        Assert.Equal(message.Headers, read.Headers);
    }

    [Fact]
    public void Another_version_or_trailing_bytes_are_refused_saying_which()
    {
        var output = new ArrayBufferWriter<byte>();
        ChannelMessageFormat.Write(new ChannelMessage("t", new byte[] { 1 }), output);
        var bytes = output.WrittenSpan.ToArray();

        bytes[0] = ChannelMessageFormat.Version + 1;
        Assert.Contains("unknown format version 2", Assert.Throws<FormatException>(() => ChannelMessageFormat.Read(bytes)).Message, StringComparison.Ordinal);

        bytes[0] = ChannelMessageFormat.Version;
        Assert.Contains("trailing", Assert.Throws<FormatException>(() => ChannelMessageFormat.Read([.. bytes, 7])).Message, StringComparison.Ordinal);
    }
}
