using Switchyard.Analyzers.CodeFixes;
using Switchyard.Analyzers.Rules;
using Switchyard.Analyzers.Tests.Support;
using Xunit;

namespace Switchyard.Analyzers.Tests.Rules;

public sealed class FireAndForgetTests
{
    private const string Usings = """
        using System.Threading;
        using System.Threading.Tasks;
        using Switchyard;

        """;

    [Fact]
    public Task A_dropped_task_or_value_task_in_a_consumer_is_flagged_and_an_explicit_discard_is_not() => AnalyzerHarness.VerifyAsync(
        Usings + """
        public sealed class Room : ChannelConsumer
        {
            public async Task Handle(int message)
            {
                [|Later()|];
                [|LaterValue()|];
                _ = Later();
                await Later();
                var pending = Later();
                await pending;
                [|Task.Run(() => 1)|];
            }

            public void Sync()
            {
                [|Later()|];
            }

            private static Task Later() => Task.CompletedTask;

            private static ValueTask LaterValue() => default;
        }

        public sealed class Service
        {
            public void Run() => Task.Delay(1);
        }
        """,
        new FireAndForgetAnalyzer(),
        "SWY1003");

    [Fact]
    public async Task The_fix_awaits_in_async_code_and_discards_explicitly_elsewhere()
    {
        var fixedSource = await AnalyzerHarness.FixAsync(
            Usings + """
            public sealed class Room : ChannelConsumer
            {
                public async Task Handle(int message)
                {
                    Later();
                }

                public void Sync()
                {
                    Later();
                }

                private static Task Later() => Task.CompletedTask;
            }
            """,
            new FireAndForgetAnalyzer(),
            new FireAndForgetCodeFixProvider(),
            "SWY1003");

        Assert.Equal(Usings + """
            public sealed class Room : ChannelConsumer
            {
                public async Task Handle(int message)
                {
                    await Later();
                }

                public void Sync()
                {
                    _ = Later();
                }

                private static Task Later() => Task.CompletedTask;
            }
            """, fixedSource);
    }
}
