using Xunit;

namespace Switchyard.Tests;

/// <summary>The name rules of Django's <c>BaseChannelLayer</c>, as <see cref="ChannelNames"/> states them.</summary>
public sealed class ChannelNamesTests
{
    public static TheoryData<string> ValidChannelNames => new(
        "a",
        "chat",
        "chat.room-1_X",
        "0.9",
        "specific.inmemory!abc",
        "specific.inmemory!a-b_c.d",
        "http.response!",
        "a!b",
        new string('x', 99),
        new string('x', 50) + "!" + new string('y', 48));

    public static TheoryData<string?, string> InvalidChannelNames => new()
    {
        { null, "(null)" },
        { string.Empty, "it is empty" },
        { new string('x', 100), "it is 100 characters long" },
        { new string('x', 60) + "!" + new string('y', 39), "it is 100 characters long" },
        { "has space", "character ' ' at position 3 is not allowed" },
        { "a!b!c", "it contains a second '!' at position 3" },
        { "!abc", "it starts with '!'" },
        { "slash/name", "character '/' at position 5 is not allowed" },
        { "colon:", "character ':' at position 5 is not allowed" },
        { "caf\u00e9", "character U+00E9 at position 3 is not allowed" },
        { "tab\tx", "character U+0009 at position 3 is not allowed" },
        { "plus+", "character '+' at position 4 is not allowed" },
    };

    [Theory]
    [MemberData(nameof(ValidChannelNames))]
    public void Valid_channel_names_pass(string name)
    {
        Assert.True(ChannelNames.IsValidChannelName(name));
        ChannelNames.ValidateChannelName(name);
    }

    [Theory]
    [MemberData(nameof(InvalidChannelNames))]
    public void Invalid_channel_names_fail(string? name, string problem)
    {
        Assert.False(ChannelNames.IsValidChannelName(name));
        if (name is null)
        {
            Assert.Throws<ArgumentNullException>(() => ChannelNames.ValidateChannelName(name));
        }
        else
        {
            var error = Assert.Throws<ArgumentException>(() => ChannelNames.ValidateChannelName(name));
            Assert.Contains($"is invalid: {problem}", error.Message, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("has space", "character ' ' at position 3 is not allowed")]
    [InlineData("a!b!c", "it contains a second '!' at position 3")]
    [InlineData("!abc", "it starts with '!' (a process-local name needs a process part before the '!')")]
    [InlineData("slash/name", "character '/' at position 5 is not allowed")]
    [InlineData("", "it is empty")]
    public void ValidateChannelName_throws_ArgumentException_naming_the_name_and_the_problem(string name, string problem)
    {
        var error = Assert.Throws<ArgumentException>(() => ChannelNames.ValidateChannelName(name));

        Assert.Equal("name", error.ParamName);
        Assert.StartsWith($"Channel name '{name}' is invalid: {problem}.", error.Message, StringComparison.Ordinal);
        Assert.Contains("shorter than 100 characters", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ValidateChannelName_reports_the_length_of_a_too_long_name()
    {
        var name = new string('x', 100);

        var error = Assert.Throws<ArgumentException>(() => ChannelNames.ValidateChannelName(name));

        Assert.Contains($"'{name}'", error.Message, StringComparison.Ordinal);
        Assert.Contains("it is 100 characters long", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ValidateChannelName_uses_the_caller_argument_as_the_parameter_name()
    {
        var channel = "bad name";

        var error = Assert.Throws<ArgumentException>(() => ChannelNames.ValidateChannelName(channel));

        Assert.Equal("channel", error.ParamName);
    }

    [Fact]
    public void ValidateChannelName_throws_ArgumentNullException_for_null()
    {
        string? channel = null;

        var error = Assert.Throws<ArgumentNullException>(() => ChannelNames.ValidateChannelName(channel));

        Assert.Equal("channel", error.ParamName);
    }

    [Fact]
    public void Invalid_names_are_shown_printable_and_truncated_in_messages()
    {
        var control = Assert.Throws<ArgumentException>(() => ChannelNames.ValidateChannelName("bell\u0007name"));
        Assert.Contains("'bell?name'", control.Message, StringComparison.Ordinal);
        Assert.Contains("U+0007", control.Message, StringComparison.Ordinal);

        var huge = new string('x', 500);
        var tooLong = Assert.Throws<ArgumentException>(() => ChannelNames.ValidateChannelName(huge));
        Assert.Contains($"'{new string('x', 120)}\u2026'", tooLong.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(new string('x', 121), tooLong.Message, StringComparison.Ordinal);
        Assert.Contains("it is 500 characters long", tooLong.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("group")]
    [InlineData("chat.room-1_X")]
    [InlineData("x")]
    public void Valid_group_names_pass(string name)
    {
        Assert.True(ChannelNames.IsValidGroupName(name));
        ChannelNames.ValidateGroupName(name);
        Assert.True(ChannelNames.IsValidGroupName(new string('g', 99)));
    }

    [Theory]
    [InlineData("group!x", "'!' at position 5 is only allowed in channel names")]
    [InlineData("group!", "'!' at position 5 is only allowed in channel names")]
    [InlineData("!group", "'!' at position 0 is only allowed in channel names")]
    [InlineData("has space", "character ' ' at position 3 is not allowed")]
    [InlineData("", "it is empty")]
    public void ValidateGroupName_throws_ArgumentException_naming_the_name_and_the_problem(string name, string problem)
    {
        Assert.False(ChannelNames.IsValidGroupName(name));

        var error = Assert.Throws<ArgumentException>(() => ChannelNames.ValidateGroupName(name));

        Assert.Equal("name", error.ParamName);
        Assert.StartsWith($"Group name '{name}' is invalid: {problem}.", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Group_names_of_100_characters_and_null_are_rejected()
    {
        var group = new string('g', 100);

        Assert.False(ChannelNames.IsValidGroupName(group));
        Assert.False(ChannelNames.IsValidGroupName(null));
        Assert.Contains("it is 100 characters long", Assert.Throws<ArgumentException>(() => ChannelNames.ValidateGroupName(group)).Message, StringComparison.Ordinal);
        string? missing = null;
        Assert.Equal("missing", Assert.Throws<ArgumentNullException>(() => ChannelNames.ValidateGroupName(missing)).ParamName);
    }

    [Theory]
    [InlineData("chat.message")]
    [InlineData("websocket.receive")]
    [InlineData("a")]
    public void Valid_message_types_pass(string type) => ChannelNames.ValidateMessageType(type);

    [Theory]
    [InlineData("chat message", "character ' ' at position 4 is not allowed")]
    [InlineData("chat!message", "'!' at position 4 is only allowed in channel names")]
    [InlineData("", "it is empty")]
    public void Invalid_message_types_throw_ArgumentException_naming_the_type(string type, string problem)
    {
        var error = Assert.Throws<ArgumentException>(() => ChannelNames.ValidateMessageType(type));

        Assert.StartsWith($"Message type '{type}' is invalid: {problem}.", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_null_message_type_throws_ArgumentNullException_and_envelopes_validate_their_type()
    {
        string? type = null;
        Assert.Equal("type", Assert.Throws<ArgumentNullException>(() => ChannelNames.ValidateMessageType(type)).ParamName);

        var error = Assert.Throws<ArgumentException>(() => new ChannelMessage("bad type", ReadOnlyMemory<byte>.Empty));
        Assert.Contains("'bad type'", error.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentNullException>(() => new ChannelMessage(null!, ReadOnlyMemory<byte>.Empty));
    }

    [Theory]
    [InlineData("specific.inmemory!abc", "specific.inmemory!")]
    [InlineData("http.response!", "http.response!")]
    [InlineData("a!b", "a!")]
    [InlineData("chat.room", "chat.room")]
    [InlineData("x", "x")]
    public void NonLocalPart_is_up_to_and_including_the_bang_or_the_whole_name(string channel, string expected) =>
        Assert.Equal(expected, ChannelNames.NonLocalPart(channel));

    [Theory]
    [InlineData("specific.inmemory!abc", true)]
    [InlineData("http.response!", true)]
    [InlineData("chat.room", false)]
    [InlineData("x", false)]
    public void IsProcessLocal_is_whether_the_name_contains_a_bang(string channel, bool expected) =>
        Assert.Equal(expected, ChannelNames.IsProcessLocal(channel));

    [Fact]
    public void The_constants_are_Django_s()
    {
        Assert.Equal(100, ChannelNames.MaxLength);
        Assert.Equal('!', ChannelNames.ProcessLocalSeparator);
    }
}
