using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.Extensions.DependencyInjection;
using Warren;
using Warren.Generators.Tests.Infrastructure;
using Xunit;

namespace Warren.Generators.Tests;

/// <summary>
/// Graphs of assemblies giving their internals (<c>InternalsVisibleTo</c>) to others that run Warren's generator too:
/// chains of two to five, diamonds, shortcuts past a level, a friend that is never built (Moq's
/// <c>DynamicProxyGenAssembly2</c>), references as built images and as the IDE's compilations. In every shape every
/// assembly compiles without a warning, and its <c>AddGeneratedHandlers()</c>, called or taken as a method group, is its
/// own: the call binds to a method of the assembly, and run, it registers the assembly's own consumer.
/// </summary>
public sealed class FriendGraphTests
{
    /// <summary>An assembly of a shape: its name, the assemblies it gives its internals to, whether it has a consumer.</summary>
    public sealed record Node(string Name, string[] GivesTo, bool Consumer = true);

    public static TheoryData<string, bool> Shapes()
    {
        var data = new TheoryData<string, bool>();
        foreach (var shape in AllShapes.Keys)
        {
            data.Add(shape, false);
            data.Add(shape, true);
        }

        return data;
    }

    /// <summary>The shapes, each as its assemblies in build order; each references every assembly built before it.</summary>
    private static readonly Dictionary<string, Node[]> AllShapes = new(StringComparer.Ordinal)
    {
        ["chain2"] = [new("Fa.Lib", ["Fa.Tests"]), new("Fa.Tests", [])],
        ["chain3"] = [new("Fb.Lib", ["Fb.App"]), new("Fb.App", ["Fb.Tests"]), new("Fb.Tests", [])],
        ["chain4"] =
        [
            new("Fc.Domain", ["Fc.Application"]), new("Fc.Application", ["Fc.Api"], Consumer: false), new("Fc.Api", ["Fc.Api.Tests"]),
            new("Fc.Api.Tests", []),
        ],
        ["chain5"] =
        [
            new("Fd.A", ["Fd.B"]), new("Fd.B", ["Fd.C"]), new("Fd.C", ["Fd.D"], Consumer: false), new("Fd.D", ["Fd.E"]), new("Fd.E", []),
        ],
        ["chain5-moq"] =
        [
            new("Fe.A", ["Fe.B", Moq]), new("Fe.B", ["Fe.C", Moq]), new("Fe.C", ["Fe.D", Moq]), new("Fe.D", ["Fe.E", Moq]), new("Fe.E", [Moq]),
        ],
        ["diamond"] =
        [
            new("Ff.Core", ["Ff.Left", "Ff.Right"]), new("Ff.Left", ["Ff.Host"]), new("Ff.Right", ["Ff.Host"], Consumer: false),
            new("Ff.Host", ["Ff.Tests"]), new("Ff.Tests", []),
        ],
        ["diamond-core-to-all"] =
        [
            new("Fg.Core", ["Fg.Left", "Fg.Right", "Fg.Host"]), new("Fg.Left", ["Fg.Host"]), new("Fg.Right", ["Fg.Host"]), new("Fg.Host", []),
        ],
        ["shortcut"] = [new("Fh.A", ["Fh.B", "Fh.C"]), new("Fh.B", ["Fh.C"]), new("Fh.C", [])],
        ["uneven-givers"] =
        [
            new("Fi.A", ["Fi.B"]), new("Fi.B", ["Fi.C"]), new("Fi.C", ["Fi.Tests"]), new("Fi.Other", ["Fi.Tests"]), new("Fi.Tests", []),
        ],
        ["gap"] = [new("Fj.A", ["Fj.B"]), new("Fj.B", []), new("Fj.C", ["Fj.D"]), new("Fj.D", [])],
        ["moq-only"] = [new("Fk.App", [Moq]), new("Fk.Tests", [Moq])],
    };

    private const string Moq = "DynamicProxyGenAssembly2";

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Every_assembly_of_a_friend_graph_compiles_and_calls_its_own_registration(string shape, bool projectReferences)
    {
        var nodes = AllShapes[shape];
        var references = new List<MetadataReference>();
        var images = new List<byte[]>();
        foreach (var node in nodes)
        {
            var run = GeneratorHarness.Run(node.Name, references, Source(node));

            Assert.Empty(run.CompileDiagnostics.Select(d => $"{node.Name}: {d}"));
            var tree = run.Output.SyntaxTrees.First(t => t.FilePath == "Source0.cs");
            var model = run.Output.GetSemanticModel(tree);
            var uses = tree.GetRoot().DescendantNodes().OfType<SimpleNameSyntax>().Where(n => n.Identifier.ValueText == "AddGeneratedHandlers").ToList();
            Assert.Equal(2, uses.Count);
            foreach (var use in uses)
            {
                var method = Assert.IsAssignableFrom<IMethodSymbol>(model.GetSymbolInfo(use).Symbol ?? model.GetMemberGroup(use).SingleOrDefault());
                Assert.Equal(node.Name, method.ContainingAssembly.Name);
            }

            var image = LibraryLoadContext.Emit(run.Output);
            images.Add(image);
            references.Add(projectReferences ? run.Output.ToMetadataReference() : MetadataReference.CreateFromImage(image));
        }

        // Run, each assembly's call registers its own consumer (and those of the modules it references).
        var context = new LibraryLoadContext(shape, [.. images]);
        foreach (var (node, assembly) in nodes.Zip(context.Libraries))
        {
            foreach (var method in new[] { "Configure", "ConfigureByGroup" })
            {
                var services = new ServiceCollection();
                var builder = services.AddWarren(o => o.Url = "amqp://guest:guest@127.0.0.1:1/");
                assembly.GetType(Namespace(node) + ".Setup", throwOnError: true)!.GetMethod(method, BindingFlags.Public | BindingFlags.Static)!.Invoke(null, [builder]);
                var queues = services.Where(s => s.ServiceType == typeof(ConsumerDefinition)).Select(s => ((ConsumerDefinition)s.ImplementationInstance!).Queue).ToList();
                var expected = nodes.TakeWhile(n => n != node).Append(node).Where(n => n.Consumer).Select(Queue).ToList();
                Assert.Equal(expected.Order(StringComparer.Ordinal), queues.Order(StringComparer.Ordinal));
            }
        }
    }

    private static string Namespace(Node node) => node.Name;

    private static string Queue(Node node) => node.Name.ToLowerInvariant();

    private static string Source(Node node)
    {
        var gives = string.Concat(node.GivesTo.Select(f => $"[assembly: System.Runtime.CompilerServices.InternalsVisibleTo(\"{f}\")]\n"));
        var consumer = node.Consumer
            ? $$"""
                [Queue("{{Queue(node)}}")]
                internal sealed class Watcher
                {
                    public Task Handle(Seen seen) => Task.CompletedTask;
                }
                """
            : string.Empty;
        return $$"""
            using System.Threading.Tasks;
            using Warren;

            {{gives}}
            namespace {{Namespace(node)}}
            {
                [Exchange("{{Queue(node)}}.seen")]
                public sealed record Seen(string Id);

                [System.Text.Json.Serialization.JsonSerializable(typeof(Seen))]
                public sealed partial class Json : System.Text.Json.Serialization.JsonSerializerContext;

                {{consumer}}

                public static class Setup
                {
                    public static WarrenBuilder Configure(WarrenBuilder builder) => builder.AddGeneratedHandlers();

                    public static WarrenBuilder ConfigureByGroup(WarrenBuilder builder)
                    {
                        System.Func<WarrenBuilder> add = builder.AddGeneratedHandlers;
                        return add();
                    }
                }
            }
            """;
    }
}
