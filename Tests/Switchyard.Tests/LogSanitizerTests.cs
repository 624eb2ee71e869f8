using Xunit;

namespace Switchyard.Tests;

public sealed class LogSanitizerTests
{
    [Fact]
    public void A_safe_short_value_is_returned_as_it_is()
    {
        const string value = "/ws/chat/lobby/";
        Assert.Same(value, LogSanitizer.Sanitize(value));
    }

    [Theory]
    [InlineData("a\r\nfail: forged", @"a\r\nfail: forged")]
    [InlineData("tab\there", @"tab\there")]
    [InlineData("nul\0esc\u001b[31m", @"nul\u0000esc\u001B[31m")]
    [InlineData("nel\u0085ls\u2028ps\u2029", @"nel\u0085ls\u2028ps\u2029")]
    [InlineData("bidi\u202Eevil\u2066", @"bidi\u202Eevil\u2066")]
    [InlineData("café ☕", "café ☕")]
    public void Control_characters_separators_and_bidi_overrides_are_escaped(string value, string expected) =>
        Assert.Equal(expected, LogSanitizer.Sanitize(value));

    [Fact]
    public void A_long_value_is_cut_and_says_how_much_was_left_out()
    {
        var value = new string('x', 250);
        Assert.Equal(new string('x', 200) + "…(+50)", LogSanitizer.Sanitize(value));
        Assert.Equal("xxx…(+247)", LogSanitizer.Sanitize(value, 3));
    }

    [Fact]
    public void A_cut_never_splits_a_surrogate_pair()
    {
        var value = "ab😀cd";
        Assert.Equal("ab…(+4)", LogSanitizer.Sanitize(value, 3));
    }

    [Fact]
    public void Null_and_empty_give_an_empty_string_and_the_limit_must_be_positive()
    {
        Assert.Equal(string.Empty, LogSanitizer.Sanitize(null));
        Assert.Equal(string.Empty, LogSanitizer.Sanitize(string.Empty));
        Assert.Throws<ArgumentOutOfRangeException>(() => LogSanitizer.Sanitize("x", 0));
    }
}
