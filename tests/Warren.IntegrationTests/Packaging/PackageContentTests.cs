using System;
using System.Collections.Generic;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using System.Text;
using System.Threading.Tasks;
using System.Xml.Linq;
using Xunit;
using Xunit.Abstractions;

namespace Warren.IntegrationTests.Packaging;

/// <summary>
/// What users get from the package besides code: symbols embedded in every dll with their sources (so a debugger steps
/// into Warren without a symbol server), no path of the machine that built it, readme and release notes.
/// </summary>
public sealed class PackageContentTests(PackedPackage packed, ITestOutputHelper output) : IClassFixture<PackedPackage>
{
    private static readonly Guid EmbeddedSourceKind = new("0E8A571B-6926-466E-B4AD-8AB04611F5FE");
    private static readonly Guid SourceLinkKind = new("CC110556-A091-4D38-9FEC-25AB9A351A6A");

    /// <summary>The hosts the .NET SDK's built-in Source Link maps sources for.</summary>
    private static readonly string[] SourceLinkHosts = ["github.com", "gitlab.com", "bitbucket.org", "dev.azure.com", "visualstudio.com"];

    [Fact]
    public async Task Every_dll_embeds_its_symbols_and_sources_and_a_ci_build_names_no_build_machine_path()
    {
        output.WriteLine(packed.Origin);
        var root = PackedPackage.RepositoryRoot;
        // Source Link needs the repository's public URL, which the SDK reads from the git remote "origin".
        // The SDK maps sources only for the hosts it knows; a clone of a local folder or of another host gets none.
        var remote = await Run.ProcessAsync("git", ["remote", "get-url", "origin"], root, new Dictionary<string, string>(), TimeSpan.FromSeconds(20));
        var hasRemote = remote.ExitCode == 0 && SourceLinkHosts.Any(host => remote.Output.Contains(host, StringComparison.OrdinalIgnoreCase));
        using var zip = ZipFile.OpenRead(packed.Path);
        Assert.Equal(
            ["analyzers/dotnet/cs/Warren.Analyzers.dll", "analyzers/dotnet/cs/Warren.CodeFixes.dll", "analyzers/dotnet/cs/Warren.Generators.dll", "lib/net10.0/Warren.dll",
             "tools/manifest/RabbitMQ.Client.dll", "tools/manifest/System.Threading.RateLimiting.dll", "tools/manifest/Warren.Manifest.dll"],
            zip.Entries.Where(e => e.FullName.EndsWith(".dll", StringComparison.Ordinal)).Select(e => e.FullName).Order(StringComparer.Ordinal));
        // The build steps and the tool they run (its dependencies beside it are other projects' packages, built elsewhere).
        Assert.Contains(zip.Entries, e => e.FullName == "build/Warren.targets");
        Assert.Contains(zip.Entries, e => e.FullName == "buildTransitive/Warren.targets");
        Assert.Contains(zip.Entries, e => e.FullName == "tools/manifest/Warren.Manifest.runtimeconfig.json");
        var dlls = zip.Entries.Where(e => e.FullName.EndsWith(".dll", StringComparison.Ordinal) && System.IO.Path.GetFileName(e.FullName).StartsWith("Warren", StringComparison.Ordinal)).ToArray();
        Assert.DoesNotContain(zip.Entries, e => e.FullName.EndsWith(".pdb", StringComparison.Ordinal));

        foreach (var entry in dlls)
        {
            var bytes = Read(entry);
            using var pe = new PEReader(new MemoryStream(bytes));
            var debug = pe.ReadDebugDirectory();
            var embedded = debug.Where(d => d.Type == DebugDirectoryEntryType.EmbeddedPortablePdb).ToArray();
            Assert.True(embedded.Length == 1, $"{entry.FullName} has no embedded portable PDB");
            var codeView = pe.ReadCodeViewDebugDirectoryData(debug.Single(d => d.Type == DebugDirectoryEntryType.CodeView));
            using var provider = pe.ReadEmbeddedPortablePdbDebugDirectoryData(embedded[0]);
            var pdb = provider.GetMetadataReader();
            var documents = pdb.Documents.Select(h => (Handle: h, Name: pdb.GetString(pdb.GetDocument(h).Name))).ToArray();
            var withSource = documents.Count(d => pdb.GetCustomDebugInformation(d.Handle).Any(c => pdb.GetGuid(pdb.GetCustomDebugInformation(c).Kind) == EmbeddedSourceKind));
            var sourceLink = pdb.GetCustomDebugInformation(EntityHandle.ModuleDefinition).Any(c => pdb.GetGuid(pdb.GetCustomDebugInformation(c).Kind) == SourceLinkKind);
            output.WriteLine($"{entry.FullName}: pdb {codeView.Path}, {documents.Length} documents, {withSource} with embedded source, source link {sourceLink}, e.g. {documents.FirstOrDefault().Name}");

            Assert.NotEmpty(documents);
            Assert.Equal(documents.Length, withSource);
            if (hasRemote)
            {
                Assert.True(sourceLink, $"{entry.FullName} has no Source Link though the repository's remote is on a host Source Link knows");
            }
            if (PackedPackage.IsContinuousIntegrationBuild)
            {
                var unmapped = documents.Where(d => !d.Name.StartsWith("/_/", StringComparison.Ordinal)).Select(d => d.Name).ToArray();
                Assert.True(
                    unmapped.Length == 0,
                    $"{entry.FullName} was not compiled as a CI build: {unmapped.Length} of {documents.Length} source paths are not mapped to /_/, e.g. {unmapped.FirstOrDefault()}. Build with CI=true (tests/test.sh does) before packing");
                Assert.DoesNotContain(root, codeView.Path, StringComparison.Ordinal);
                Assert.False(Contains(bytes, root), $"{entry.FullName} contains the build path {root}");
            }
        }

        if (!PackedPackage.IsContinuousIntegrationBuild)
        {
            output.WriteLine("Not a CI build (CI is not 'true'): source paths are not mapped, so they were not checked.");
        }

        if (!hasRemote)
        {
            output.WriteLine("The repository has no remote 'origin' on a host Source Link knows: no Source Link expected (sources are embedded).");
        }
    }

    [Fact]
    public void The_package_describes_itself_with_readme_icon_release_notes_license_and_commit()
    {
        using var zip = ZipFile.OpenRead(packed.Path);
        var nuspecEntry = zip.Entries.Single(e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal));
        var nuspec = XDocument.Load(new MemoryStream(Read(nuspecEntry)));
        var metadata = nuspec.Root!.Elements().Single(e => e.Name.LocalName == "metadata");
        string? Value(string name) => metadata.Elements().SingleOrDefault(e => e.Name.LocalName == name)?.Value;
        output.WriteLine(metadata.ToString());

        Assert.Equal("README.md", Value("readme"));
        Assert.NotNull(zip.GetEntry("README.md"));
        Assert.Contains("0.1", Value("releaseNotes") ?? string.Empty, StringComparison.Ordinal);
        Assert.Equal("icon.png", Value("icon"));
        var icon = Read(zip.GetEntry("icon.png") ?? throw new Xunit.Sdk.XunitException("the package has no icon.png"));
        Assert.True(icon.AsSpan().StartsWith((byte[])[0x89, (byte)'P', (byte)'N', (byte)'G']), "icon.png is not a PNG image");
        Assert.Equal("MIT", Value("license"));
        var repository = metadata.Elements().Single(e => e.Name.LocalName == "repository");
        Assert.Matches("^[0-9a-f]{40}$", repository.Attribute("commit")?.Value ?? string.Empty);
    }

    private static byte[] Read(ZipArchiveEntry entry)
    {
        using var stream = entry.Open();
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    private static bool Contains(byte[] bytes, string text) =>
        bytes.AsSpan().IndexOf(Encoding.UTF8.GetBytes(text)) >= 0 || bytes.AsSpan().IndexOf(Encoding.Unicode.GetBytes(text)) >= 0;
}
