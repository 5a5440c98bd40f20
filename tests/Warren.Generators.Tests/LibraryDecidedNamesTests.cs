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
