using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;

namespace Warren.Generators.Tests.Infrastructure;

/// <summary>Runs Warren's generator (and the SDK's System.Text.Json generator) on source text, as a user's build would.</summary>
internal static class GeneratorHarness
{
    public static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Latest);

    private static readonly Lazy<ImmutableArray<MetadataReference>> References = new(LoadReferences);
    private static readonly Lazy<ISourceGenerator?> JsonGenerator = new(SdkJsonGenerator.Load);
    private static int _compilations;

    public static CSharpCompilation Compile(params string[] sources) => Compile(false, sources);

    /// <summary>A user compilation; <paramref name="documentation"/> parses doc comments as a build with a documentation file does.</summary>
    public static CSharpCompilation Compile(bool documentation, params string[] sources) => Compile(documentation, [], sources);

    /// <summary>A user compilation that also references <paramref name="references"/> (libraries built before it).</summary>
    public static CSharpCompilation Compile(bool documentation, IEnumerable<MetadataReference> references, params string[] sources) =>
        Compile("UserAssembly" + System.Threading.Interlocked.Increment(ref _compilations).ToString(System.Globalization.CultureInfo.InvariantCulture), references, documentation, sources);

    /// <summary>A compilation named <paramref name="assemblyName"/> that also references <paramref name="references"/> (libraries built before it).</summary>
    public static CSharpCompilation Compile(string assemblyName, IEnumerable<MetadataReference> references, bool documentation, params string[] sources) =>
        CSharpCompilation.Create(
            assemblyName,
            sources.Select((s, i) => CSharpSyntaxTree.ParseText(s, documentation ? ParseOptions.WithDocumentationMode(DocumentationMode.Diagnose) : ParseOptions, path: $"Source{i}.cs")),
            References.Value.Concat(references),
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable, generalDiagnosticOption: ReportDiagnostic.Default)
                .WithSpecificDiagnosticOptions(NoWarn.Value is { } ids ? ids.Select(Severity) : []));

    /// <summary>An id of <see cref="NoWarn"/>: <c>ID</c> is suppressed, <c>ID:warning</c> lowered to a warning (an .editorconfig severity).</summary>
    private static KeyValuePair<string, ReportDiagnostic> Severity(string id) =>
        id.EndsWith(":warning", StringComparison.Ordinal)
            ? new KeyValuePair<string, ReportDiagnostic>(id.Substring(0, id.Length - ":warning".Length), ReportDiagnostic.Warn)
            : new KeyValuePair<string, ReportDiagnostic>(id, ReportDiagnostic.Suppress);

    /// <summary>
    /// Diagnostic ids the project suppresses (<c>&lt;NoWarn&gt;</c>) in the compilations made on this flow; an id with
    /// <c>:warning</c> is lowered to a warning instead.
    /// </summary>
    public static readonly System.Threading.AsyncLocal<string[]?> NoWarn = new();

    /// <summary>
    /// Builds a library as a real build does (Warren's and the JSON generator run, the result is emitted) and returns it
    /// as a metadata reference for the compilations that reference it. Throws with the diagnostics when it does not compile.
    /// </summary>
    public static MetadataReference BuildLibrary(string assemblyName, string source, params MetadataReference[] references) =>
        MetadataReference.CreateFromImage(BuildLibraryImage(assemblyName, source, references));

    /// <summary>The image of a library built as <see cref="BuildLibrary"/> builds it, to load and run.</summary>
    public static byte[] BuildLibraryImage(string assemblyName, string source, params MetadataReference[] references)
    {
        var compilation = Compile(assemblyName, references, false, source);
        CreateDriver().RunGeneratorsAndUpdateCompilation(compilation, out var output, out _);
        using var image = new MemoryStream();
        var result = WithNullableWarnings(output).Emit(image);
        var problems = result.Diagnostics.Where(d => d.Severity >= DiagnosticSeverity.Warning).ToList();
        if (!result.Success || problems.Count > 0)
        {
            throw new InvalidOperationException($"library {assemblyName} does not build cleanly:\n" + string.Join("\n", problems));
        }

        return image.ToArray();
    }

    /// <summary>
    /// A library as the IDE references a project: its compilation (with its generated sources), not an emitted image,
    /// so that its types keep their syntax.
    /// </summary>
    public static MetadataReference LibraryCompilation(string assemblyName, string source, params MetadataReference[] references)
    {
        var compilation = Compile(assemblyName, references, false, source);
        CreateDriver().RunGeneratorsAndUpdateCompilation(compilation, out var output, out _);
        var problems = output.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning).ToList();
        if (problems.Count > 0)
        {
            throw new InvalidOperationException($"library {assemblyName} does not compile cleanly:\n" + string.Join("\n", problems));
        }

        return output.ToMetadataReference();
    }

    /// <summary>Runs the generators on a compilation referencing libraries built with <see cref="BuildLibrary"/>.</summary>
    public static GeneratorRun Run(string assemblyName, IEnumerable<MetadataReference> references, params string[] sources)
    {
        var compilation = Compile(assemblyName, references, false, sources);
        var driver = CreateDriver().RunGeneratorsAndUpdateCompilation(compilation, out var output, out var diagnostics);
        var warren = driver.GetRunResult().Results.Single(r => r.Generator.GetGeneratorType() == typeof(WarrenGenerator));
        return new GeneratorRun(WithNullableWarnings(output), diagnostics, warren.GeneratedSources.ToDictionary(s => s.HintName, s => s.SourceText.ToString(), StringComparer.Ordinal));
    }

    /// <summary>A driver tracking incremental steps, with the JSON generator when <paramref name="withJson"/>.</summary>
    public static GeneratorDriver CreateDriver(bool withJson = true, CSharpParseOptions? parseOptions = null)
    {
        var generators = new List<ISourceGenerator> { new WarrenGenerator().AsSourceGenerator() };
        if (withJson && JsonGenerator.Value is { } json)
        {
            generators.Add(json);
        }

        return CSharpGeneratorDriver.Create(
            generators,
            parseOptions: parseOptions ?? ParseOptions,
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));
    }

    /// <summary>
    /// The compiler's errors for <paramref name="sources"/> built with System.Text.Json's generator only: what is wrong
    /// with the program whether or not Warren's generator runs.
    /// </summary>
    public static IReadOnlyList<Diagnostic> ErrorsWithoutWarren(bool documentation, params string[] sources) => ErrorsWithoutWarren(documentation, [], sources);

    /// <inheritdoc cref="ErrorsWithoutWarren(bool, string[])"/>
    public static IReadOnlyList<Diagnostic> ErrorsWithoutWarren(bool documentation, IEnumerable<MetadataReference> references, params string[] sources)
    {
        var compilation = Compile(documentation, references, sources);
        var generators = JsonGenerator.Value is { } json ? new[] { json } : [];
        CSharpGeneratorDriver.Create(generators, parseOptions: compilation.SyntaxTrees.First().Options as CSharpParseOptions)
            .RunGeneratorsAndUpdateCompilation(compilation, out var output, out _);
        return output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
    }

    public static GeneratorRun Run(params string[] sources) => Run(false, sources);

    public static GeneratorRun Run(bool documentation, params string[] sources) => Run(documentation, [], sources);

    public static GeneratorRun Run(bool documentation, IEnumerable<MetadataReference> references, params string[] sources)
    {
        var compilation = Compile(documentation, references, sources);
        var driver = CreateDriver(parseOptions: compilation.SyntaxTrees.First().Options as CSharpParseOptions).RunGeneratorsAndUpdateCompilation(compilation, out var output, out var diagnostics);
        var warren = driver.GetRunResult().Results.Single(r => r.Generator.GetGeneratorType() == typeof(WarrenGenerator));
        return new GeneratorRun(
            WithNullableWarnings(output),
            diagnostics,
            warren.GeneratedSources.ToDictionary(s => s.HintName, s => s.SourceText.ToString(), StringComparer.Ordinal));
    }

    /// <summary>Generated files ship with nullable warnings off; here they are compiled with them on, so they stay warning-free.</summary>
    private static Compilation WithNullableWarnings(Compilation output)
    {
        foreach (var tree in output.SyntaxTrees.Where(t => t.FilePath.Contains(nameof(WarrenGenerator), StringComparison.Ordinal)).ToList())
        {
            var checkedText = tree.GetText().ToString().Replace(Emitting.SourceWriter.NullableContext + "\n", "#nullable enable\n", StringComparison.Ordinal);
            output = output.ReplaceSyntaxTree(tree, tree.WithChangedText(Microsoft.CodeAnalysis.Text.SourceText.From(checkedText, System.Text.Encoding.UTF8)));
        }

        return output;
    }

    private static ImmutableArray<MetadataReference> LoadReferences()
    {
        var paths = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Concat([typeof(IPublisher).Assembly.Location, typeof(RabbitMQ.Client.IChannel).Assembly.Location])
            .Concat(AppDomain.CurrentDomain.GetAssemblies().Where(a => !a.IsDynamic && a.GetName().Name!.StartsWith("Microsoft.Extensions.", StringComparison.Ordinal)).Select(a => a.Location))
            .Where(p => p.Length > 0)
            .Distinct(StringComparer.Ordinal);
        return paths.Select(p => (MetadataReference)MetadataReference.CreateFromFile(p)).ToImmutableArray();
    }
}

internal sealed record GeneratorRun(Compilation Output, ImmutableArray<Diagnostic> GeneratorDiagnostics, IReadOnlyDictionary<string, string> Sources)
{
    /// <summary>Errors and warnings of the user's compilation with everything generated added.</summary>
    public IReadOnlyList<Diagnostic> CompileDiagnostics =>
        Output.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning).Concat(GeneratorDiagnostics).ToList();
}
