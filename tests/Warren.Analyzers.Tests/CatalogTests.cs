using System;
using System.IO;
using System.Linq;
using System.Runtime.CompilerServices;
using Xunit;

namespace Warren.Analyzers.Tests;

/// <summary>Every diagnostic is documented and release-tracked, with a unique id and a help link to its page.</summary>
public sealed class CatalogTests
{
    private static readonly string Root = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(ThisFile())!, "..", ".."));

    /// <summary>The analyzers' diagnostics, then those the generator reports itself (their ids continue the catalogue).</summary>
    private static readonly Microsoft.CodeAnalysis.DiagnosticDescriptor[] All = [.. DiagnosticDescriptors.All, .. Generators.GeneratorDiagnostics.All];

    public static TheoryData<string> Ids => new(All.Select(d => d.Id));

    [Fact]
    public void Ids_are_unique_and_sequential()
    {
        var ids = All.Select(d => d.Id).ToList();
        Assert.Equal(ids.Count, ids.Distinct().Count());
        Assert.Equal(Enumerable.Range(1, ids.Count).Select(i => $"WRN{i:000}"), ids);
    }

    [Theory]
    [MemberData(nameof(Ids))]
    public void Each_diagnostic_has_a_docs_page_with_the_four_sections(string id)
    {
        var page = Path.Combine(Root, "docs", "diagnostics", id + ".md");
        Assert.True(File.Exists(page), $"{page} is missing");
        var text = File.ReadAllText(page);
        Assert.StartsWith($"# {id}:", text, StringComparison.Ordinal);
        foreach (var section in new[] { "## What it means", "## Why it matters on the broker", "## How to fix", "## Example" })
        {
            Assert.Contains(section, text, StringComparison.Ordinal);
        }

        var descriptor = All.Single(d => d.Id == id);
        Assert.Equal($"{DiagnosticDescriptors.HelpLinkBase}{id}.md", descriptor.HelpLinkUri);
        Assert.True(Uri.TryCreate(descriptor.HelpLinkUri, UriKind.Absolute, out var link) && link.Scheme == Uri.UriSchemeHttps, descriptor.HelpLinkUri);
    }

    [Fact]
    public void Rules_judged_at_compilation_end_carry_the_compilation_end_tag_and_no_others_do()
    {
        var atEnd = new CompilationRulesAnalyzer().SupportedDiagnostics;
        var perSymbol = new SymbolRulesAnalyzer().SupportedDiagnostics;

        Assert.All(atEnd, d => Assert.Contains(Microsoft.CodeAnalysis.WellKnownDiagnosticTags.CompilationEnd, d.CustomTags));
        Assert.All(perSymbol, d => Assert.DoesNotContain(Microsoft.CodeAnalysis.WellKnownDiagnosticTags.CompilationEnd, d.CustomTags));
        Assert.Equal(
            DiagnosticDescriptors.All.Select(d => d.Id).Order(StringComparer.Ordinal),
            atEnd.Concat(perSymbol).Select(d => d.Id).Distinct().Order(StringComparer.Ordinal));
    }

    /// <summary>The generator reports its own diagnostics (a build with analyzers off still shows them); no analyzer reports them too.</summary>
    [Fact]
    public void Diagnostics_the_generator_reports_are_not_the_analyzers_and_link_to_the_same_pages()
    {
        var analyzers = new CompilationRulesAnalyzer().SupportedDiagnostics.Concat(new SymbolRulesAnalyzer().SupportedDiagnostics).Select(d => d.Id).ToHashSet(StringComparer.Ordinal);
        Assert.All(Generators.GeneratorDiagnostics.All, d => Assert.DoesNotContain(d.Id, analyzers));
        Assert.Equal(DiagnosticDescriptors.HelpLinkBase, Generators.GeneratorDiagnostics.HelpLinkBase);
    }

    [Fact]
    public void The_help_link_base_is_the_one_contributing_names()
    {
        var contributing = File.ReadAllText(Path.Combine(Root, "CONTRIBUTING.md"));
        Assert.Contains(DiagnosticDescriptors.HelpLinkBase, contributing, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Ids))]
    public void Each_diagnostic_is_release_tracked_with_its_category_and_severity(string id)
    {
        var descriptor = All.Single(d => d.Id == id);
        var project = DiagnosticDescriptors.All.Contains(descriptor) ? Path.Combine("analyzers", "Warren.Analyzers") : Path.Combine("generators", "Warren.Generators");
        var releases = File.ReadAllText(Path.Combine(Root, project, "AnalyzerReleases.Unshipped.md"))
            + File.ReadAllText(Path.Combine(Root, project, "AnalyzerReleases.Shipped.md"));

        Assert.Contains($"{id} | {descriptor.Category} | {descriptor.DefaultSeverity} |", releases, StringComparison.Ordinal);
    }

    [Fact]
    public void The_diagnostics_index_lists_every_id()
    {
        var index = File.ReadAllText(Path.Combine(Root, "docs", "diagnostics", "README.md"));
        Assert.All(All, d => Assert.Contains(d.Id, index, StringComparison.Ordinal));
    }

    private static string ThisFile([CallerFilePath] string path = "") => path;
}
