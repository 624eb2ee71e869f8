using Switchyard.Client.Tests.Support;
using Xunit;

namespace Switchyard.Client.Tests;

/// <summary>The example of docs/clients.md runs against a real server and does what the docs say.</summary>
public sealed class DocsExampleTests
{
    [Fact]
    public void Docs_clients_md_shows_the_code_of_the_example()
    {
        var root = Repository.Root();
        var source = File.ReadAllText(Path.Combine(root, "Tests", "Switchyard.Client.Tests", "DocsExample.cs")).ReplaceLineEndings("\n");
        var region = source[(source.IndexOf("// docs:begin\n", StringComparison.Ordinal) + "// docs:begin\n".Length)..source.IndexOf("        // docs:end", StringComparison.Ordinal)];
        var code = string.Join('\n', region.TrimEnd().Split('\n').Select(line => line.StartsWith("        ", StringComparison.Ordinal) ? line[8..] : line));
        var docs = File.ReadAllText(Path.Combine(root, "docs", "clients.md")).ReplaceLineEndings("\n");

        Assert.True(
            docs.Contains("```csharp\n" + code + "\n```", StringComparison.Ordinal),
            "docs/clients.md has no ```csharp block equal to the region of Tests/Switchyard.Client.Tests/DocsExample.cs; copy the region into the docs.");
    }

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
