using Xunit;
using Verify = Switchyard.Analyzers.Tests.Support.CSharpCodeFixVerifier<
    Switchyard.Analyzers.Rules.FireAndForgetAnalyzer,
    Switchyard.Analyzers.CodeFixes.FireAndForgetCodeFixProvider>;

namespace Switchyard.Analyzers.Tests.Rules;

public sealed class FireAndForgetTests
{
    private const string Usings = """
        using System.Threading;
        using System.Threading.Tasks;
        using Switchyard;

        """;

    // In an async method the compiler warns about a dropped task too (CS4014); SWY1003 covers the rest of a consumer.
    [Fact]
    public Task A_dropped_task_or_value_task_in_a_consumer_is_flagged_and_an_explicit_discard_is_not() => Verify.VerifyAnalyzerAsync(
        Usings + """
        public sealed class Room : ChannelConsumer
        {
            public async Task Handle(int message)
            {
                [|{|CS4014:Later()|}|];
                [|{|CS4014:LaterValue()|}|];
                _ = Later();
                await Later();
                var pending = Later();
                await pending;
                [|{|CS4014:Task.Run(() => 1)|}|];
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
        """);

    [Fact]
    public Task The_fix_awaits_in_async_code_and_discards_explicitly_elsewhere() => new Verify.Test
    {
        TestCode = Usings + """
            public sealed class Room : ChannelConsumer
            {
                public async Task {|CS1998:Handle|}(int message)
                {
                    [|{|CS4014:Later()|}|];
                }

                public void Sync()
                {
                    [|Later()|];
                }

                private static Task Later() => Task.CompletedTask;
            }
            """,
        FixedCode = Usings + """
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
            """,
        // Awaiting and discarding are two code actions, so Fix All of the first diagnostic's action fixes the calls it
        // applies to: one Fix All each.
        NumberOfFixAllIterations = 2,
    }.RunAsync(TestContext.Current.CancellationToken);
}
