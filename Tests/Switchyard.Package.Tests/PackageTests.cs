using System.Diagnostics;
using System.IO.Compression;
using System.Reflection;
using System.Text.RegularExpressions;
using Xunit;

namespace Switchyard.Package.Tests;

/// <summary>
/// The Switchyard package as a user gets it: packed from this build, restored from a local folder feed into a fresh
/// project outside the solution, which builds (the generator writes its code, the analyzers report) and runs.
/// </summary>
public sealed class PackageTests : IDisposable
{
    private readonly string _work = Path.Combine(Path.GetTempPath(), "switchyard-package-" + Guid.NewGuid().ToString("N"));
    private readonly string _version = "0.1.0-test." + Guid.NewGuid().ToString("N")[..12];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose()
    {
        if (Directory.Exists(_work))
        {
            Directory.Delete(_work, recursive: true);
        }

        // The restore cached this one-off version; leave the machine as it was.
        var cached = Path.Combine(Environment.GetEnvironmentVariable("NUGET_PACKAGES") ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages"), "switchyard", _version);
        if (Directory.Exists(cached))
        {
            Directory.Delete(cached, recursive: true);
        }
    }

    [Fact]
    public async Task The_package_carries_the_runtime_for_net10_0_only_and_the_compiler_plug_ins()
    {
        var package = await PackAsync();

        using var archive = ZipFile.OpenRead(package);
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
        Assert.Contains($"<dependency id=\"Switchyard.Server\" version=\"{_version}\" include=\"All\" />", await NuspecAsync("Switchyard.AspNetCore"), StringComparison.Ordinal);
        Assert.Contains($"<dependency id=\"Switchyard\" version=\"{_version}\" include=\"All\" />", await NuspecAsync("Switchyard.Server"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_fresh_project_restores_the_package_builds_with_its_global_using_the_generated_code_and_its_TypeScript_module_and_sees_SWY1001()
    {
        var feed = Path.GetDirectoryName(await PackAsync())!;
        var app = Path.Combine(_work, "app");
        Directory.CreateDirectory(app);
        await File.WriteAllTextAsync(Path.Combine(app, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <add key="switchyard-local" value="{feed}" />
              </packageSources>
            </configuration>
            """, Ct);
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
                <PackageReference Include="Switchyard" Version="{_version}" />
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

        var build = await RunAsync(app, "build", "-nologo");
        Assert.True(build.ExitCode == 0, build.Output);
        Assert.True(build.Output.Contains("Program.cs(22,20): warning SWY1001: 'Task.Result' blocks a thread inside async consumer code", StringComparison.Ordinal), build.Output);

        // The package's build target wrote the TypeScript module the project asked for.
        var module = await File.ReadAllTextAsync(Path.Combine(app, "client", "switchyard.generated.ts"), Ct);
        Assert.Contains("export interface Ping {\n    type: \"ping\";\n    value: number;\n}", module, StringComparison.Ordinal);

        var run = await RunAsync(app, "run", "--no-build");
        Assert.True(run.ExitCode == 0, run.Output);
        Assert.Contains("handled 42", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Dotnet_pack_at_the_repository_root_makes_every_shipped_package_and_skips_the_rest()
    {
        var metadata = typeof(PackageTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().ToDictionary(a => a.Key, a => a.Value!);
        var output = Path.Combine(_work, "root-pack");

        // As a user types it at the root (the solution), on the build this run already made.
        var pack = await RunAsync(metadata["RepositoryRoot"], "pack", "--no-build", "-c", metadata["Configuration"], "-o", output, "-nologo");

        Assert.True(pack.ExitCode == 0, pack.Output);
        Assert.Equal(
            ["Switchyard", "Switchyard.AspNetCore", "Switchyard.Client", "Switchyard.Ipc", "Switchyard.Redis", "Switchyard.Server", "Switchyard.Testing", "Switchyard.Worker"],
            Directory.GetFiles(output, "*.nupkg").Select(f => Regex.Replace(Path.GetFileName(f), @"\.\d+\.\d+\.\d+.*\.nupkg$", string.Empty)).Order(StringComparer.Ordinal));
    }

    private async Task<string> NuspecAsync(string name)
    {
        using var archive = ZipFile.OpenRead(await PackAsync(name));
        using var nuspec = new StreamReader(archive.GetEntry(name + ".nuspec")!.Open());
        return await nuspec.ReadToEndAsync(Ct);
    }

    // Packs the runtime as it was just built (no rebuild), under a one-off version so no cached package is used.
    private async Task<string> PackAsync(string name = "Switchyard")
    {
        var metadata = typeof(PackageTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().ToDictionary(a => a.Key, a => a.Value!);
        var feed = Path.Combine(_work, "feed");
        var project = Path.Combine(metadata["RepositoryRoot"], "Runtime", name, name + ".csproj");
        var pack = await RunAsync(_work, "pack", project, "--no-build", "-c", metadata["Configuration"], "-o", feed, $"-p:PackageVersion={_version}", "-nologo");
        Assert.True(pack.ExitCode == 0, pack.Output);
        return Path.Combine(feed, $"{name}.{_version}.nupkg");
    }

    private static async Task<(int ExitCode, string Output)> RunAsync(string directory, params string[] arguments)
    {
        Directory.CreateDirectory(directory);
        var start = new ProcessStartInfo("dotnet", arguments) { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true };
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync(Ct);
        var stderr = process.StandardError.ReadToEndAsync(Ct);
        await process.WaitForExitAsync(Ct).WaitAsync(TimeSpan.FromMinutes(5), Ct);
        return (process.ExitCode, await stdout + await stderr);
    }
}
