using Xunit;
using Verify = Switchyard.Analyzers.Tests.Support.CSharpCodeFixVerifier<
    Switchyard.Analyzers.Rules.AsyncAlternativeAnalyzer,
    Switchyard.Analyzers.CodeFixes.AsyncAlternativeCodeFixProvider>;

namespace Switchyard.Analyzers.Tests.Rules;

public sealed class AsyncAlternativeTests
{
    private const string Usings = """
        using System;
        using System.IO;
        using System.Net.Http;
        using System.Threading;
        using System.Threading.Tasks;
        using Switchyard;

        """;

    private const string Legacy = """

        public sealed class Legacy
        {
            public void Charge(int amount) { }
            public Task ChargeAsync(int amount, CancellationToken cancellationToken) => Task.CompletedTask;
            public void Ping() { }
            public void Audit(string text) { }
            public Task AuditAsync(int code) => Task.CompletedTask;
        }

        public static class LegacyExtensions
        {
            public static Task PingAsync(this Legacy legacy) => Task.CompletedTask;
        }
        """;

    [Fact]
    public Task Calls_with_a_compatible_async_alternative_are_flagged_in_async_consumer_code() => VerifyMarked("""
        public sealed class Files : ChannelConsumer
        {
            public async Task Handle(int message, CancellationToken cancellationToken)
            {
                var text = [|File.ReadAllText("a.txt")|];
                using Stream stream = new MemoryStream();
                [|stream.Write(new byte[1], 0, 1)|];
                [|stream.Flush()|];
                using var reader = new StreamReader(stream);
                text += [|reader.ReadToEnd()|];
                using var client = new HttpClient();
                [|client.Send(new HttpRequestMessage())|];
                var legacy = new Legacy();
                [|legacy.Charge(1)|];
                [|legacy.Ping()|];
                legacy.Audit(text);
                stream.Dispose();
                Console.WriteLine(text);
                await Task.Yield();
            }
        }
        """);

    [Fact]
    public Task Synchronous_helpers_and_other_types_are_not_flagged() => VerifyMarked("""
        public sealed class Files : ChannelConsumer
        {
            public async Task Handle(int message)
            {
                Read();
                await Task.Yield();
            }

            private static string Read() => File.ReadAllText("a.txt");
        }

        public sealed class Service
        {
            public async Task Run()
            {
                File.ReadAllText("a.txt");
                await Task.Yield();
            }
        }
        """);

    [Fact]
    public Task An_additional_file_extends_and_trims_the_list() => new Verify.Test
    {
        TestState =
        {
            Sources =
            {
                Usings + """
                public sealed class Files : ChannelConsumer
                {
                    public async Task Handle(int message)
                    {
                        File.ReadAllText("a.txt");
                        new Legacy().Ping();
                        [|new Legacy().Audit("x")|];
                        await Task.Yield();
                    }
                }
                """ + Legacy,
            },
            AdditionalFiles =
            {
                ("/repo/SwitchyardBlockingApis.txt", """
                    # trim
                    !System.IO.File.ReadAllText
                    !Legacy.*
                    # but this one, whose alternative has another name
                    Legacy.Audit -> AuditAsync
                    """),
            },
        },
    }.RunAsync(TestContext.Current.CancellationToken);

    [Fact]
    public Task The_fix_awaits_the_alternative_and_passes_the_token_when_it_takes_one() => Verify.VerifyCodeFixAsync(
        Usings + """
        public sealed class Files : ChannelConsumer
        {
            public async Task Handle(int message, CancellationToken cancellationToken)
            {
                var text = [|File.ReadAllText("a.txt")|];
                using Stream stream = new MemoryStream();
                [|stream.Write(new byte[1], 0, 1)|];
                using var reader = new StreamReader(stream);
                text += [|reader.ReadToEnd()|].Trim();
                [|new Legacy().Ping()|];
                await Task.Yield();
            }
        }
        """ + Legacy,
        Usings + """
        public sealed class Files : ChannelConsumer
        {
            public async Task Handle(int message, CancellationToken cancellationToken)
            {
                var text = await File.ReadAllTextAsync("a.txt", cancellationToken);
                using Stream stream = new MemoryStream();
                await stream.WriteAsync(new byte[1], 0, 1, cancellationToken);
                using var reader = new StreamReader(stream);
                text += (await reader.ReadToEndAsync(cancellationToken)).Trim();
                await new Legacy().PingAsync();
                await Task.Yield();
            }
        }
        """ + Legacy);

    private static Task VerifyMarked(string source) => Verify.VerifyAnalyzerAsync(Usings + source + Legacy);
}
