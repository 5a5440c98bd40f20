using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Warren.Generators.Parsing;
using Warren.Generators.Tests.Infrastructure;
using Xunit;

namespace Warren.Generators.Tests;

/// <summary>
/// Assemblies whose names differ only in characters an identifier cannot hold (<c>Shop.Api</c>, <c>Shop_Api</c>,
/// <c>Shop-Api</c>) get distinct generated names, so a project given such a library's internals, or referencing its
/// module, binds to its own registration and calls the library's module.
/// </summary>
public sealed class AssemblyNameScopeTests
{
    private static string Source(string ns, string queue, string ivt = "") => $$"""
        using System.Threading.Tasks;
        using Warren;
        {{ivt}}
        namespace {{ns}}
        {
            [Exchange("{{queue}}.seen")]
            public sealed record Seen(string Id);
            [System.Text.Json.Serialization.JsonSerializable(typeof(Seen))]
            public sealed partial class Json : System.Text.Json.Serialization.JsonSerializerContext;
            [Queue("{{queue}}")]
            internal sealed class Watcher { public Task Handle(Seen seen) => Task.CompletedTask; }
            public static class Setup { public static WarrenBuilder Configure(WarrenBuilder b) => b.AddGeneratedHandlers(); }
        }
        """;

    private static string BoundAssembly(GeneratorRun run)
    {
        var tree = run.Output.SyntaxTrees.First(t => t.FilePath == "Source0.cs");
        var model = run.Output.GetSemanticModel(tree);
        var call = tree.GetRoot().DescendantNodes().OfType<SimpleNameSyntax>().Single(n => n.Identifier.ValueText == "AddGeneratedHandlers");
        return model.GetSymbolInfo(call).Symbol?.ContainingAssembly?.Name ?? "<unbound>";
    }

    [Theory]
    [InlineData("Shop.Api", "Shop_Api", true)]
    [InlineData("Shop_Api", "Shop.Api", true)]
    [InlineData("Shop-Api", "Shop.Api", false)]
    [InlineData("Shop.Api", "Shop-Api", true)]
    public void A_library_whose_name_differs_only_in_punctuation_keeps_its_own_names(string library, string project, bool givesInternals)
    {
        var ivt = givesInternals ? $"[assembly: System.Runtime.CompilerServices.InternalsVisibleTo(\"{project}\")]" : string.Empty;
        var lib = GeneratorHarness.BuildLibrary(library, Source("Lib", "lib.q", ivt));
        var run = GeneratorHarness.Run(project, [lib], Source("App", "app.q"));

        Assert.Empty(run.CompileDiagnostics);
        Assert.Equal(project, BoundAssembly(run));
        var libraryModule = "WarrenModule_" + Names.AssemblyIdentifier(library);
        var projectModule = "WarrenModule_" + Names.AssemblyIdentifier(project);
        Assert.NotEqual(libraryModule, projectModule);
        var registration = string.Concat(run.Sources.Where(s => s.Key.Contains("Registration", StringComparison.Ordinal)).Select(s => s.Value));
        Assert.Contains(libraryModule + ".Register(", registration, StringComparison.Ordinal);
    }

    [Fact]
    public void Assembly_identifiers_are_distinct_for_distinct_names_and_keep_plain_names()
    {
        string[] names =
        [
            "Shop.Api", "Shop_Api", "Shop-Api", "Shop__Api", "Shop_.Api", "Shop._Api", "Shop..Api", "Shop Api", "e\u0301clair", "e_clair",
            "\U0001D49Cpp", "__pp", "_pp", "\U0001D49Dpp", "Ünï.Çødé", "Ünï_Çødé", "Shop_Api__31785847", "Shop_Api_", "Shop_Api.",
        ];
        var identifiers = names.Select(Names.AssemblyIdentifier).ToList();
        Assert.Equal(names.Length, identifiers.Distinct(StringComparer.Ordinal).Count());
        Assert.Equal("Shop_Api", Names.AssemblyIdentifier("Shop_Api"));
        Assert.Equal("ShopApi", Names.AssemblyIdentifier("ShopApi"));
        Assert.Equal("Shop_Api__31785847", Names.AssemblyIdentifier("Shop.Api"));
        Assert.All(identifiers, id => Assert.True(Microsoft.CodeAnalysis.CSharp.SyntaxFacts.IsValidIdentifier("For_" + id), id));
    }

    [Theory]
    [InlineData("1Shop")]
    [InlineData("Shop-Api.v2")]
    [InlineData("Ünï.Çødé")]
    [InlineData("\U0001D49Cpp")]
    [InlineData("e\u0301clair")]
    [InlineData("Warren.Generated")]
    [InlineData("Warren.Infrastructure")]
    [InlineData("System")]
    public void An_odd_assembly_name_compiles(string name)
    {
        var run = GeneratorHarness.Run(name, [], Source("App", "app.q", "[assembly: System.Runtime.CompilerServices.InternalsVisibleTo(\"X.Tests\")]"));
        Assert.Empty(run.CompileDiagnostics);
        Assert.Equal(name, BoundAssembly(run));
    }
}
