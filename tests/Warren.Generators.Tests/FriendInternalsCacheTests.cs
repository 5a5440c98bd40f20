using System;
using System.Diagnostics;
using System.Linq;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Warren.Generators.Model;
using Warren.Generators.Parsing;
using Warren.Generators.Tests.Infrastructure;
using Xunit;
using Xunit.Abstractions;

namespace Warren.Generators.Tests;

/// <summary>
/// A library with 12,000 internal types giving its internals to a project: the project uses the library's internal JSON
/// contexts, found by walking every type of the library. The walk is done once per referenced assembly (its symbol is
/// shared by every version of the project's compilation), not on every edit in the project, where the IDE runs the
/// generator at each keystroke.
/// </summary>
public sealed class FriendInternalsCacheTests(ITestOutputHelper output)
{
    private const int InternalTypes = 12_000;

    private static readonly Lazy<MetadataReference> Library = new(() =>
    {
        var source = new StringBuilder("""
            [assembly: System.Runtime.CompilerServices.InternalsVisibleTo("Bulk.App")]

            namespace Bulk.Lib
            {
                [Warren.Exchange("bulk")]
                public sealed record Ping(string Id);

                [System.Text.Json.Serialization.JsonSerializable(typeof(Ping))]
                internal sealed partial class BulkJson : System.Text.Json.Serialization.JsonSerializerContext;
            }

            """);
        for (var ns = 0; ns < 40; ns++)
        {
            source.Append("namespace Bulk.Lib.Part").Append(ns).AppendLine(" {");
            for (var i = 0; i < InternalTypes / 40; i++)
            {
                source.Append("internal sealed class T").Append(i).AppendLine(" { public int Value { get; set; } }");
            }

            source.AppendLine("}");
        }

        return GeneratorHarness.BuildLibrary("Bulk.Lib", source.ToString());
    });

    private const string App = """
        using System.Threading.Tasks;
        using Warren;

        namespace Bulk.App;

        [Queue("bulk-app")]
        public sealed class Pings
        {
            public Task Handle(Bulk.Lib.Ping ping) => Task.CompletedTask;
        }
        """;

    /// <summary>
    /// An edit in the project runs the References step again (the compilation is new) but walks no referenced assembly:
    /// its output is unchanged, with the library's internal context in it.
    /// </summary>
    [Fact]
    public void An_edit_in_the_project_does_not_walk_the_friend_library_again()
    {
        var library = Library.Value;
        var walks = 0;
        void Count(IAssemblySymbol assembly)
        {
            if (assembly.Name == "Bulk.Lib")
            {
                System.Threading.Interlocked.Increment(ref walks);
            }
        }

        ReferenceParser.Walked += Count;
        try
        {
            var compilation = GeneratorHarness.Compile("Bulk.App", [library], false, App);
            var driver = GeneratorHarness.CreateDriver(withJson: false).RunGenerators(compilation);
            Assert.Equal(1, walks);
            var first = References(driver);
            Assert.Contains("global::Bulk.Lib.BulkJson", first.JsonContexts.Select(c => c.ContextName));

            driver = driver.RunGenerators(Edited(compilation, 1));

            Assert.Equal(1, walks);
            var step = Warren(driver).TrackedSteps[WarrenGenerator.Steps.References].Single();
            Assert.Equal(IncrementalStepRunReason.Unchanged, step.Outputs.Single().Reason);
            Assert.Equal(first, (ReferencedModel)step.Outputs.Single().Value);
        }
        finally
        {
            ReferenceParser.Walked -= Count;
        }
    }

    /// <summary>The time of a run of the generator after an edit in the project (the median of several), printed.</summary>
    [Fact]
    public void Time_of_a_run_after_an_edit()
    {
        var compilation = GeneratorHarness.Compile("Bulk.App", [Library.Value], false, App);
        var driver = GeneratorHarness.CreateDriver(withJson: false);
        var clock = Stopwatch.StartNew();
        driver = driver.RunGenerators(compilation);
        var firstRun = clock.Elapsed;
        var runs = new TimeSpan[9];
        for (var i = 0; i < runs.Length; i++)
        {
            var edited = Edited(compilation, i + 1);
            clock.Restart();
            driver = driver.RunGenerators(edited);
            runs[i] = clock.Elapsed;
        }

        Array.Sort(runs);
        output.WriteLine($"{InternalTypes} internal types: first run {firstRun.TotalMilliseconds:F0} ms; a run after an edit {runs[runs.Length / 2].TotalMilliseconds:F0} ms (median of {runs.Length}, {runs[0].TotalMilliseconds:F0}–{runs[^1].TotalMilliseconds:F0} ms)");
        Assert.Contains(Warren(driver).GeneratedSources, s => s.HintName == "Warren.Contracts.g.cs");
    }

    /// <summary>The compilation with a handler body edited, as a keystroke in the IDE makes it.</summary>
    private static Compilation Edited(Compilation compilation, int edit)
    {
        var tree = compilation.SyntaxTrees.First();
        var text = App.Replace("=> Task.CompletedTask;", $"=> Task.Delay({edit});", StringComparison.Ordinal);
        return compilation.ReplaceSyntaxTree(tree, CSharpSyntaxTree.ParseText(text, GeneratorHarness.ParseOptions, tree.FilePath));
    }

    private static GeneratorRunResult Warren(GeneratorDriver driver) =>
        driver.GetRunResult().Results.Single(r => r.Generator.GetGeneratorType() == typeof(WarrenGenerator));

    private static ReferencedModel References(GeneratorDriver driver) =>
        (ReferencedModel)Warren(driver).TrackedSteps[WarrenGenerator.Steps.References].Single().Outputs.Single().Value;
}
