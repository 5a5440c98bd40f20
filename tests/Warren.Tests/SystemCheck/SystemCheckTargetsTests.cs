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

    [Fact]
    public async Task A_warning_the_system_project_makes_an_error_fails_the_build()
    {
        Service("shop", new ExchangeEntry("orders", "topic"), s =>
        {
            s.Queues.Add(new QueueEntry("warehouse"));
            s.Bindings.Add(new BindingEntry("orders", "warehouse", "order.*.shipped"));
        });

        var (warnedExit, warned) = await BuildAsync(["shop"]);
        Assert.Equal(0, warnedExit);
        Assert.Contains("warren : warning WRS004: ", warned, StringComparison.Ordinal);

        var (exitCode, text) = await BuildAsync(["shop"], "<MSBuildWarningsAsErrors>WRS004</MSBuildWarningsAsErrors>");

        Assert.NotEqual(0, exitCode);
        Assert.Contains("warren : error WRS004: ", text, StringComparison.Ordinal);
        Assert.DoesNotContain("error MSB", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_check_that_fails_without_reporting_an_error_fails_the_build_with_wrs000()
    {
        Service("shop", new ExchangeEntry("orders", "topic"));
        // Stands in for dotnet: writes a findings project with no finding, and fails. MSBuild's Exec runs the command
        // through cmd on Windows (a batch file stands in) and through sh elsewhere (a shell script).
        string fake;
        if (OperatingSystem.IsWindows())
        {
            fake = Path.Combine(_root, "failing-check.cmd");
            File.WriteAllText(fake, """
                @echo off
                :next
                if "%~1"=="" exit /b 3
                if "%~1"=="--msbuild" >"%~2" echo ^<Project^>^<Target Name="Report" /^>^</Project^>
                shift
                goto next
                """.Replace("\r", string.Empty, StringComparison.Ordinal).Replace("\n", "\r\n", StringComparison.Ordinal));
        }
        else
        {
            fake = Path.Combine(_root, "failing-check.sh");
            File.WriteAllText(fake, """
                #!/bin/sh
                while [ $# -gt 0 ]; do
                  if [ "$1" = "--msbuild" ]; then printf '<Project><Target Name="Report" /></Project>' > "$2"; fi
                  shift
                done
                exit 3
                """.Replace("\r", string.Empty, StringComparison.Ordinal));
            File.SetUnixFileMode(fake, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        var (exitCode, text) = await BuildAsync(["shop"], $"<WarrenDotnet>{fake}</WarrenDotnet>");

        Assert.NotEqual(0, exitCode);
        var error = Assert.Single(text.Split('\n'), l => l.Contains(": error ", StringComparison.Ordinal));
        Assert.Contains("warren : error WRS000: The system check ended with exit code 3 but reported no error", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_system_in_a_folder_with_a_space_is_checked()
    {
        Service("shop", new ExchangeEntry("orders", "topic"));
        Service("warehouse", new ExchangeEntry("orders", "direct"));

        var (exitCode, text) = await BuildAsync(["shop", "warehouse"], properties: string.Empty, outDir: "out dir/with space/");

        Assert.NotEqual(0, exitCode);
        var error = Assert.Single(text.Split('\n'), l => l.Contains(": error ", StringComparison.Ordinal));
        Assert.Contains("warren : error WRS001: ", error, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(_root, "out dir", "with space", "warren", "system.mmd")));
    }

    /// <summary>A service project whose Build returns bin/name.dll, and its manifest beside it in bin/warren/.</summary>
    private void Service(string name, ExchangeEntry exchange, Action<ServiceManifest>? configure = null)
    {
        File.WriteAllText(Path.Combine(_root, name + ".proj"), Project(name));
        var manifest = new ServiceManifest { Service = name, Kind = "service" };
        manifest.Exchanges.Add(exchange);
        configure?.Invoke(manifest);
        var directory = Directory.CreateDirectory(Path.Combine(_root, "bin", name, "warren")).FullName;
        File.WriteAllText(Path.Combine(directory, "manifest.json"), JsonSerializer.Serialize(manifest, ManifestJson.Default.ServiceManifest));
    }

    private static string Project(string name) =>
        $"""<Project><Target Name="Build" Returns="$(MSBuildThisFileDirectory)bin/{name}/{name}.dll" /></Project>""";

    private Task<(int ExitCode, string Output)> BuildAsync(params string[] services) => BuildAsync(services, properties: string.Empty);

    private async Task<(int ExitCode, string Output)> BuildAsync(string[] services, string properties, string outDir = "out/")
    {
        var system = Path.Combine(_root, "system.proj");
        File.WriteAllText(system, $"""
            <Project>
              <PropertyGroup>
                <WarrenManifestTool>{Path.Combine(AppContext.BaseDirectory, "Warren.Manifest.dll")}</WarrenManifestTool>
                <OutDir>{_root}/{outDir}</OutDir>
                {properties}
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
