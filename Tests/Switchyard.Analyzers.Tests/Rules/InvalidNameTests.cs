using Switchyard.Analyzers.Rules;
using Switchyard.Analyzers.Tests.Support;
using Xunit;

namespace Switchyard.Analyzers.Tests.Rules;

public sealed class InvalidNameTests
{
    [Fact]
    public Task Constant_names_that_break_the_rules_are_flagged_where_they_are_passed() => AnalyzerHarness.VerifyAsync(
        """
        using System.Threading;
        using System.Threading.Tasks;
        using Switchyard;

        public sealed class Room : ChannelConsumer
        {
            private const string Lobby = "chat lobby";

            public async Task Handle(int message, CancellationToken cancellationToken)
            {
                await JoinGroupAsync([|"chat room"|], cancellationToken);
                await JoinGroupAsync([|Lobby|], cancellationToken);
                await JoinGroupAsync("chat.room", cancellationToken);
                await JoinGroupAsync($"chat.{message}", cancellationToken);
                await LeaveGroupAsync([|"chat!room"|], cancellationToken);
                await SendToChannelAsync("replies!abc", new ChannelMessage("t", new byte[0]), cancellationToken);
                await SendToChannelAsync([|"!abc"|], new ChannelMessage("t", new byte[0]), cancellationToken);
                await Layer.SendAsync([|"jobs/thumbnails"|], new ChannelMessage("t", new byte[0]), cancellationToken);
                await Layer.GroupAddAsync("chat.ok", [|"a!b!c"|], cancellationToken);
                _ = await Layer.NewChannelAsync([|"bad!prefix"|], cancellationToken);
                _ = await Layer.NewChannelAsync(cancellationToken: cancellationToken);
                await Layer.SendAsync([|"LONG_NAME"|], new ChannelMessage("t", new byte[0]), cancellationToken);
            }
        }
        """.Replace("LONG_NAME", new string('x', 100), StringComparison.Ordinal),
        new InvalidNameAnalyzer(),
        "SWY1004");

    [Fact]
    public async Task The_message_says_what_is_wrong_and_which_call_throws()
    {
        var diagnostics = await AnalyzerHarness.AnalyzeAsync(
            """
            using System.Threading.Tasks;
            using Switchyard;

            public sealed class Room : ChannelConsumer
            {
                public async Task Handle(int message) => await JoinGroupAsync("chat room");
            }
            """,
            [new InvalidNameAnalyzer()]);

        var diagnostic = Assert.Single(diagnostics);
        Assert.Equal(Microsoft.CodeAnalysis.DiagnosticSeverity.Error, diagnostic.Severity);
        Assert.Equal(
            "Group name 'chat room' is invalid: character ' ' at position 4 is not allowed; use ASCII letters, digits, '-', '_' or '.'; 'JoinGroupAsync' will throw ArgumentException",
            diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
    }
}
