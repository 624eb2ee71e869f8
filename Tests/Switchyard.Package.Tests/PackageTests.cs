using System.IO.Compression;
using System.Text.RegularExpressions;
using Xunit;

namespace Switchyard.Package.Tests;

/// <summary>
/// The Switchyard package as a user gets it: packed from this build, restored from a local folder feed into a fresh
/// project outside the solution, which builds (the generator writes its code, the analyzers report) and runs.
/// </summary>
[Collection(PackagesCollection.Name)]
public sealed class PackageTests(PackedFeed feed) : IDisposable
{
    private readonly ScratchDirectory _scratch = new("package");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private string Work => _scratch.Path;

    public void Dispose() => _scratch.Dispose();

    [Fact]
    public void The_package_carries_the_runtime_for_net10_0_only_and_the_compiler_plug_ins()
    {
        using var archive = ZipFile.OpenRead(feed.PackagePath("Switchyard"));
        var entries = archive.Entries.Select(e => e.FullName).ToHashSet();
        Assert.All(entries.Where(e => e.StartsWith("lib/", StringComparison.Ordinal)), e => Assert.StartsWith("lib/net10.0/", e, StringComparison.Ordinal));
        Assert.Contains("lib/net10.0/Switchyard.dll", entries);
        Assert.Contains("lib/net10.0/Switchyard.xml", entries);
        Assert.Contains("analyzers/dotnet/cs/Switchyard.Generators.dll", entries);
        Assert.Contains("analyzers/dotnet/cs/Switchyard.Analyzers.dll", entries);
        Assert.Contains("analyzers/dotnet/cs/Switchyard.Analyzers.CodeFixes.dll", entries);
        Assert.Contains("README.md", entries);
        Assert.Contains("build/Switchyard.targets", entries);
        Assert.Contains("buildTransitive/Switchyard.targets", entries);
    }

    [Fact]
    public async Task The_server_package_depends_on_Switchyard_with_its_analyzers_so_the_generator_comes_along()
    {
        // Switchyard.AspNetCore -> Switchyard.Server -> Switchyard, each with include="All" (analyzers included).
        Assert.Contains($"<dependency id=\"Switchyard.Server\" version=\"{feed.Version}\" include=\"All\" />", await NuspecAsync("Switchyard.AspNetCore"), StringComparison.Ordinal);
        Assert.Contains($"<dependency id=\"Switchyard\" version=\"{feed.Version}\" include=\"All\" />", await NuspecAsync("Switchyard.Server"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_fresh_project_restores_the_package_builds_with_its_global_using_the_generated_code_and_its_TypeScript_module_and_sees_SWY1001()
    {
        var app = Path.Combine(Work, "app");
        Directory.CreateDirectory(app);
        await feed.WriteNuGetConfigAsync(app);
        await File.WriteAllTextAsync(Path.Combine(app, "App.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <Nullable>enable</Nullable>
                <ImplicitUsings>enable</ImplicitUsings>
                <SwitchyardTypeScriptOutput>client/switchyard.generated.ts</SwitchyardTypeScriptOutput>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="Switchyard" Version="{feed.Version}" />
              </ItemGroup>
            </Project>
            """, Ct);
        // No `using Switchyard;`: the package's global using (ImplicitUsings) brings it.
        await File.WriteAllTextAsync(Path.Combine(app, "Program.cs"), """
            // The runner refuses a consumer without its generated dispatcher, and ChannelMessage.Create needs the
            // generated serializer: this runs only if the package's generator wrote its code.
            var layer = new InMemoryChannelLayer(new ChannelLayerOptions());
            var consumer = new Echo();
            var runner = new ConsumerRunner(consumer, new ConsumerScope("jobs.echo"), layer);
            var running = runner.RunAsync();
            await layer.SendAsync("jobs.echo", ChannelMessage.Create(new Ping(41)));
            Console.WriteLine($"handled {await consumer.Result.Task}");
            runner.Stop();
            await running;

            [Message("ping")]
            public sealed partial record Ping(int Value);

            [ChannelConsumer("jobs.echo")]
            public sealed partial class Echo : ChannelConsumer
            {
                public TaskCompletionSource<int> Result { get; } = new();

                public async ValueTask Handle(Ping ping, CancellationToken cancellationToken)
                {
                    var next = Task.FromResult(ping.Value + 1).Result;
                    Result.TrySetResult(next);
                    await Task.Yield();
                }
            }
            """, Ct);

        var build = await Dotnet.RunAsync(app, ["build", "-nologo"]);
        Assert.True(build.ExitCode == 0, build.Output);
        Assert.True(build.Output.Contains("Program.cs(22,20): warning SWY1001: 'Task.Result' blocks a thread inside async consumer code", StringComparison.Ordinal), build.Output);

        // The package's build target wrote the TypeScript module the project asked for.
        var module = await File.ReadAllTextAsync(Path.Combine(app, "client", "switchyard.generated.ts"), Ct);
        Assert.Contains("export interface Ping {\n    type: \"ping\";\n    value: number;\n}", module, StringComparison.Ordinal);

        var run = await Dotnet.RunAsync(app, ["run", "--no-build"]);
        Assert.True(run.ExitCode == 0, run.Output);
        Assert.Contains("handled 42", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void Dotnet_pack_at_the_repository_root_makes_every_shipped_package_and_skips_the_rest()
    {
        // The feed is that pack (PackedFeed: at the root, on the build this run already made).
        Assert.Equal(
            ["Switchyard", "Switchyard.AspNetCore", "Switchyard.Client", "Switchyard.Ipc", "Switchyard.Redis", "Switchyard.Server", "Switchyard.Templates", "Switchyard.Testing", "Switchyard.Worker"],
            Directory.GetFiles(feed.FeedDirectory, "*.nupkg").Select(f => Regex.Replace(Path.GetFileName(f), @"\.\d+\.\d+\.\d+.*\.nupkg$", string.Empty)).Order(StringComparer.Ordinal));
    }

    private async Task<string> NuspecAsync(string name)
    {
        using var archive = ZipFile.OpenRead(feed.PackagePath(name));
        using var nuspec = new StreamReader(archive.GetEntry(name + ".nuspec")!.Open());
        return await nuspec.ReadToEndAsync(Ct);
    }
}
