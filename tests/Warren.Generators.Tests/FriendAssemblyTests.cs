using System;
using System.Linq;
using Microsoft.CodeAnalysis;
using Warren.Generators.Tests.Infrastructure;
using Xunit;

namespace Warren.Generators.Tests;

/// <summary>
/// A library giving its internals (<c>InternalsVisibleTo</c>) to a project that runs Warren's generator too, as an
/// application does to its test project: the generated internal code of each assembly is visible to the other, and
/// must neither collide nor make the friend's <c>AddGeneratedHandlers()</c> ambiguous.
/// </summary>
public sealed class FriendAssemblyTests
{
    private const string Library = """
        using System.Threading.Tasks;
        using Warren;

        [assembly: System.Runtime.CompilerServices.InternalsVisibleTo("Vis.Tests")]

        namespace Vis.App
        {
            [Exchange("vis")]
            public sealed record Seen(string Id);

            [Publisher]
            public interface IVisEvents
            {
                Task Seen(Seen seen, System.Threading.CancellationToken ct = default);
            }

            [System.Text.Json.Serialization.JsonSerializable(typeof(Seen))]
            public sealed partial class VisJson : System.Text.Json.Serialization.JsonSerializerContext;
        }
        """;

    private const string Consumer = """

        namespace Vis.App
        {
            [Queue("vis-app")]
            public sealed class Watcher
            {
                public Task Handle(Seen seen) => Task.CompletedTask;
            }
        }
        """;

    private const string Friend = """
        using System.Threading.Tasks;
        using Warren;

        namespace Vis.Tests;

        [Queue("vis-tests")]
        public sealed class Probe
        {
            public Task Handle(Vis.App.Seen seen) => Task.CompletedTask;
        }

        public static class Setup
        {
            public static WarrenBuilder Configure(WarrenBuilder builder) => builder.AddGeneratedHandlers();
        }
        """;

    /// <summary>
    /// The friend compiles cleanly whether the library is a contracts library (internal generated code only) or has
    /// consumers (a module too), referenced as a built assembly or as a project in the IDE: no CS0436 in a generated
    /// file, no CS0121 at the friend's <c>AddGeneratedHandlers()</c>, which is the friend's own and registers the
    /// library's module.
    /// </summary>
    [Theory]
    [InlineData(false, false)]
    [InlineData(false, true)]
    [InlineData(true, false)]
    [InlineData(true, true)]
    public void A_friend_running_Warren_compiles_cleanly_and_calls_its_own_registration(bool withConsumers, bool projectReference)
    {
        var source = withConsumers ? Library + Consumer : Library;
        var library = projectReference ? GeneratorHarness.LibraryCompilation("Vis.App", source) : GeneratorHarness.BuildLibrary("Vis.App", source);

        var run = GeneratorHarness.Run("Vis.Tests", [library], Friend);

        Assert.Empty(run.CompileDiagnostics.Select(d => d.ToString()));
        var call = run.Output.SyntaxTrees.First(t => t.FilePath == "Source0.cs").GetRoot().DescendantNodes()
            .OfType<Microsoft.CodeAnalysis.CSharp.Syntax.InvocationExpressionSyntax>().Single();
        var method = Assert.IsAssignableFrom<IMethodSymbol>(run.Output.GetSemanticModel(call.SyntaxTree).GetSymbolInfo(call).Symbol);
        Assert.Equal("Vis.Tests", method.ContainingAssembly.Name);
        var registration = run.Sources["Warren.Registration.g.cs"];
        Assert.Equal(withConsumers, registration.Contains("global::Warren.Generated.WarrenModule_Vis_App__a87360ac.Register(builder)", StringComparison.Ordinal));
    }

    /// <summary>A project the library gives its internals to that does not run Warren still calls the library's registration.</summary>
    [Fact]
    public void A_friend_without_Warren_calls_the_librarys_registration()
    {
        var library = GeneratorHarness.BuildLibrary("Vis.App", Library + Consumer);
        var compilation = GeneratorHarness.Compile("Vis.Tests", [library], false, Friend.Replace("[Queue(\"vis-tests\")]", string.Empty, StringComparison.Ordinal));

        Assert.Empty(compilation.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning).Select(d => d.ToString()));
        var call = compilation.SyntaxTrees.Single().GetRoot().DescendantNodes().OfType<Microsoft.CodeAnalysis.CSharp.Syntax.InvocationExpressionSyntax>().Single();
        var method = Assert.IsAssignableFrom<IMethodSymbol>(compilation.GetSemanticModel(call.SyntaxTree).GetSymbolInfo(call).Symbol);
        Assert.Equal("Vis.App", method.ContainingAssembly.Name);
    }

    /// <summary>
    /// A chain of friends, each running Warren: a library gives its internals to an application, which gives its own to
    /// its tests. Every call of <c>AddGeneratedHandlers()</c> binds to its own assembly's.
    /// </summary>
    [Fact]
    public void Each_assembly_of_a_chain_of_friends_calls_its_own_registration()
    {
        var library = GeneratorHarness.BuildLibrary("Vis.App", Library.Replace("\"Vis.Tests\"", "\"Vis.Host\"", StringComparison.Ordinal) + Consumer);
        const string Host = """
            using System.Threading.Tasks;
            using Warren;

            [assembly: System.Runtime.CompilerServices.InternalsVisibleTo("Vis.Tests")]

            namespace Vis.Host;

            [Queue("vis-host")]
            public sealed class Relay
            {
                public Task Handle(Vis.App.Seen seen) => Task.CompletedTask;
            }

            public static class HostSetup
            {
                public static WarrenBuilder Configure(WarrenBuilder builder) => builder.AddGeneratedHandlers();
            }
            """;
        var host = GeneratorHarness.Run("Vis.Host", [library], Host);
        Assert.Empty(host.CompileDiagnostics.Select(d => d.ToString()));
        Assert.Equal("Vis.Host", CalledAssembly(host.Output));

        var hostImage = new System.IO.MemoryStream();
        Assert.True(host.Output.Emit(hostImage).Success);
        var tests = GeneratorHarness.Run("Vis.Tests", [library, MetadataReference.CreateFromImage(hostImage.ToArray())], Friend);
        Assert.Empty(tests.CompileDiagnostics.Select(d => d.ToString()));
        Assert.Equal("Vis.Tests", CalledAssembly(tests.Output));
    }

    /// <summary>
    /// A service declaring a type of the same name as a message type of a library it references: generated code naming
    /// the library's type binds to the service's, and the compiler's CS0436 there is not suppressed (warnings are
    /// errors: the build fails rather than start-up).
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_type_colliding_with_a_referenced_message_type_is_reported(bool projectReference)
    {
        const string Library = """
            using Warren;

            namespace Lk.App
            {
                [Exchange("lk")]
                public sealed record Seen(string Id);

                [System.Text.Json.Serialization.JsonSerializable(typeof(Seen))]
                public sealed partial class LkJson : System.Text.Json.Serialization.JsonSerializerContext;
            }
            """;
        const string Service = """
            namespace Lk.App
            {
                public sealed record Seen(int Other);
            }

            namespace Lk.Service
            {
                public static class Setup
                {
                    public static Warren.WarrenBuilder Configure(Warren.WarrenBuilder builder) => builder.AddGeneratedHandlers();
                }
            }
            """;
        var library = projectReference ? GeneratorHarness.LibraryCompilation("Lk.Lib", Library) : GeneratorHarness.BuildLibrary("Lk.Lib", Library);

        var run = GeneratorHarness.Run("Lk.Service", [library], Service);

        Assert.Contains(run.CompileDiagnostics, d => d.Id == "CS0436"
            && d.Location.SourceTree?.FilePath.EndsWith("Warren.Contracts.g.cs", StringComparison.Ordinal) == true
            && d.GetMessage(System.Globalization.CultureInfo.InvariantCulture).StartsWith("The type 'Seen' in 'Source0.cs' conflicts with the imported type 'Seen' in 'Lk.Lib", StringComparison.Ordinal));
    }

    private static string CalledAssembly(Compilation output)
    {
        var call = output.SyntaxTrees.First(t => t.FilePath == "Source0.cs").GetRoot().DescendantNodes()
            .OfType<Microsoft.CodeAnalysis.CSharp.Syntax.InvocationExpressionSyntax>().Single();
        return Assert.IsAssignableFrom<IMethodSymbol>(output.GetSemanticModel(call.SyntaxTree).GetSymbolInfo(call).Symbol).ContainingAssembly.Name;
    }
}
