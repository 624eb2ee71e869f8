using Switchyard.Client.Tests.Support;
using Xunit;

namespace Switchyard.Client.Tests;

/// <summary>The example of docs/clients.md runs against a real server and does what the docs say.</summary>
public sealed class DocsExampleTests
{
    [Fact]
    public async Task The_docs_example_connects_sends_requests_and_closes()
    {
        await using var server = await TestServer.StartAsync();
        using var output = new StringWriter();

        var sum = await DocsExample.RunAsync(server.WebSocketUri("/"), output, TestContext.Current.CancellationToken);

        Assert.Equal(3, sum);
        var text = output.ToString();
        Assert.Contains("sum: 3", text, StringComparison.Ordinal);
        Assert.Contains("refused: closed for today", text, StringComparison.Ordinal);
        Assert.Contains("state: Open", text, StringComparison.Ordinal);
        Assert.EndsWith("state: Closed \n", text.ReplaceLineEndings("\n"), StringComparison.Ordinal);
    }
}
