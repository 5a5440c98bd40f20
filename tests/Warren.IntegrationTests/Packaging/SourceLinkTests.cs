using System;
using System.Collections.Generic;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using System.Text;
using System.Text.Json;
using System.Threading.Tasks;
using System.Xml.Linq;
using Xunit;
using Xunit.Abstractions;

namespace Warren.IntegrationTests.Packaging;

/// <summary>
/// Source Link with a remote the SDK knows. The repository under test may be a clone of a local folder (then the package
/// has no Source Link, which <see cref="PackageContentTests"/> accepts), so this builds a small library with Warren's own
/// build settings (Directory.Build.props, copied) in a fresh git repository whose <c>origin</c> is on GitHub, as CI does
/// (<c>CI=true</c>), and checks what a debugger and NuGet read: the PDB maps <c>/_/*</c> to the raw files of that commit,
/// and the package names the repository, its commit and the project URL. The SDK's Source Link needs no network.
/// </summary>
public sealed class SourceLinkTests(ITestOutputHelper output)
{
    private static readonly Guid SourceLinkKind = new("CC110556-A091-4D38-9FEC-25AB9A351A6A");
    private const string Remote = "https://github.com/warren-example/warren.git";

    [Fact]
    public async Task A_ci_build_of_a_clone_with_a_github_remote_maps_every_source_to_that_commit()
    {
        var root = PackedPackage.RepositoryRoot;
        var work = Directory.CreateTempSubdirectory("warren-sourcelink-");
        try
        {
            foreach (var file in new[] { "Directory.Build.props", "Directory.Packages.props", "global.json", "nuget.config" })
            {
                File.Copy(Path.Combine(root, file), Path.Combine(work.FullName, file));
            }

            var project = Directory.CreateDirectory(Path.Combine(work.FullName, "src", "Tiny")).FullName;   // under src/: the package settings apply
            await File.WriteAllTextAsync(Path.Combine(project, "Tiny.csproj"), """
                <Project Sdk="Microsoft.NET.Sdk">
                  <PropertyGroup>
                    <TargetFramework>net10.0</TargetFramework>
                    <IsPackable>true</IsPackable>
                    <PackageId>Tiny</PackageId>
                    <Description>Source Link test library.</Description>
                  </PropertyGroup>
                </Project>
                """);
            await File.WriteAllTextAsync(Path.Combine(project, "Greeter.cs"), """
                namespace Tiny;

                /// <summary>Says hello.</summary>
                public static class Greeter
                {
                    /// <summary>The greeting.</summary>
                    public static string Hello(string name) => "hello " + name;
                }
                """);

            var environment = new Dictionary<string, string>
            {
                ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1",
                ["DOTNET_NOLOGO"] = "1",
                ["GIT_CONFIG_NOSYSTEM"] = "1",
                ["CI"] = "true",
            };
            await Step("git", ["init", "-q", "-b", "main"]);
            await Step("git", ["add", "-A"]);
            await Step("git", ["-c", "user.name=test", "-c", "user.email=test@example.org", "commit", "-q", "-m", "tiny"]);
            await Step("git", ["remote", "add", "origin", Remote]);
            var commit = (await Step("git", ["rev-parse", "HEAD"])).Trim();
            await Step("dotnet", ["pack", "src/Tiny", "-c", "Release", "-o", "out", "-p:CI=true", "-nologo"], TimeSpan.FromMinutes(4));

            var nupkg = Directory.GetFiles(Path.Combine(work.FullName, "out"), "Tiny.*.nupkg").Single();
            using var zip = ZipFile.OpenRead(nupkg);
            using (var dll = new MemoryStream())
            {
                await using (var entry = zip.GetEntry("lib/net10.0/Tiny.dll")!.Open())
                {
                    await entry.CopyToAsync(dll);
                }

                dll.Position = 0;
                using var pe = new PEReader(dll);
                var embedded = pe.ReadDebugDirectory().Single(d => d.Type == DebugDirectoryEntryType.EmbeddedPortablePdb);
                using var provider = pe.ReadEmbeddedPortablePdbDebugDirectoryData(embedded);
                var pdb = provider.GetMetadataReader();
                var sourceLink = pdb.GetCustomDebugInformation(EntityHandle.ModuleDefinition)
                    .Select(pdb.GetCustomDebugInformation)
                    .Where(c => pdb.GetGuid(c.Kind) == SourceLinkKind)
                    .Select(c => Encoding.UTF8.GetString(pdb.GetBlobBytes(c.Value)))
                    .SingleOrDefault();
                output.WriteLine($"Source Link: {sourceLink}");
                Assert.NotNull(sourceLink);
                var documents = JsonDocument.Parse(sourceLink).RootElement.GetProperty("documents");
                var map = documents.EnumerateObject().Select(p => (p.Name, Url: p.Value.GetString())).Single();
                Assert.Equal("/_/*", map.Name);
                Assert.Equal($"https://raw.githubusercontent.com/warren-example/warren/{commit}/*", map.Url);
                var names = pdb.Documents.Select(h => pdb.GetString(pdb.GetDocument(h).Name)).ToList();
                Assert.Contains("/_/src/Tiny/Greeter.cs", names);
                Assert.All(names, n => Assert.StartsWith("/_/", n, StringComparison.Ordinal));
            }

            var nuspecEntry = zip.Entries.Single(e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal));
            XDocument nuspec;
            await using (var stream = nuspecEntry.Open())
            {
                nuspec = XDocument.Load(stream);
            }

            var metadata = nuspec.Root!.Elements().Single(e => e.Name.LocalName == "metadata");
            output.WriteLine(metadata.ToString());
            var repository = metadata.Elements().Single(e => e.Name.LocalName == "repository");
            Assert.Equal("git", repository.Attribute("type")?.Value);
            Assert.Equal(Remote, repository.Attribute("url")?.Value);
            Assert.Equal(commit, repository.Attribute("commit")?.Value);
            Assert.Equal("https://github.com/warren-example/warren", metadata.Elements().SingleOrDefault(e => e.Name.LocalName == "projectUrl")?.Value);

            async Task<string> Step(string file, string[] arguments, TimeSpan? timeout = null)
            {
                var result = await Run.ProcessAsync(file, arguments, work.FullName, environment, timeout ?? TimeSpan.FromSeconds(30));
                Assert.True(result.ExitCode == 0, $"{file} {string.Join(' ', arguments)} failed ({result.ExitCode}):\n{result.Output}");
                return result.Output;
            }
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }
}
