using System.Diagnostics;
using Xunit;

namespace Switchyard.Analyzers.Tests;

/// <summary>The rules show up, with their IDs, in a plain <c>dotnet build</c> of a project that uses the analyzers.</summary>
/// <remarks>
/// Not on the testing packages' verifiers: those run the analyzers in a workspace; this test is about the analyzer
/// assembly loading in the SDK's compiler and reporting through MSBuild, which only a real build shows.
/// </remarks>
public sealed class BuildIntegrationTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "switchyard-analyzers-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    [Fact]
    public async Task A_dotnet_build_reports_the_rules_with_their_ids_and_locations()
    {
        Directory.CreateDirectory(_directory);
        var output = AppContext.BaseDirectory;
        var references = string.Concat(
            Directory.GetFiles(output, "*.dll")
                .Where(path => Path.GetFileName(path) is "Switchyard.dll" || Path.GetFileName(path).StartsWith("Microsoft.Extensions.", StringComparison.Ordinal))
                .Select(path => $"""<Reference Include="{Path.GetFileNameWithoutExtension(path)}"><HintPath>{path}</HintPath></Reference>"""));
        await File.WriteAllTextAsync(Path.Combine(_directory, "App.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <TargetFramework>net10.0</TargetFramework>
                <Nullable>enable</Nullable>
                <ImplicitUsings>enable</ImplicitUsings>
              </PropertyGroup>
              <ItemGroup>
                {references}
                <Analyzer Include="{Path.Combine(output, "Switchyard.Analyzers.dll")}" />
              </ItemGroup>
            </Project>
            """, TestContext.Current.CancellationToken);
        await File.WriteAllTextAsync(Path.Combine(_directory, "Worker.cs"), """
            using Switchyard;

            public sealed class Worker : ChannelConsumer
            {
                public async Task Handle(int job, CancellationToken cancellationToken)
                {
                    Thread.Sleep(100);
                    Later();
                    await JoinGroupAsync("night shift", cancellationToken);
                }

                private static Task Later() => Task.CompletedTask;
            }
            """, TestContext.Current.CancellationToken);

        var start = new ProcessStartInfo("dotnet", ["build", "-nologo", "-v", "quiet"]) { WorkingDirectory = _directory, RedirectStandardOutput = true, RedirectStandardError = true };
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        using var build = Process.Start(start)!;
        var stdout = build.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var stderr = build.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await build.WaitForExitAsync(TestContext.Current.CancellationToken).WaitAsync(TimeSpan.FromMinutes(3), TestContext.Current.CancellationToken);
        var text = await stdout + await stderr;

        Assert.Contains("Worker.cs(7,9): warning SWY1001: 'Thread.Sleep' blocks a thread inside async consumer code", text, StringComparison.Ordinal);
        Assert.Contains("Worker.cs(8,9): warning SWY1003:", text, StringComparison.Ordinal);
        Assert.Contains("Worker.cs(9,30): error SWY1004: Group name 'night shift' is invalid", text, StringComparison.Ordinal);
        Assert.NotEqual(0, build.ExitCode);
    }
}
