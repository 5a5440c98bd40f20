using System;
using System.IO;
using System.Linq;
using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace Warren.Generators.Tests.Infrastructure;

/// <summary>
/// The SDK's System.Text.Json source generator, as a build runs it beside Warren's. Also compiled into
/// Warren.Analyzers.Tests (linked).
/// </summary>
internal static class SdkJsonGenerator
{
    public static ISourceGenerator Load()
    {
        var packs = Path.Combine(Path.GetDirectoryName(typeof(object).Assembly.Location)!, "..", "..", "..", "packs", "Microsoft.NETCore.App.Ref");
        var path = Directory.Exists(packs)
            ? Directory.GetDirectories(packs)
                .Select(d => Path.Combine(d, "analyzers", "dotnet", "cs", "System.Text.Json.SourceGeneration.dll"))
                .Where(File.Exists)
                .OrderByDescending(p => p, StringComparer.Ordinal)
                .FirstOrDefault()
            : null;
        if (path is null)
        {
            throw new InvalidOperationException($"The SDK's System.Text.Json source generator was not found under {packs} (runtime {Environment.Version}).");
        }

        return new AnalyzerFileReference(Path.GetFullPath(path), new Loader()).GetGenerators(LanguageNames.CSharp).Single();
    }

    private sealed class Loader : IAnalyzerAssemblyLoader
    {
        public void AddDependencyLocation(string fullPath)
        {
        }

        public Assembly LoadFromPath(string fullPath) => Assembly.LoadFrom(fullPath);
    }
}
