using System;
using System.Collections.Immutable;
using System.Globalization;
using System.Linq;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Warren.Analyzers;
using Warren.Generators.Tests.Infrastructure;
using Xunit;

namespace Warren.Generators.Tests;

/// <summary>
/// What a service does with the <c>[RpcService]</c> interfaces and JSON contexts of a contracts library it references,
/// the library built as an assembly (a command-line build) or given as its compilation (a project reference in the IDE):
/// a contract Warren cannot serve in the service is reported at the service's code, not left to fail at run time.
/// </summary>
public sealed class ReferencedContractTests
{
    /// <summary>
    /// A referenced RPC interface whose method the rules reject (WRN018, suppressed in the library) gets no proxy, and the
    /// service's code naming it is told why with the rule's own id, as for a local interface; the build is clean otherwise.
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_referenced_rpc_method_the_rules_reject_is_WRN018_where_the_code_names_the_interface(bool projectReference)
    {
        var library = Library("Quote.Contracts", """
            using System.Threading.Tasks;
            using Warren;

            namespace Quote.Contracts;

            public sealed record Ask(string Sku);

            public sealed record Bid(string Sku);

            public sealed record Quote(decimal Price);

            [RpcService("quotes")]
            public interface IQuotes
            {
                Task<Quote> Price(Ask ask, Bid bid);
            }
            """, projectReference, "WRN018");

        var (output, diagnostics) = await Analyze("Quote.Host", library, """
            using Microsoft.Extensions.DependencyInjection;

            namespace Quote.Host;

            public static class Use
            {
                public static object Get(System.IServiceProvider services) => services.GetRequiredService<Quote.Contracts.IQuotes>();
            }
            """);

        Assert.DoesNotContain(output.SyntaxTrees, t => t.FilePath.Contains("IQuotes", StringComparison.Ordinal));
        var reported = Assert.Single(diagnostics, d => d.Id.StartsWith("WRN", StringComparison.Ordinal));
        Assert.Equal("WRN018", reported.Id);
        Assert.Equal("Source0.cs", reported.Location.SourceTree?.FilePath);
        Assert.Equal("IQuotes", reported.Location.SourceTree!.GetText().ToString(reported.Location.SourceSpan));
        Assert.Contains("(assembly Quote.Contracts)", Message(reported), StringComparison.Ordinal);
    }

    /// <summary>
    /// A referenced RPC interface whose request type is <c>[Experimental]</c>: the proxy would report the id in generated
    /// files, so without the project suppressing it there is none and the code naming the interface (here a server
    /// implementing it) gets WRN023 saying how to suppress it; with the id suppressed the proxy and server are generated.
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_referenced_experimental_rpc_service_is_reported_unless_the_project_suppresses_its_id(bool projectReference)
    {
        var library = Library("Beta.Contracts", """
            using System.Diagnostics.CodeAnalysis;
            using System.Text.Json.Serialization;
            using System.Threading.Tasks;
            using Warren;

            namespace Beta.Contracts;

            [Experimental("BETA1")]
            public sealed record Probe(string Id);

            public sealed record Echo(string Id);

            #pragma warning disable BETA1
            [RpcService("beta")]
            public interface IBeta
            {
                Task<Echo> Send(Probe probe);
            }

            [JsonSerializable(typeof(Probe))]
            [JsonSerializable(typeof(Echo))]
            public sealed partial class BetaJson : JsonSerializerContext;
            """, projectReference, "BETA1");
        const string Host = """
            using System.Threading.Tasks;

            namespace Beta.Host;

            #pragma warning disable BETA1
            public sealed class Server : Beta.Contracts.IBeta
            {
                public Task<Beta.Contracts.Echo> Send(Beta.Contracts.Probe probe) => Task.FromResult(new Beta.Contracts.Echo(probe.Id));
            }
            """;

        var (output, diagnostics) = await Analyze("Beta.Host", library, Host);
        Assert.DoesNotContain(output.SyntaxTrees, t => t.FilePath.Contains("IBeta", StringComparison.Ordinal));
        var reported = Assert.Single(diagnostics, d => d.Id.StartsWith("WRN", StringComparison.Ordinal));
        Assert.Equal("WRN023", reported.Id);
        Assert.Equal("IBeta", reported.Location.SourceTree!.GetText().ToString(reported.Location.SourceSpan));
        Assert.Contains("<NoWarn>BETA1</NoWarn>", Message(reported), StringComparison.Ordinal);

        var (suppressed, quiet) = await Analyze("Beta.Host", library, Host, "BETA1");
        Assert.Contains(suppressed.SyntaxTrees, t => t.FilePath.Contains("Beta_Contracts_IBeta.RpcClient", StringComparison.Ordinal));
        Assert.Contains(suppressed.SyntaxTrees, t => t.FilePath.Contains("Beta_Contracts_IBeta.RpcServer", StringComparison.Ordinal));
        Assert.Empty(quiet.Where(d => d.Id.StartsWith("WRN", StringComparison.Ordinal)).Select(d => d.ToString()));
    }

    /// <summary>
    /// A referenced RPC interface inheriting from an assembly the service does not reference: no proxy can be generated
    /// there, and the catch-all WRN023 says so where the code names it.
    /// </summary>
    [Fact]
    public async Task A_referenced_rpc_service_this_project_cannot_proxy_is_reported_where_it_is_named()
    {
        var core = GeneratorHarness.BuildLibrary("Tock.Core", """
            using System.Threading.Tasks;

            namespace Tock.Core;

            public sealed record Tock(string Id);

            public interface ITockBase
            {
                Task<Tock> Send(Tock t);
            }
            """);
        var contracts = GeneratorHarness.BuildLibrary("Tock.Contracts", """
            using Warren;

            namespace Tock.Contracts;

            [RpcService("tocks")]
            public interface ITocks : Tock.Core.ITockBase;
            """, core);

        var (output, diagnostics) = await Analyze("Tock.Host", contracts, """
            namespace Tock.Host;

            public sealed class Flow(Tock.Contracts.ITocks tocks)
            {
                public object Tocks { get; } = tocks;
            }
            """);

        Assert.DoesNotContain(output.SyntaxTrees, t => t.FilePath.Contains("ITocks", StringComparison.Ordinal));
        var reported = Assert.Single(diagnostics, d => d.Id.StartsWith("WRN", StringComparison.Ordinal));
        Assert.Equal("WRN023", reported.Id);
        Assert.Contains("cannot generate", Message(reported), StringComparison.Ordinal);
        Assert.Equal("ITocks", reported.Location.SourceTree!.GetText().ToString(reported.Location.SourceSpan));
    }

    /// <summary>An internal RPC interface of a library is proxied in the library only; the service neither proxies nor reports it.</summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task An_internal_referenced_rpc_service_is_neither_proxied_nor_reported(bool projectReference)
    {
        var library = Library("Hush.Contracts", """
            using System.Text.Json.Serialization;
            using System.Threading.Tasks;
            using Warren;

            namespace Hush.Contracts;

            public sealed record Ping(string Id);

            [RpcService("hush")]
            internal interface IHush
            {
                Task<Ping> Send(Ping ping);
            }

            [JsonSerializable(typeof(Ping))]
            public sealed partial class HushJson : JsonSerializerContext;
            """, projectReference);

        var (output, diagnostics) = await Analyze("Hush.Host", library, """
            namespace Hush.Host;

            public sealed class Flow
            {
                public Hush.Contracts.Ping Ping { get; } = new("p-1");
            }
            """);

        Assert.DoesNotContain(output.SyntaxTrees, t => t.FilePath.Contains("IHush", StringComparison.Ordinal));
        Assert.Empty(diagnostics.Where(d => d.Id.StartsWith("WRN", StringComparison.Ordinal)).Select(d => d.ToString()));
    }

    private const string Parcels = """
        using System.Text.Json.Serialization;
        using System.Threading.Tasks;
        using Warren;

        namespace Parcel.Contracts;

        [Exchange("parcels", ExchangeKind.Topic)]
        [Topic("parcel.sent")]
        public sealed record ParcelSent(string Id);

        [Exchange("parcels", ExchangeKind.Topic)]
        [Topic("parcel.lost")]
        public sealed record ParcelLost(string Id);

        [Exchange("parcels", ExchangeKind.Topic)]
        [Topic("parcel.found")]
        public sealed record ParcelFound(string Id);

        [Publisher]
        public partial interface IParcelEvents
        {
            ValueTask Sent(ParcelSent parcel);
        }

        public sealed record Track(string Id);

        public sealed record Position(string At);

        [RpcService("tracking")]
        public interface ITracking
        {
            Task<Position> Locate(Track track);
        }

        [JsonSerializable(typeof(ParcelSent))]
        [JsonSerializable(typeof(ParcelLost))]
        [JsonSerializable(typeof(ParcelFound))]
        [JsonSerializable(typeof(Track))]
        [JsonSerializable(typeof(Position))]
        {0} sealed partial class ParcelJson : JsonSerializerContext;
        """;

    /// <summary>
    /// A referenced message whose only JSON context is internal to its library: the service cannot use that context, so
    /// publishing or receiving the message would fail at run time. WRN019 where the service first handles or publishes it
    /// (a handler, an IPublisher call, a call of a referenced publisher or RPC interface's method), saying how to fix it.
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_referenced_message_listed_only_in_an_internal_context_of_its_library_is_WRN019_where_the_service_uses_it(bool projectReference)
    {
        var library = Library("Parcel.Contracts", Parcels.Replace("{0}", "internal", StringComparison.Ordinal), projectReference);

        var (_, diagnostics) = await Analyze("Parcel.Host", library, ParcelHost);

        var reported = diagnostics.Where(d => d.Id == "WRN019").OrderBy(d => d.Location.SourceSpan.Start).ThenBy(d => d.Properties[CompilationRulesAnalyzer.TypeNameProperty]).ToList();
        Assert.Equal(5, reported.Count);
        Assert.All(reported, d => Assert.Equal("Source0.cs", d.Location.SourceTree?.FilePath));
        Assert.Equal("lost", Text(reported[0]));
        Assert.Equal("global::Parcel.Contracts.ParcelLost", reported[0].Properties[CompilationRulesAnalyzer.TypeNameProperty]);
        Assert.Equal("publisher.PublishAsync(new ParcelFound(\"p-1\"))", Text(reported[1]));
        Assert.Equal("global::Parcel.Contracts.ParcelFound", reported[1].Properties[CompilationRulesAnalyzer.TypeNameProperty]);
        Assert.Equal("events.Sent(new ParcelSent(\"p-2\"))", Text(reported[2]));
        Assert.Equal("global::Parcel.Contracts.ParcelSent", reported[2].Properties[CompilationRulesAnalyzer.TypeNameProperty]);
        Assert.Equal(["global::Parcel.Contracts.Position", "global::Parcel.Contracts.Track"], reported.Skip(3).Select(d => d.Properties[CompilationRulesAnalyzer.TypeNameProperty]));
        Assert.All(reported.Skip(3), d => Assert.Equal("tracking.Locate(new Track(\"p-3\"))", Text(d)));
        Assert.All(reported, d => Assert.Contains("lists it in ParcelJson (assembly Parcel.Contracts) only, which is not public", Message(d), StringComparison.Ordinal));
        Assert.Empty(diagnostics.Where(d => d.Id.StartsWith("WRN", StringComparison.Ordinal) && d.Id != "WRN019").Select(d => d.ToString()));
    }

    /// <summary>
    /// A class serving a referenced RPC service whose request and response are listed only in an internal context of the
    /// library: the server would fail every call at run time, so WRN019 is reported at the class, once per type, also when
    /// the service calls the interface as well (then at the first of the two sites).
    /// </summary>
    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    [InlineData(true, true)]
    public async Task A_server_of_a_referenced_rpc_service_whose_types_only_an_internal_context_lists_is_WRN019_at_the_class(bool projectReference, bool alsoCalled)
    {
        var library = Library("Parcel.Contracts", Parcels.Replace("{0}", "internal", StringComparison.Ordinal), projectReference);
        const string Server = """
            using System.Threading.Tasks;
            using Parcel.Contracts;

            namespace Parcel.Host;

            public sealed class TrackingServer : ITracking
            {
                public Task<Position> Locate(Track track) => Task.FromResult(new Position("depot"));
            }
            """;
        const string Caller = """
            using System.Threading.Tasks;
            using Parcel.Contracts;

            namespace Parcel.Host;

            public sealed class Asker(ITracking tracking)
            {
                public Task<Position> Ask() => tracking.Locate(new Track("p-9"));
            }
            """;

        var (_, diagnostics) = await Analyze("Parcel.Host", library, alsoCalled ? [Server, Caller] : [Server]);

        var reported = diagnostics.Where(d => d.Id.StartsWith("WRN", StringComparison.Ordinal)).OrderBy(d => d.Properties[CompilationRulesAnalyzer.TypeNameProperty]).ToList();
        Assert.Equal(["WRN019", "WRN019"], reported.Select(d => d.Id));
        Assert.Equal(["global::Parcel.Contracts.Position", "global::Parcel.Contracts.Track"], reported.Select(d => d.Properties[CompilationRulesAnalyzer.TypeNameProperty]));
        Assert.All(reported, d => Assert.Equal("Source0.cs", d.Location.SourceTree?.FilePath));
        Assert.All(reported, d => Assert.Equal("TrackingServer", Text(d)));
        Assert.All(reported, d => Assert.Contains("lists it in ParcelJson (assembly Parcel.Contracts) only, which is not public", Message(d), StringComparison.Ordinal));
    }

    /// <summary>A public context in the library, or a context of the service listing the type, serves it: nothing is reported.</summary>
    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    [InlineData(true, true)]
    public async Task A_public_library_context_or_a_service_context_keeps_WRN019_quiet(bool projectReference, bool serviceContext)
    {
        var library = Library("Parcel.Contracts", Parcels.Replace("{0}", serviceContext ? "internal" : "public", StringComparison.Ordinal), projectReference);
        var sources = serviceContext
            ? new[]
            {
                ParcelHost, """
                namespace Parcel.Host;

                [System.Text.Json.Serialization.JsonSerializable(typeof(Parcel.Contracts.ParcelSent))]
                [System.Text.Json.Serialization.JsonSerializable(typeof(Parcel.Contracts.ParcelLost))]
                [System.Text.Json.Serialization.JsonSerializable(typeof(Parcel.Contracts.ParcelFound))]
                [System.Text.Json.Serialization.JsonSerializable(typeof(Parcel.Contracts.Track))]
                [System.Text.Json.Serialization.JsonSerializable(typeof(Parcel.Contracts.Position))]
                internal sealed partial class HostJson : System.Text.Json.Serialization.JsonSerializerContext;
                """,
            }
            : new[] { ParcelHost };

        var (_, diagnostics) = await Analyze("Parcel.Host", library, sources);

        Assert.Empty(diagnostics.Where(d => d.Id.StartsWith("WRN", StringComparison.Ordinal)).Select(d => d.ToString()));
    }

    private const string ParcelHost = """
        using System.Threading;
        using System.Threading.Tasks;
        using Parcel.Contracts;
        using Warren;

        namespace Parcel.Host;

        [Queue("parcel-watch")]
        public sealed class Watcher
        {
            [Topic("parcel.#")]
            public Task Handle(ParcelLost lost, CancellationToken ct) => Task.CompletedTask;
        }

        public sealed class Flow(IPublisher publisher, IParcelEvents events, ITracking tracking)
        {
            public async Task<Position> Go()
            {
                await publisher.PublishAsync(new ParcelFound("p-1"));
                await events.Sent(new ParcelSent("p-2"));
                return await tracking.Locate(new Track("p-3"));
            }
        }
        """;

    /// <summary>A library built with the given ids suppressed, as an emitted assembly or (<paramref name="projectReference"/>) as its compilation.</summary>
    private static MetadataReference Library(string name, string source, bool projectReference, params string[] noWarn)
    {
        GeneratorHarness.NoWarn.Value = noWarn;
        try
        {
            return projectReference ? GeneratorHarness.LibraryCompilation(name, source) : GeneratorHarness.BuildLibrary(name, source);
        }
        finally
        {
            GeneratorHarness.NoWarn.Value = null;
        }
    }

    /// <summary>Generates the service with the given ids suppressed; the output must compile, and the analyzers' findings are returned.</summary>
    private static async Task<(Compilation Output, ImmutableArray<Diagnostic> Diagnostics)> Analyze(string name, MetadataReference library, string source, params string[] noWarn) =>
        await Analyze(name, library, [source], noWarn);

    private static async Task<(Compilation Output, ImmutableArray<Diagnostic> Diagnostics)> Analyze(string name, MetadataReference library, string[] sources, params string[] noWarn)
    {
        GeneratorHarness.NoWarn.Value = noWarn;
        try
        {
            var compilation = GeneratorHarness.Compile(name, [library], false, sources);
            GeneratorHarness.CreateDriver().RunGeneratorsAndUpdateCompilation(compilation, out var output, out var generatorDiagnostics);
            Assert.Empty(output.GetDiagnostics().Concat(generatorDiagnostics).Where(d => d.Severity >= DiagnosticSeverity.Warning).Select(d => d.ToString()));
            var diagnostics = await output.WithAnalyzers([new SymbolRulesAnalyzer(), new CompilationRulesAnalyzer(), new PublishTargetAnalyzer(), new ReferencedInterfaceAnalyzer()])
                .GetAnalyzerDiagnosticsAsync();
            return (output, diagnostics);
        }
        finally
        {
            GeneratorHarness.NoWarn.Value = null;
        }
    }

    private static string Text(Diagnostic diagnostic) => diagnostic.Location.SourceTree!.GetText().ToString(diagnostic.Location.SourceSpan);

    private static string Message(Diagnostic diagnostic) => diagnostic.GetMessage(CultureInfo.InvariantCulture);
}
