extern alias tool;

using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Threading.Tasks;
using tool::Warren.Manifest;
using Xunit;
using Xunit.Abstractions;

namespace Warren.Tests.SystemCheck;

/// <summary>
/// The WarrenCheck target of <c>src/Warren/build/Warren.targets</c>, run by MSBuild on services whose manifests are
/// written by the test: a failed check shows its WRS errors and nothing else (no MSB3073 about the tool's exit code).
/// </summary>
public sealed class SystemCheckTargetsTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("warren-check-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task A_system_check_that_finds_errors_fails_the_build_with_only_its_wrs_errors()
    {
        Service("shop", new ExchangeEntry("orders", "topic"));
        Service("warehouse", new ExchangeEntry("orders", "direct"));

        var (exitCode, text) = await BuildAsync("shop", "warehouse");

        Assert.NotEqual(0, exitCode);
        var errors = text.Split('\n').Where(l => l.Contains(": error ", StringComparison.Ordinal)).ToArray();
        var error = Assert.Single(errors);
        Assert.Contains("warren : error WRS001: ", error, StringComparison.Ordinal);
        Assert.Contains("'orders'", error, StringComparison.Ordinal);
        Assert.DoesNotContain("MSB3073", text, StringComparison.Ordinal);
        Assert.DoesNotContain("error MSB", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_check_that_cannot_read_a_manifest_fails_the_build_with_only_wrs000()
    {
        Service("shop", new ExchangeEntry("orders", "topic"));
        File.WriteAllText(Path.Combine(_root, "warehouse.proj"), Project("warehouse"));

        var (exitCode, text) = await BuildAsync("shop", "warehouse");

        Assert.NotEqual(0, exitCode);
        var error = Assert.Single(text.Split('\n'), l => l.Contains(": error ", StringComparison.Ordinal));
        Assert.Contains("warren : error WRS000: ", error, StringComparison.Ordinal);
        Assert.Contains("does not exist", error, StringComparison.Ordinal);
        Assert.DoesNotContain("error MSB", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_clean_system_builds()
    {
        Service("shop", new ExchangeEntry("orders", "topic"));
        Service("warehouse", new ExchangeEntry("orders", "topic"));

        var (exitCode, text) = await BuildAsync("shop", "warehouse");

        Assert.Equal(0, exitCode);
        Assert.DoesNotContain(": error ", text, StringComparison.Ordinal);
        Assert.Contains("Warren system check: 0 error(s)", text, StringComparison.Ordinal);
    }

    /// <summary>A service project whose Build returns bin/name.dll, and its manifest beside it in bin/warren/.</summary>
    private void Service(string name, ExchangeEntry exchange)
    {
        File.WriteAllText(Path.Combine(_root, name + ".proj"), Project(name));
        var manifest = new ServiceManifest { Service = name, Kind = "service" };
        manifest.Exchanges.Add(exchange);
        var directory = Directory.CreateDirectory(Path.Combine(_root, "bin", name, "warren")).FullName;
        File.WriteAllText(Path.Combine(directory, "manifest.json"), JsonSerializer.Serialize(manifest, ManifestJson.Default.ServiceManifest));
    }

    private static string Project(string name) =>
        $"""<Project><Target Name="Build" Returns="$(MSBuildThisFileDirectory)bin/{name}/{name}.dll" /></Project>""";

    private async Task<(int ExitCode, string Output)> BuildAsync(params string[] services)
    {
        var system = Path.Combine(_root, "system.proj");
        File.WriteAllText(system, $"""
            <Project>
              <PropertyGroup>
                <WarrenManifestTool>{Path.Combine(AppContext.BaseDirectory, "Warren.Manifest.dll")}</WarrenManifestTool>
                <OutDir>{_root}/out/</OutDir>
              </PropertyGroup>
              <ItemGroup>
                <WarrenService Include="{string.Join(";", services.Select(s => s + ".proj"))}" />
              </ItemGroup>
              <Target Name="Build" />
              <Import Project="{Targets()}" />
            </Project>
            """);
        var start = new ProcessStartInfo("dotnet", ["msbuild", system, "-nologo", "-v:m", "-nodeReuse:false", "-t:Build"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = _root,
        };
        start.Environment["MSBUILDTERMINALLOGGER"] = "off";
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(3));
        var text = (await stdout) + (await stderr);
        output.WriteLine(text);
        return (process.ExitCode, text.Replace("\r", string.Empty, StringComparison.Ordinal));
    }

    private static string Targets()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var targets = Path.Combine(directory.FullName, "src", "Warren", "build", "Warren.targets");
            if (File.Exists(targets))
            {
                return targets;
            }
        }

        throw new InvalidOperationException("src/Warren/build/Warren.targets not found above " + AppContext.BaseDirectory);
    }
}
