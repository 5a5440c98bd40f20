using System;
using System.IO;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Threading.Tasks;
using Xunit;

namespace Warren.Analyzers.Tests;

/// <summary>The samples are written the way we tell users to write code: Warren reports nothing on them.</summary>
public sealed class SampleTests
{
    [Fact]
    public async Task The_demo_sample_has_no_warren_diagnostics()
    {
        var folder = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(ThisFile())!, "..", "..", "samples", "Warren.Demo"));
        var sources = Directory.GetFiles(folder, "*.cs").Order(StringComparer.Ordinal).Select(File.ReadAllText).ToArray();
        Assert.NotEmpty(sources);

        var diagnostics = await AnalyzerHarness.SolutionDiagnosticsAsync(sources);

        Assert.Empty(diagnostics.Where(d => d.Id.StartsWith("WRN", StringComparison.Ordinal)).Select(d => d.ToString()));
    }

    private static string ThisFile([CallerFilePath] string path = "") => path;
}
