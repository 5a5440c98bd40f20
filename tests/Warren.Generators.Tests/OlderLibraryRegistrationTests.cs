using System;
using System.Globalization;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Warren.Generators.Model;
using Warren.Generators.Tests.Infrastructure;
using Xunit;

namespace Warren.Generators.Tests;

/// <summary>
/// A library built with an older Warren, whose generated <c>AddGeneratedHandlers()</c> is an internal extension of
/// <c>WarrenBuilder</c> itself in class <c>Warren.WarrenGeneratedRegistration</c>, referenced by a project built with
/// this Warren (WRN043). Given the project's internals, it is a candidate of the project's call: it beats the ranked
/// receiver of a project that gives its internals too (the project's consumers are never registered, without a word),
/// and its plain form is ambiguous with the plain one of a project that gives none. Merely referenced, it is invisible.
/// The library is built here as that Warren generated it (the shapes of the registration before friends were ranked:
/// plain, then a <c>params</c> array or an optional parameter for an assembly giving its internals).
/// </summary>
public sealed class OlderLibraryRegistrationTests
{
    private const string Project = """
        using System.Threading.Tasks;
        using Warren;

        namespace Pro.App
        {
            [Exchange("pro")]
            public sealed record Placed(string Id);

            [System.Text.Json.Serialization.JsonSerializable(typeof(Placed))]
            internal sealed partial class ProJson : System.Text.Json.Serialization.JsonSerializerContext;

            [Queue("pro-app")]
            public sealed class Orders
            {
                public Task Handle(Placed placed) => Task.CompletedTask;
            }

            public static class Setup
            {
                public static WarrenBuilder Configure(WarrenBuilder builder) => builder.AddGeneratedHandlers();
            }
        }
        """;

    /// <summary>What makes the project give its internals (to its tests): its registration is then ranked.</summary>
    private const string GivesInternals = """[assembly: System.Runtime.CompilerServices.InternalsVisibleTo("Pro.App.Tests")]""";

    /// <summary>
    /// <paramref name="shape"/> is the older registration's parameters after the builder: "" (plain), ", params object[]
    /// givesInternals" or ", bool givesInternals = true".
    /// </summary>
    private static MetadataReference OlderLibrary(string shape, bool givesInternals)
    {
        var source = (givesInternals ? "[assembly: System.Runtime.CompilerServices.InternalsVisibleTo(\"Pro.App\")]\n" : string.Empty) + $$"""
            [assembly: global::Warren.Infrastructure.WarrenModuleAttribute(typeof(global::Warren.Generated.WarrenModule_Old_Lib))]

            namespace Old.Lib
            {
                public sealed class Marker;
            }

            namespace Warren
            {
                internal static class WarrenGeneratedRegistration
                {
                    public static global::Warren.WarrenBuilder AddGeneratedHandlers(this global::Warren.WarrenBuilder builder{{shape}})
                    {
                        RegisterAssembly(builder);
                        return builder;
                    }

                    internal static void RegisterAssembly(global::Warren.WarrenBuilder builder) =>
                        builder.Services.Add(new global::Microsoft.Extensions.DependencyInjection.ServiceDescriptor(
                            typeof(global::Old.Lib.Marker), typeof(global::Old.Lib.Marker), global::Microsoft.Extensions.DependencyInjection.ServiceLifetime.Singleton));
                }
            }

            namespace Warren.Generated
            {
                public static class WarrenModule_Old_Lib
                {
                    public static void Register(global::Warren.WarrenBuilder builder) => global::Warren.WarrenGeneratedRegistration.RegisterAssembly(builder);
                }
            }
            """;
        var compilation = GeneratorHarness.Compile("Old.Lib", [], false, source);
        using var image = new System.IO.MemoryStream();
        var result = compilation.Emit(image);
        Assert.True(result.Success, string.Join("\n", result.Diagnostics));
        return MetadataReference.CreateFromImage(image.ToArray());
    }

    /// <summary>
    /// The project gives its internals too: the older library's method extends WarrenBuilder itself, a better receiver
    /// than the project's IRegistrationRank, so the call binds to the library's and registers none of the project's
    /// consumers. The generator reports it at the call (WRN043), naming the library: a build with analyzers off sees it.
    /// </summary>
    [Theory]
    [InlineData("")]
    [InlineData(", params object[] givesInternals")]
    [InlineData(", bool givesInternals = true")]
    public void An_older_library_giving_its_internals_takes_over_the_call_and_is_reported(string shape)
    {
        var run = GeneratorHarness.Run("Pro.App", [OlderLibrary(shape, givesInternals: true)], Project, GivesInternals);

        Assert.Equal("Old.Lib", BoundAssembly(run.Output));
        var reported = Assert.Single(run.CompileDiagnostics);
        Assert.Equal("WRN043", reported.Id);
        Assert.Equal(DiagnosticSeverity.Error, reported.Severity);
        Assert.Equal(CallSpan(run.Output), reported.Location.GetLineSpan().Span);
        Assert.Equal("Source0.cs", reported.Location.GetLineSpan().Path);
        var message = reported.GetMessage(CultureInfo.InvariantCulture);
        Assert.StartsWith("'Old.Lib' gives this project its internals and was built with an older Warren", message, StringComparison.Ordinal);
        Assert.Contains("binds to the registration of 'Old.Lib', not to this project's own", message, StringComparison.Ordinal);
        Assert.Contains("Rebuild 'Old.Lib' with the Warren version this project uses", message, StringComparison.Ordinal);
    }

    /// <summary>A project giving no internals: its own plain method beats an older params or optional one, and is ambiguous with an older plain one (CS0121, explained by WRN043).</summary>
    [Theory]
    [InlineData("", true)]
    [InlineData(", params object[] givesInternals", false)]
    [InlineData(", bool givesInternals = true", false)]
    public void A_project_giving_no_internals_wins_over_older_ranked_libraries_and_is_told_of_an_ambiguity(string shape, bool ambiguous)
    {
        var run = GeneratorHarness.Run("Pro.App", [OlderLibrary(shape, givesInternals: true)], Project);

        if (ambiguous)
        {
            Assert.Equal(["CS0121", "WRN043"], run.CompileDiagnostics.Select(d => d.Id).Order(StringComparer.Ordinal));
            Assert.Contains("is ambiguous between this project's registration and that of 'Old.Lib' (CS0121)", run.CompileDiagnostics.Single(d => d.Id == "WRN043").GetMessage(CultureInfo.InvariantCulture), StringComparison.Ordinal);
        }
        else
        {
            Assert.Empty(run.CompileDiagnostics.Select(d => d.ToString()));
            Assert.Equal("Pro.App", BoundAssembly(run.Output));
        }
    }

    /// <summary>A project that never calls AddGeneratedHandlers() (a library whose module the host calls) loses nothing: no WRN043.</summary>
    [Fact]
    public void A_project_without_a_call_is_not_reported()
    {
        var run = GeneratorHarness.Run("Pro.App", [OlderLibrary(string.Empty, givesInternals: true)], Project.Replace("builder.AddGeneratedHandlers()", "builder", StringComparison.Ordinal), GivesInternals);

        Assert.Empty(run.CompileDiagnostics.Select(d => d.ToString()));
    }

    /// <summary>
    /// Until the library is rebuilt, a call through the project's registration class binds to the project's own; WRN043
    /// judges calls written as an extension only.
    /// </summary>
    [Fact]
    public void A_call_through_the_projects_registration_class_is_the_projects_own_and_not_reported()
    {
        var throughClass = Project.Replace("builder.AddGeneratedHandlers()", $"{GeneratedScope.Of("Pro.App").QualifiedRegistrationClass}.AddGeneratedHandlers(builder)", StringComparison.Ordinal);

        var run = GeneratorHarness.Run("Pro.App", [OlderLibrary(string.Empty, givesInternals: true)], throughClass, GivesInternals);

        Assert.Empty(run.CompileDiagnostics.Select(d => d.ToString()));
        Assert.Equal("Pro.App", BoundAssembly(run.Output));
    }

    /// <summary>
    /// Merely referenced (no InternalsVisibleTo), an older library's registration is internal to it: the project's call
    /// binds to its own, which calls the library's public module. Harmless, so nothing is reported.
    /// </summary>
    [Theory]
    [InlineData("", false)]
    [InlineData("", true)]
    [InlineData(", params object[] givesInternals", true)]
    public void An_older_library_merely_referenced_is_harmless(string shape, bool projectGivesInternals)
    {
        var run = GeneratorHarness.Run("Pro.App", [OlderLibrary(shape, givesInternals: false)], projectGivesInternals ? [Project, GivesInternals] : [Project]);

        Assert.Empty(run.CompileDiagnostics.Select(d => d.ToString()));
        Assert.Equal("Pro.App", BoundAssembly(run.Output));
        Assert.Contains("global::Warren.Generated.WarrenModule_Old_Lib.Register(builder);", run.Sources["Warren.Registration.g.cs"], StringComparison.Ordinal);
    }

    private static InvocationExpressionSyntax Call(Compilation output) =>
        output.SyntaxTrees.First(t => t.FilePath == "Source0.cs").GetRoot().DescendantNodes().OfType<InvocationExpressionSyntax>()
            .Single(i => i.Expression is MemberAccessExpressionSyntax { Name.Identifier.ValueText: "AddGeneratedHandlers" });

    private static Microsoft.CodeAnalysis.Text.LinePositionSpan CallSpan(Compilation output) => Call(output).GetLocation().GetLineSpan().Span;

    private static string BoundAssembly(Compilation output)
    {
        var call = Call(output);
        return Assert.IsAssignableFrom<IMethodSymbol>(output.GetSemanticModel(call.SyntaxTree).GetSymbolInfo(call).Symbol).ContainingAssembly.Name;
    }
}
