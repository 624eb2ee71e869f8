using System.Text;
using Xunit;

namespace Switchyard.Server.Tests.WebSockets.Protocol;

/// <summary>A client's close payload: empty, a code, a code and a UTF-8 reason, and which codes may be sent (Autobahn section 7).</summary>
public sealed class WebSocketCloseFrameTests
{
    [Fact]
    public void An_empty_payload_is_valid_and_reports_1005_no_status_received()
    {
        Assert.Equal(0, WebSocketCloseFrame.TryParse([], out var code, out var reason));

        Assert.Equal(WebSocketCloseCodes.NoStatusReceived, code);
        Assert.Null(reason);
    }

    [Theory]
    [InlineData(0x03)]
    [InlineData(0xE8)]
    [InlineData(0x00)]
    public void A_1_byte_payload_is_a_protocol_error(byte only)
    {
        Assert.Equal(WebSocketCloseCodes.ProtocolError, WebSocketCloseFrame.TryParse([only], out _, out var reason));
        Assert.Null(reason);
    }

    [Fact]
    public void A_code_alone_is_read_in_network_byte_order_with_no_reason()
    {
        Assert.Equal(0, WebSocketCloseFrame.TryParse([0x03, 0xE8], out var code, out var reason));

        Assert.Equal(1000, code);
        Assert.Null(reason);
    }

    [Theory]
    [InlineData(1000, "bye")]
    [InlineData(1001, "going away")]
    [InlineData(4321, "é € 😀 κόσμε")]
    public void A_code_and_a_UTF_8_reason_are_both_read(int sent, string sentReason)
    {
        Assert.Equal(0, WebSocketCloseFrame.TryParse(Payload(sent, Encoding.UTF8.GetBytes(sentReason)), out var code, out var reason));

        Assert.Equal(sent, code);
        Assert.Equal(sentReason, reason);
    }

    [Theory]
    [InlineData("a", 123, "")]
    [InlineData("é", 61, "!")]
    [InlineData("€", 41, "")]
    [InlineData("😀", 30, "abc")]
    public void A_reason_of_123_bytes_filling_the_125_byte_control_payload_is_read_whole(string unit, int count, string padding)
    {
        var text = string.Concat(Enumerable.Repeat(unit, count)) + padding;
        var payload = Payload(1000, Encoding.UTF8.GetBytes(text));
        Assert.Equal(125, payload.Length);

        Assert.Equal(0, WebSocketCloseFrame.TryParse(payload, out _, out var reason));

        Assert.Equal(text, reason);
    }

    [Theory]
    [InlineData("FF")]
    [InlineData("C0AF")]
    [InlineData("EDA080")]
    [InlineData("F4908080")]
    [InlineData("6F6BE282")]
    [InlineData("80")]
    public void A_reason_that_is_not_UTF_8_is_1007(string hex)
    {
        Assert.Equal(WebSocketCloseCodes.InvalidPayloadData, WebSocketCloseFrame.TryParse(Payload(1000, Convert.FromHexString(hex)), out _, out var reason));
        Assert.Null(reason);
    }

    [Fact]
    public void An_invalid_code_is_reported_before_an_invalid_reason()
    {
        Assert.Equal(WebSocketCloseCodes.ProtocolError, WebSocketCloseFrame.TryParse(Payload(1005, [0xFF]), out _, out _));
    }

    [Theory]
    [InlineData(0, 999, false)]
    [InlineData(1000, 1003, true)]
    [InlineData(1004, 1006, false)]
    [InlineData(1007, 1014, true)]
    [InlineData(1015, 1015, false)]
    [InlineData(1016, 2999, false)]
    [InlineData(3000, 4999, true)]
    [InlineData(5000, 5000, false)]
    [InlineData(5001, 65535, false)]
    public void Every_close_code_in_a_range_is_accepted_or_a_protocol_error_by_the_rule(int from, int to, bool valid)
    {
        // Valid: 1000–1003 and 1007–1014 (defined), 3000–4999 (registered and private use). All else: 1002.
        var wrong = new List<int>();
        for (var sent = from; sent <= to; sent++)
        {
            var result = WebSocketCloseFrame.TryParse(Payload(sent, "r"u8.ToArray()), out var code, out _);
            if (result != (valid ? 0 : WebSocketCloseCodes.ProtocolError) || (valid && code != sent))
            {
                wrong.Add(sent);
            }
        }

        Assert.Empty(wrong);
    }

    private static byte[] Payload(int code, byte[] reason)
    {
        var payload = new byte[2 + reason.Length];
        payload[0] = (byte)(code >> 8);
        payload[1] = (byte)code;
        reason.CopyTo(payload, 2);
        return payload;
    }
}
