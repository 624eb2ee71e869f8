using Switchyard.Server;
using Xunit;

namespace Switchyard.Server.Tests.WebSockets;

/// <summary>The WebSocket time and fragment limits: their defaults and validation that names the option.</summary>
public sealed class SwitchyardWebSocketOptionsTests
{
    [Fact]
    public void The_stall_limits_default_to_15_s_to_send_30_s_per_message_and_1024_fragments()
    {
        var options = new SwitchyardWebSocketOptions();

        Assert.Equal(TimeSpan.FromSeconds(15), options.SendTimeout);
        Assert.Equal(TimeSpan.FromSeconds(30), options.MessageTimeout);
        Assert.Equal(1024, options.MaxMessageFragments);
        options.Validate();
    }

    [Fact]
    public void The_time_limits_can_be_turned_off()
    {
        var options = new SwitchyardWebSocketOptions
        {
            SendTimeout = Timeout.InfiniteTimeSpan,
            MessageTimeout = Timeout.InfiniteTimeSpan,
            PingInterval = Timeout.InfiniteTimeSpan,
        };

        options.Validate();
    }

    [Theory]
    [InlineData("SendTimeout", 0, "SwitchyardWebSocketOptions.SendTimeout must be positive or Timeout.InfiniteTimeSpan, not 00:00:00.")]
    [InlineData("SendTimeout", -2000, "SwitchyardWebSocketOptions.SendTimeout must be positive or Timeout.InfiniteTimeSpan, not -00:00:02.")]
    [InlineData("MessageTimeout", 0, "SwitchyardWebSocketOptions.MessageTimeout must be positive or Timeout.InfiniteTimeSpan, not 00:00:00.")]
    [InlineData("MessageTimeout", -2000, "SwitchyardWebSocketOptions.MessageTimeout must be positive or Timeout.InfiniteTimeSpan, not -00:00:02.")]
    [InlineData("MaxMessageFragments", 0, "SwitchyardWebSocketOptions.MaxMessageFragments must be at least 1, not 0.")]
    [InlineData("MaxMessageFragments", -1, "SwitchyardWebSocketOptions.MaxMessageFragments must be at least 1, not -1.")]
    public void Validate_names_the_invalid_option(string option, int value, string message)
    {
        var options = new SwitchyardWebSocketOptions();
        switch (option)
        {
            case "SendTimeout":
                options.SendTimeout = TimeSpan.FromMilliseconds(value);
                break;
            case "MessageTimeout":
                options.MessageTimeout = TimeSpan.FromMilliseconds(value);
                break;
            default:
                options.MaxMessageFragments = value;
                break;
        }

        Assert.Equal(message, Assert.Throws<ArgumentException>(options.Validate).Message);
    }
}
