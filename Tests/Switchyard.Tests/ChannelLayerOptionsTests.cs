using Switchyard.ChannelLayers.Specification;
using Xunit;

namespace Switchyard.Tests;

/// <summary>Channel-layer options: Django's defaults, validation that names the option, and glob capacities.</summary>
public sealed class ChannelLayerOptionsTests
{
    [Fact]
    public void Defaults_are_Django_s_plus_a_one_mebibyte_message_limit()
    {
        var options = new ChannelLayerOptions();

        Assert.Equal(100, options.Capacity);
        Assert.Equal(TimeSpan.FromSeconds(60), options.Expiry);
        Assert.Equal(TimeSpan.FromSeconds(86400), options.GroupExpiry);
        Assert.Equal(1024 * 1024, options.MaxMessageSize);
        Assert.Empty(options.ChannelCapacity);
        Assert.Equal(100, ChannelLayerOptions.DefaultCapacity);
        Assert.Equal(1_048_576, ChannelLayerOptions.DefaultMaxMessageSize);
        options.Validate();
    }

    [Theory]
    [InlineData("Capacity", "ChannelLayerOptions.Capacity must be at least 1, not 0.")]
    [InlineData("Expiry", "ChannelLayerOptions.Expiry must be positive, not 00:00:00.")]
    [InlineData("NegativeExpiry", "ChannelLayerOptions.Expiry must be positive, not -00:00:01.")]
    [InlineData("GroupExpiry", "ChannelLayerOptions.GroupExpiry must be positive, not 00:00:00.")]
    [InlineData("MaxMessageSize", "ChannelLayerOptions.MaxMessageSize must be at least 1 byte, not 0.")]
    public void Validate_names_the_invalid_option(string option, string message)
    {
        var options = new ChannelLayerOptions();
        switch (option)
        {
            case "Capacity":
                options.Capacity = 0;
                break;
            case "Expiry":
                options.Expiry = TimeSpan.Zero;
                break;
            case "NegativeExpiry":
                options.Expiry = TimeSpan.FromSeconds(-1);
                break;
            case "GroupExpiry":
                options.GroupExpiry = TimeSpan.Zero;
                break;
            case "MaxMessageSize":
                options.MaxMessageSize = 0;
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(option));
        }

        var error = Assert.Throws<ArgumentException>(options.Validate);

        Assert.Equal(message, error.Message);
    }

    [Fact]
    public void Validate_names_a_capacity_rule_with_a_bad_capacity_or_an_empty_pattern()
    {
        var badCapacity = new ChannelLayerOptions().WithCapacity("http.response!*", 0);
        var error = Assert.Throws<ArgumentException>(badCapacity.Validate);
        Assert.Contains("ChannelLayerOptions.ChannelCapacity", error.Message, StringComparison.Ordinal);
        Assert.Contains("'http.response!*'", error.Message, StringComparison.Ordinal);
        Assert.Contains("not 0", error.Message, StringComparison.Ordinal);

        var emptyPattern = new ChannelLayerOptions();
        emptyPattern.ChannelCapacity.Add(new ChannelCapacityRule());
        error = Assert.Throws<ArgumentException>(emptyPattern.Validate);
        Assert.Contains("ChannelLayerOptions.ChannelCapacity", error.Message, StringComparison.Ordinal);
        Assert.Contains("empty pattern", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_layer_validates_its_options_when_created()
    {
        var error = Assert.Throws<ArgumentException>(() => new InMemoryChannelLayer(new ChannelLayerOptions { MaxMessageSize = -5 }, new ManualTimeProvider()));

        Assert.Contains("MaxMessageSize", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void WithCapacity_appends_rules_in_order_and_returns_the_same_options()
    {
        var options = new ChannelLayerOptions();

        var returned = options.WithCapacity("a.*", 1).WithCapacity("b.*", 2);

        Assert.Same(options, returned);
        Assert.Collection(
            options.ChannelCapacity,
            rule => Assert.Equal(("a.*", 1), (rule.Pattern, rule.Capacity)),
            rule => Assert.Equal(("b.*", 2), (rule.Pattern, rule.Capacity)));
    }

    [Fact]
    public void Without_rules_every_channel_gets_the_default_capacity()
    {
        var options = new ChannelLayerOptions { Capacity = 7 };

        Assert.Equal(7, options.GetCapacity("anything"));
        Assert.Equal(7, options.GetCapacity("specific.inmemory!abc"));
    }

    [Theory]
    [InlineData("http.response!*", "http.response!abc", true)]
    [InlineData("http.response!*", "http.response!", true)]
    [InlineData("http.response!*", "http.request!abc", false)]
    [InlineData("http.response!*", "xhttp.response!abc", false)]
    [InlineData("*", "anything.at-all!x", true)]
    [InlineData("*.room", "chat.room", true)]
    [InlineData("*.room", "chat.room.2", false)]
    [InlineData("chat.*.log", "chat.a.b.log", true)]
    [InlineData("chat", "chat.x", false)]
    [InlineData("chat", "chat", true)]
    [InlineData("a?c", "abc", true)]
    [InlineData("a?c", "a.c", true)]
    [InlineData("a?c", "ac", false)]
    [InlineData("a?c", "abbc", false)]
    [InlineData("??", "ab", true)]
    [InlineData("??", "abc", false)]
    [InlineData("a*b*c", "a-x-b-y-c", true)]
    [InlineData("a*b*c", "a-x-c-y-b", false)]
    [InlineData("*a", "bbbbbbbbbbbbbbbbbbbbbbbbbbbbba", true)]
    [InlineData("*a*a*a*a*b", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", false)]
    public void Capacity_rules_match_whole_names_by_glob(string pattern, string channel, bool matches)
    {
        var options = new ChannelLayerOptions { Capacity = 100 }.WithCapacity(pattern, 3);

        Assert.Equal(matches ? 3 : 100, options.GetCapacity(channel));
    }

    [Fact]
    public void The_first_matching_rule_wins()
    {
        var options = new ChannelLayerOptions { Capacity = 100 }
            .WithCapacity("http.response!*", 1)
            .WithCapacity("http.*", 5)
            .WithCapacity("*", 50);

        Assert.Equal(1, options.GetCapacity("http.response!abc"));
        Assert.Equal(5, options.GetCapacity("http.request"));
        Assert.Equal(50, options.GetCapacity("chat"));

        var reversed = new ChannelLayerOptions { Capacity = 100 }
            .WithCapacity("*", 50)
            .WithCapacity("http.response!*", 1);
        Assert.Equal(50, reversed.GetCapacity("http.response!abc"));
    }
}
