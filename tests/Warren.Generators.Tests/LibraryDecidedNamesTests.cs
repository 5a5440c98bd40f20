using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Warren.Generators.Tests.Infrastructure;
using Xunit;

namespace Warren.Generators.Tests;

/// <summary>
/// A message type of a contracts library carries the names that library's build gave it (contract name, exchange,
/// routing-key template) into every service referencing it: a publisher in the library and a consumer in the service,
/// or the reverse, must agree on every name, whatever the service's compilation sees that the library's did not.
/// </summary>
public sealed class LibraryDecidedNamesTests
{
    /// <summary>
    /// An <c>[Experimental]</c> message the library does not suppress gets no code there, so it took no part in naming the
    /// library's other messages: its sibling of the same short name kept the short name, and the service must not
    /// qualify it because it sees both types.
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_sibling_of_an_experimental_message_keeps_the_short_name_the_library_gave_it(bool projectReference)
    {
        const string Lab = """
            using System.Threading.Tasks;

            namespace Lab.Contracts.Alpha
            {
                [System.Diagnostics.CodeAnalysis.Experimental("LAB1")]
                [Warren.Exchange("lab")]
                public sealed record Created(string Id);
            }

            namespace Lab.Contracts.Beta
            {
                [Warren.Exchange("lab")]
                public sealed record Created(string Id);

                [System.Text.Json.Serialization.JsonSerializable(typeof(Created))]
                public sealed partial class LabJson : System.Text.Json.Serialization.JsonSerializerContext;

                public static class Send
                {
                    public static ValueTask Created(Warren.IPublisher publisher) => publisher.PublishAsync(new Created("1"));
                }
            }
            """;
        const string Host = """
            using System.Threading.Tasks;

            namespace Lab.Host;

            [Warren.Queue("lab-host")]
            public sealed class Watcher
            {
                public Task Handle(Lab.Contracts.Beta.Created created) => Task.CompletedTask;
            }
            """;

        AssertAgreement("Lab.Contracts", Lab, "Lab.Host", Host, projectReference, "global::Lab.Contracts.Beta.Created", "created");
    }

    /// <summary>
    /// Closed generic messages of one library whose short names collide there are qualified there; a service handling
    /// only one of them (the library's publisher interface is internal) sees no collision and, rebuilding the name,
    /// would keep it short.
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_closed_generic_message_keeps_the_qualified_name_the_library_gave_it(bool projectReference)
    {
        const string Gen = """
            using System.Threading;
            using System.Threading.Tasks;
            using Warren;

            namespace Gen.Contracts
            {
                public sealed record Item(string Id);

                [Publisher]
                internal interface IGenEvents
                {
                    Task Sent(A.Envelope<Item> envelope, CancellationToken ct = default);

                    Task Kept(B.Envelope<Item> envelope, CancellationToken ct = default);
                }

                [System.Text.Json.Serialization.JsonSerializable(typeof(A.Envelope<Item>))]
                [System.Text.Json.Serialization.JsonSerializable(typeof(B.Envelope<Item>), TypeInfoPropertyName = "BEnvelope")]
                public sealed partial class GenJson : System.Text.Json.Serialization.JsonSerializerContext;
            }

            namespace Gen.Contracts.A
            {
                public sealed record Envelope<T>(T Value);
            }

            namespace Gen.Contracts.B
            {
                public sealed record Envelope<T>(T Value);
            }
            """;
        const string Host = """
            using System.Threading.Tasks;

            namespace Gen.Host;

            [Warren.Queue("gen-host")]
            public sealed class Watcher
            {
                public Task Handle(Gen.Contracts.A.Envelope<Gen.Contracts.Item> envelope) => Task.CompletedTask;
            }
            """;

        AssertAgreement("Gen.Contracts", Gen, "Gen.Host", Host, projectReference, "global::Gen.Contracts.A.Envelope<global::Gen.Contracts.Item>", "gen.contracts.a.envelope-of-item");
    }

    /// <summary>
    /// Message shapes of a contracts library: declarations (namespace <c>Corpus</c> and below), the public message types
    /// (C# names, fully qualified) and the internal ones, which the library uses but a service cannot see.
    /// </summary>
    private static readonly (string Name, string Declarations, string[] Public, string[] Internal)[] Shapes =
    [
        ("one_type", "namespace Corpus { public sealed record Placed(string Id); }", ["Corpus.Placed"], []),
        ("same_short_name", "namespace Corpus.X { public sealed record Created(string Id); } namespace Corpus.Y { public sealed record Created(string Id); }",
            ["Corpus.X.Created", "Corpus.Y.Created"], []),
        ("internal_sibling", "namespace Corpus.X { public sealed record Created(string Id); } namespace Corpus.Y { internal sealed record Created(string Id); }",
            ["Corpus.X.Created"], ["Corpus.Y.Created"]),
        ("nested", "namespace Corpus { public static class Orders { public sealed record Created(string Id); } public sealed record Created(string Id); }",
            ["Corpus.Orders.Created", "Corpus.Created"], []),
        ("nested_same_names", "namespace Corpus.X { public static class Orders { public sealed record Created(string Id); } } namespace Corpus.Y { public static class Orders { public sealed record Created(string Id); } }",
            ["Corpus.X.Orders.Created", "Corpus.Y.Orders.Created"], []),
        ("closed_generics", "namespace Corpus { public sealed record Item(string Id); } namespace Corpus.A { public sealed record Envelope<T>(T Value); } namespace Corpus.B { public sealed record Envelope<T>(T Value); }",
            ["Corpus.A.Envelope<Corpus.Item>", "Corpus.B.Envelope<Corpus.Item>"], []),
        ("generic_and_plain", "namespace Corpus { public sealed record Item(string Id); public sealed record Envelope<T>(T Value); } namespace Corpus.Other { public sealed record EnvelopeOfItem(string Id); }",
            ["Corpus.Envelope<Corpus.Item>", "Corpus.Other.EnvelopeOfItem"], []),
        ("message_name", "namespace Corpus.X { [Warren.Message(\"created.v1\")] public sealed record Created(string Id); } namespace Corpus.Y { public sealed record Created(string Id); }",
            ["Corpus.X.Created", "Corpus.Y.Created"], []),
        ("topic_templates", "namespace Corpus.X { [Warren.Exchange(\"orders\")] [Warren.Topic(\"order.{Region}.placed\")] public sealed record Placed(string Region); } namespace Corpus.Y { [Warren.Exchange(\"orders\")] public sealed record Placed(string Id); }",
            ["Corpus.X.Placed", "Corpus.Y.Placed"], []),
        ("experimental_sibling", "namespace Corpus.X { [System.Diagnostics.CodeAnalysis.Experimental(\"CORPUS1\")] [Warren.Exchange(\"e\")] public sealed record Created(string Id); } namespace Corpus.Y { [Warren.Exchange(\"e\")] public sealed record Created(string Id); }",
            ["Corpus.Y.Created"], []),
        ("internal_generic_sibling", "namespace Corpus { public sealed record Item(string Id); public sealed record Envelope<T>(T Value); } namespace Corpus.Hidden { internal sealed record Envelope<T>(T Value); }",
            ["Corpus.Envelope<Corpus.Item>"], ["Corpus.Hidden.Envelope<Corpus.Item>"]),
    ];

    public static TheoryData<string, bool> ShapeNames()
    {
        var data = new TheoryData<string, bool>();
        foreach (var shape in Shapes)
        {
            data.Add(shape.Name, false);
            data.Add(shape.Name, true);
        }

        return data;
    }

    /// <summary>
    /// For every shape and every public message type of it: the library publishes and consumes all its messages; a
    /// service referencing it consumes the one type (a consumer of its own), then publishes it (a <c>[Publisher]</c>
    /// interface of its own). The library and the service register the same contract name, exchange and routing key
    /// for it, and each side's consumer expects the contract name the other side publishes. One type at a time, so the
    /// service never sees what made the library qualify a name.
    /// </summary>
    [Theory]
    [MemberData(nameof(ShapeNames))]
    public void A_library_and_a_service_agree_on_every_name_of_every_message_shape(string name, bool projectReference)
    {
        var shape = Shapes.Single(s => s.Name == name);
        var all = shape.Public.Concat(shape.Internal).ToArray();
        var library = $$"""
            using System.Threading;
            using System.Threading.Tasks;
            using Warren;

            {{shape.Declarations}}

            namespace Corpus.Lib
            {
                [Publisher]
                internal interface ILibEvents
                {
            {{string.Concat(all.Select((t, i) => $"        Task P{i}(global::{t} message, CancellationToken ct = default);\n"))}}
                }

                [Queue("lib")]
                internal sealed class LibConsumer
                {
            {{string.Concat(all.Select(t => $"        public Task Handle(global::{t} message) => Task.CompletedTask;\n"))}}
                }

            {{string.Concat(shape.Public.Select((t, i) => $"    [System.Text.Json.Serialization.JsonSerializable(typeof(global::{t}), TypeInfoPropertyName = \"P{i}\")]\n"))}}
                public sealed partial class LibJson : System.Text.Json.Serialization.JsonSerializerContext;
            {{(shape.Internal.Length == 0 ? string.Empty : string.Concat(shape.Internal.Select((t, i) => $"    [System.Text.Json.Serialization.JsonSerializable(typeof(global::{t}), TypeInfoPropertyName = \"I{i}\")]\n")) + "    internal sealed partial class LibInternalJson : System.Text.Json.Serialization.JsonSerializerContext;")}}
            }
            """;

        var own = GeneratorHarness.Run("Corpus.Lib", [], library);
        Assert.Empty(own.CompileDiagnostics.Select(d => d.ToString()));
        var libraryRoutes = Routes(own.Sources);
        var libraryConsumes = Consumed(own.Sources);
        var reference = projectReference ? GeneratorHarness.LibraryCompilation("Corpus.Lib", library) : GeneratorHarness.BuildLibrary("Corpus.Lib", library);
        foreach (var type in shape.Public)
        {
            var typeName = "global::" + type.Replace("<", "<global::", StringComparison.Ordinal);
            var expected = libraryRoutes[typeName];
            Assert.Contains((Plain(typeName), expected.Contract), libraryConsumes);

            var consumer = GeneratorHarness.Run("Corpus.Consumer", [reference], $$"""
                namespace Corpus.Service;

                [Warren.Queue("service")]
                public sealed class ServiceConsumer
                {
                    public System.Threading.Tasks.Task Handle({{typeName}} message) => System.Threading.Tasks.Task.CompletedTask;
                }
                """);
            Assert.Empty(consumer.CompileDiagnostics.Select(d => d.ToString()));
            Assert.Equal((type, expected), (type, Routes(consumer.Sources)[typeName]));
            Assert.Contains((Plain(typeName), expected.Contract), Consumed(consumer.Sources));

            var publisher = GeneratorHarness.Run("Corpus.Publisher", [reference], $$"""
                namespace Corpus.Service;

                [Warren.Publisher]
                public interface IServiceEvents
                {
                    System.Threading.Tasks.Task Send({{typeName}} message, System.Threading.CancellationToken ct = default);
                }
                """);
            Assert.Empty(publisher.CompileDiagnostics.Select(d => d.ToString()));
            Assert.Equal((type, expected), (type, Routes(publisher.Sources)[typeName]));
        }
    }

    private static string Plain(string typeName) => typeName.Replace("global::", string.Empty, StringComparison.Ordinal);

    /// <summary>
    /// A library built by a Warren that listed no names (here: built without <c>Warren.ContractNames.g.cs</c>) is read
    /// again from its metadata, as before: a type qualified there because of an internal sibling is qualified here too.
    /// </summary>
    [Fact]
    public void A_library_without_the_list_is_named_again_from_its_metadata()
    {
        var (output, list) = GenerateCrm();
        Assert.Contains("global::Crm.Users.Created=crm.users.created", list.ToString(), StringComparison.Ordinal);
        Assert.Equal("crm.users.created", HostContractOfCreated(output.RemoveSyntaxTrees(list)));
    }

    /// <summary>
    /// A library whose public <c>Crm.Users.Created</c> is qualified because of an internal sibling of the same simple
    /// name that is a Warren message.
    /// </summary>
    private const string Crm = """
        namespace Crm.Users
        {
            public sealed record Created(string Id);

            [System.Text.Json.Serialization.JsonSerializable(typeof(Created))]
            public sealed partial class CrmJson : System.Text.Json.Serialization.JsonSerializerContext;
        }

        namespace Crm.Audit
        {
            [Warren.Exchange("crm")]
            internal sealed record Created(string Id);

            [System.Text.Json.Serialization.JsonSerializable(typeof(Created))]
            internal sealed partial class AuditJson : System.Text.Json.Serialization.JsonSerializerContext;

            [Warren.Queue("crm-users")]
            internal sealed class Users
            {
                public System.Threading.Tasks.Task Handle(Crm.Users.Created created) => System.Threading.Tasks.Task.CompletedTask;
            }
        }
        """;

    /// <summary>Runs the generator on <see cref="Crm"/>: the library's compilation and its list of contract names.</summary>
    private static (Compilation Output, SyntaxTree List) GenerateCrm()
    {
        var compilation = GeneratorHarness.Compile("Crm", [], false, Crm);
        GeneratorHarness.CreateDriver().RunGeneratorsAndUpdateCompilation(compilation, out var output, out _);
        return (output, Assert.Single(output.SyntaxTrees, t => t.FilePath.EndsWith(Emitting.ContractNamesEmitter.HintName, StringComparison.Ordinal)));
    }

    /// <summary>The contract a service consuming <c>Crm.Users.Created</c> gives it, with the library built as an image.</summary>
    private static string HostContractOfCreated(Compilation library)
    {
        using var image = new System.IO.MemoryStream();
        var emitted = library.Emit(image);
        Assert.True(emitted.Success, string.Join("\n", emitted.Diagnostics));

        var run = GeneratorHarness.Run("Crm.Host", [MetadataReference.CreateFromImage(image.ToArray())], """
            [Warren.Queue("host")]
            public sealed class HostConsumer
            {
                public System.Threading.Tasks.Task Handle(Crm.Users.Created created) => System.Threading.Tasks.Task.CompletedTask;
            }
            """);

        Assert.Empty(run.CompileDiagnostics.Select(d => d.ToString()));
        return Routes(run.Sources)["global::Crm.Users.Created"].Contract;
    }

    private const string IvApp = """
        using System.Threading.Tasks;
        using Warren;

        [assembly: System.Runtime.CompilerServices.InternalsVisibleTo("Iv.Tests")]

        namespace Iv.App
        {
            namespace Orders
            {
                [Exchange("iv")]
                internal sealed record Created(string Id);
            }

            namespace Users
            {
                [Exchange("iv")]
                internal sealed record Created(string Id);
            }

            [Exchange("iv")]
            public sealed record Ping(string Id);

            [Queue("iv-app")]
            internal sealed class Watcher
            {
                public Task Handle(Orders.Created created) => Task.CompletedTask;

                public Task Handle(Users.Created created) => Task.CompletedTask;
            }

            [System.Text.Json.Serialization.JsonSerializable(typeof(Orders.Created), TypeInfoPropertyName = "OrderCreated")]
            [System.Text.Json.Serialization.JsonSerializable(typeof(Users.Created), TypeInfoPropertyName = "UserCreated")]
            [System.Text.Json.Serialization.JsonSerializable(typeof(Ping))]
            internal sealed partial class IvJson : System.Text.Json.Serialization.JsonSerializerContext;
        }
        """;

    /// <summary>
    /// An application's internal messages, qualified there because they share a short name, keep the qualified name in
    /// the project it gives its internals to (its tests): the list holds the internal messages of an assembly giving
    /// its internals, and the names of a project reference (no list) are read again from its source.
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void The_internal_messages_of_an_application_keep_their_names_in_its_friend(bool projectReference)
    {
        const string Tests = """
            namespace Iv.Tests
            {
                [Warren.Queue("iv-tests")]
                internal sealed class Probe
                {
                    public System.Threading.Tasks.Task Handle(Iv.App.Orders.Created created) => System.Threading.Tasks.Task.CompletedTask;
                }
            }
            """;
        var own = GeneratorHarness.Run("Iv.App", [], IvApp);
        Assert.Empty(own.CompileDiagnostics.Select(d => d.ToString()));
        Assert.Equal("iv.app.orders.created", Routes(own.Sources)["global::Iv.App.Orders.Created"].Contract);
        var list = own.Sources[Emitting.ContractNamesEmitter.HintName];
        Assert.Contains("global::Iv.App.Orders.Created=iv.app.orders.created", list, StringComparison.Ordinal);
        Assert.Contains("global::Iv.App.Users.Created=iv.app.users.created", list, StringComparison.Ordinal);

        var reference = projectReference ? GeneratorHarness.LibraryCompilation("Iv.App", IvApp) : GeneratorHarness.BuildLibrary("Iv.App", IvApp);
        var run = GeneratorHarness.Run("Iv.Tests", [reference], Tests);

        Assert.Empty(run.CompileDiagnostics.Select(d => d.ToString()));
        // The app gives its internals to the tests, so its internal JSON context serves the message there; its name is the app's.
        Assert.Contains(
            "Contract<global::Iv.App.Orders.Created>(builder, \"iv.app.orders.created\", global::Iv.App.IvJson.Default,",
            Regex.Replace(run.Sources["Warren.Contracts.g.cs"], @"\s+", " "),
            StringComparison.Ordinal);
        Assert.Contains(("Iv.App.Orders.Created", "iv.app.orders.created"), Consumed(run.Sources));
    }

    /// <summary>Without <c>InternalsVisibleTo</c> no other assembly can name an internal message: the list holds the public ones only.</summary>
    [Fact]
    public void The_list_of_an_assembly_giving_no_internals_holds_its_public_messages_only()
    {
        var run = GeneratorHarness.Run("Iv.App", [], IvApp.Replace("[assembly: System.Runtime.CompilerServices.InternalsVisibleTo(\"Iv.Tests\")]", string.Empty, StringComparison.Ordinal));

        var list = run.Sources[Emitting.ContractNamesEmitter.HintName];
        Assert.Contains("global::Iv.App.Ping=ping", list, StringComparison.Ordinal);
        Assert.DoesNotContain("Created", list, StringComparison.Ordinal);
    }

    /// <summary>
    /// A list the generator cannot read (no format line, another format, two attributes) is not taken for a complete
    /// one, and a type a readable list does not hold is read again from the metadata: either way the type keeps the
    /// qualified name its assembly gave it. A readable list holding the type is used as it is.
    /// </summary>
    [Theory]
    [InlineData("", "crm.users.created")]
    [InlineData("warren-contract-names/1", "crm.users.created")]
    [InlineData("global::Crm.Users.Created=created", "crm.users.created")]
    [InlineData("warren-contract-names/2\nglobal::Crm.Users.Created=created", "crm.users.created")]
    [InlineData("warren-contract-names/1\nglobal::Crm.Users.Created", "crm.users.created")]
    [InlineData("warren-contract-names/1\nglobal::Crm.Users.Created=created\n|warren-contract-names/1\nglobal::Crm.Users.Created=created", "crm.users.created")]
    [InlineData("warren-contract-names/1\nglobal::Crm.Users.Created=created", "created")]
    public void A_list_that_cannot_be_read_or_misses_a_type_falls_back_to_the_metadata(string lists, string expected)
    {
        var (output, list) = GenerateCrm();
        var attributes = string.Concat(lists.Split('|').Select(l =>
            "[assembly: System.Reflection.AssemblyMetadata(\"Warren.ContractNames\", " + Microsoft.CodeAnalysis.CSharp.SymbolDisplay.FormatLiteral(l, quote: true) + ")]\n"));
        var replaced = output.ReplaceSyntaxTree(list, Microsoft.CodeAnalysis.CSharp.CSharpSyntaxTree.ParseText(attributes, (Microsoft.CodeAnalysis.CSharp.CSharpParseOptions)list.Options, list.FilePath));
        Assert.Equal(expected, HostContractOfCreated(replaced));
    }

    /// <summary>A tuple type argument is listed and looked up without its element names, which do not make another type.</summary>
    [Theory]
    [InlineData("global::Gen.Envelope<(int A, string B)>", "global::Gen.Envelope<(int, string)>")]
    [InlineData("global::Gen.Envelope<(int, string)>", "global::Gen.Envelope<(int, string)>")]
    [InlineData("global::Gen.Envelope<(global::Gen.Item? First, global::System.Collections.Generic.List<int> Rest)>", "global::Gen.Envelope<(global::Gen.Item?, global::System.Collections.Generic.List<int>)>")]
    [InlineData("global::Gen.Envelope<((int A, int B) Pair, int[] Items)>", "global::Gen.Envelope<((int, int), int[])>")]
    [InlineData("global::Gen.Envelope<global::Gen.Item, int>", "global::Gen.Envelope<global::Gen.Item, int>")]
    public void Tuple_element_names_are_not_part_of_the_lookup_key(string typeName, string key) =>
        Assert.Equal(key, Parsing.DeclaredContractNames.LookupKey(typeName));

    /// <summary>
    /// Builds the library, reads the route its own generated code registers for <paramref name="typeName"/>, then builds
    /// the service referencing it and asserts that the service registers and consumes the same names.
    /// </summary>
    private static void AssertAgreement(string libraryName, string library, string serviceName, string service, bool projectReference, string typeName, string expectedContract)
    {
        var own = GeneratorHarness.Run(libraryName, [], library);
        Assert.Empty(own.CompileDiagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).Select(d => d.ToString()));
        var libraryRoutes = Routes(own.Sources);
        Assert.Equal(expectedContract, libraryRoutes[typeName].Contract);

        var reference = projectReference ? GeneratorHarness.LibraryCompilation(libraryName, library) : GeneratorHarness.BuildLibrary(libraryName, library);
        var run = GeneratorHarness.Run(serviceName, [reference], service);
        Assert.Empty(run.CompileDiagnostics.Select(d => d.ToString()));
        Assert.Equal(libraryRoutes[typeName], Routes(run.Sources)[typeName]);
        var consumed = Consumed(run.Sources);
        Assert.True(consumed.Contains((typeName.Replace("global::", string.Empty, StringComparison.Ordinal), expectedContract)), string.Join("\n", consumed));
    }

    /// <summary>
    /// A route as the generated contracts register it: contract name, exchange and routing key (the fixed key, or the
    /// template of a key read from the message).
    /// </summary>
    internal sealed record Route(string Contract, string Exchange, string? Key);

    /// <summary>The routes the generated <c>WarrenContracts.Register</c> registers, by message type.</summary>
    internal static Dictionary<string, Route> Routes(IReadOnlyDictionary<string, string> sources)
    {
        var routes = new Dictionary<string, Route>(StringComparer.Ordinal);
        if (!sources.TryGetValue("Warren.Contracts.g.cs", out var contracts))
        {
            return routes;
        }

        var unwrapped = Regex.Replace(Regex.Replace(contracts, @"\(\s*\n\s*", "("), @",\s*\n\s*", ", ");
        foreach (Match match in Regex.Matches(unwrapped, @"\bContract(?:ByWordIndex)?<(?<type>[^()]+?)>\(builder, (?<contract>""(?:[^""\\]|\\.)*""), [^,]+, (?<exchange>""(?:[^""\\]|\\.)*""), (?:(?<key>""(?:[^""\\]|\\.)*"")|RoutingKey_\w+(?:, (?<key>""(?:[^""\\]|\\.)*""|null))?)"))
        {
            var key = match.Groups["key"].Success && match.Groups["key"].Value != "null" ? Unquote(match.Groups["key"].Value) : null;
            routes[match.Groups["type"].Value] = new Route(Unquote(match.Groups["contract"].Value), Unquote(match.Groups["exchange"].Value), key);
        }

        return routes;
    }

    /// <summary>The contracts the manifest says the assembly's queues consume: type name (without <c>global::</c>) and contract.</summary>
    internal static IReadOnlyList<(string Type, string Contract)> Consumed(IReadOnlyDictionary<string, string> sources)
    {
        var manifest = sources["Warren.Manifest.g.cs"];
        return Regex.Matches(manifest, @"\{""""queue"""":""""[^""]*"""",\s*""""contract"""":""""(?<contract>[^""]*)"""",\s*""""type"""":""""(?<type>[^""]*)""""\}")
            .Select(m => (m.Groups["type"].Value.Replace("global::", string.Empty, StringComparison.Ordinal), m.Groups["contract"].Value))
            .ToList();
    }

    private static string Unquote(string literal) => System.Text.Json.JsonSerializer.Deserialize<string>(literal)!;
}
