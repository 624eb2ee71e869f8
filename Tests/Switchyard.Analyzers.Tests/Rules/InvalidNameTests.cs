using Microsoft.CodeAnalysis;
using Xunit;
using Verify = Switchyard.Analyzers.Tests.Support.CSharpAnalyzerVerifier<Switchyard.Analyzers.Rules.InvalidNameAnalyzer>;

namespace Switchyard.Analyzers.Tests.Rules;

public sealed class InvalidNameTests
{
    [Fact]
    public Task Constant_names_that_break_the_rules_are_flagged_where_they_are_passed() => Verify.VerifyAnalyzerAsync(
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
        """.Replace("LONG_NAME", new string('x', 100), StringComparison.Ordinal));

    [Fact]
    public Task The_message_says_what_is_wrong_and_which_call_throws() => Verify.VerifyAnalyzerAsync(
        """
        using System.Threading.Tasks;
        using Switchyard;

        public sealed class Room : ChannelConsumer
        {
            public async Task Handle(int message) => await JoinGroupAsync({|#0:"chat room"|});
        }
        """,
        Verify.Diagnostic()
            .WithLocation(0)
            .WithSeverity(DiagnosticSeverity.Error)
            .WithMessage("Group name 'chat room' is invalid: character ' ' at position 4 is not allowed; use ASCII letters, digits, '-', '_' or '.'; 'JoinGroupAsync' will throw ArgumentException"));
}
