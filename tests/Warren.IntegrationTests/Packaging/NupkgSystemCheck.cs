using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using Xunit;

namespace Warren.IntegrationTests.Packaging;

/// <summary>
/// The manifest each build writes and the system check over them, from the packed nupkg: two systems in one generated
/// solution (built by one <c>dotnet build</c>). A clean one (a shop publishing orders and calling stock, a warehouse
/// consuming them and serving stock) passes through the documented MSBuild target of a system project; a broken one has
/// every conflict class the check knows, each found from the real builds. Then drift: an exchange of the clean system
/// declared differently on the live node is found over AMQP and in the node's exported definitions.
/// </summary>
public sealed partial class NupkgUserProjectTests
{
    [Fact]
    public async Task The_system_check_passes_a_clean_system_finds_every_conflict_class_and_drift_on_a_live_node()
    {
        var id = Guid.NewGuid().ToString("N")[..8];
        var directory = Directory.CreateTempSubdirectory("warren-system-").FullName;
        try
        {
            var version = await WritePackageSourcesAsync(directory, packed.Path);
            var projects = new List<string>();
            async Task Project(string name, bool exe, string[] references, string code, string extra = "", string properties = "")
            {
                await WriteUserProjectAsync(directory, version, name, exe, references, code.Replace("ID", id, StringComparison.Ordinal), extra, properties);
                projects.Add($"{name}/{name}.csproj");
            }

            await Project("OkContracts", false, [], OkContracts);
            await Project("OkShop", true, ["OkContracts"], OkShop);
            await Project("OkWarehouse", true, ["OkContracts"], OkWarehouse);
            // The documented command: a system project listing the services; its build checks them.
            await Project("OkSystem", false, [], "namespace OkSystem;\n", """<WarrenService Include="../OkShop/OkShop.csproj;../OkWarehouse/OkWarehouse.csproj" />""");
            await Project("BadContracts", false, [], BadContracts);
            await Project("BadPublisher", true, ["BadContracts"], BadPublisher);
            // Messages these consumers' assemblies route but do not bind are WRN013 there: the check reports the system's view.
            const string NoWrn013 = "<NoWarn>$(NoWarn);WRN013</NoWarn>";
            await Project("BadJobsA", true, ["BadContracts"], BadJobs("BadJobsA", "[Priority(Max = 5)]", "Direct", string.Empty), properties: NoWrn013);
            await Project("BadJobsB", true, ["BadContracts"], BadJobs("BadJobsB", string.Empty, "Fanout", "public Task Handle(Memo memo, CancellationToken ct) => Task.CompletedTask;") + BadPongConsumer, properties: NoWrn013);
            var solution = await Run.ProcessAsync("dotnet", ["new", "sln", "-n", "System", "--format", "sln"], directory, new Dictionary<string, string>(), TimeSpan.FromSeconds(60));
            Assert.True(solution.ExitCode == 0, solution.Output);
            var add = await Run.ProcessAsync("dotnet", ["sln", "System.sln", "add", .. projects], directory, new Dictionary<string, string>(), TimeSpan.FromSeconds(60));
            Assert.True(add.ExitCode == 0, add.Output);

            var build = await DotnetAsync(directory, ["build", "System.sln", "-c", "Release", "-nologo", "-m:2"], TimeSpan.FromSeconds(300));
            output.WriteLine($"build: {build.Elapsed.TotalSeconds:F1} s");
            Assert.True(build.ExitCode == 0, "the systems did not build:\n" + build.Output);
            // BadPublisher publishes a message nothing binds, but has no consumers: WRN013 is the check's (WRS003) there.
            Assert.DoesNotContain("WRN013", build.Output, StringComparison.Ordinal);

            // Every service's build wrote its manifest, definitions.json and diagram; the clean system's check passed.
            string Out(string project) => Path.Combine(directory, project, "bin", "Release", "net10.0", "warren");
            foreach (var project in new[] { "OkShop", "OkWarehouse", "BadPublisher", "BadJobsA", "BadJobsB" })
            {
                Assert.True(File.Exists(Path.Combine(Out(project), "manifest.json")), $"{project} wrote no manifest:\n{build.Output}");
                Assert.True(File.Exists(Path.Combine(Out(project), "definitions.json")), $"{project} wrote no definitions.json");
                Assert.True(File.Exists(Path.Combine(Out(project), "topology.mmd")), $"{project} wrote no topology.mmd");
            }

            var shop = await File.ReadAllTextAsync(Path.Combine(Out("OkShop"), "manifest.json"));
            output.WriteLine("OkShop manifest.json:\n" + shop);
            Assert.Contains($"\"routingKey\": \"order.{{Region}}.placed\"", shop, StringComparison.Ordinal);
            Assert.Contains($"\"service\": \"ok-{id}-stock\"", shop, StringComparison.Ordinal);
            var definitions = await File.ReadAllTextAsync(Path.Combine(Out("OkWarehouse"), "definitions.json"));
            Assert.Contains($"\"name\": \"ok-{id}.warehouse\"", definitions, StringComparison.Ordinal);
            Assert.Contains("Warren system check: 0 error(s)", build.Output, StringComparison.Ordinal);
            var system = await File.ReadAllTextAsync(Path.Combine(Out("OkSystem"), "system.mmd"));
            output.WriteLine("system.mmd:\n" + system);
            Assert.Contains("s_OkShop", system, StringComparison.Ordinal);
            Assert.Contains($"q_ok_2d_{id}__warehouse --> s_OkWarehouse", system, StringComparison.Ordinal);

            // The broken system: every finding from the real builds, and a failing exit code.
            var tool = Path.Combine(directory, "packages", "warren", version, "tools", "manifest", "Warren.Manifest.dll");
            var bad = await Run.ProcessAsync("dotnet", [tool, "check", Out("BadPublisher"), Out("BadJobsA"), Out("BadJobsB")], directory, new Dictionary<string, string>(), TimeSpan.FromSeconds(60));
            output.WriteLine(bad.Output);
            Assert.Equal(1, bad.ExitCode);
            Assert.Contains($"error WRS001 : The exchange 'bad-{id}.shared' is declared differently", bad.Output, StringComparison.Ordinal);
            Assert.Contains($"error WRS002 : The queue 'bad-{id}.jobs' is declared differently", bad.Output, StringComparison.Ordinal);
            Assert.Contains("error WRS003 : BadPublisher publishes 'bad.ping'", bad.Output, StringComparison.Ordinal);
            Assert.Contains($"warning WRS004 : The queue 'bad-{id}.pongs' of BadJobsB is bound to 'bad-{id}.events' with 'pong'", bad.Output, StringComparison.Ordinal);
            Assert.Contains($"error WRS005 : BadPublisher calls the RPC service 'bad-{id}-missing'", bad.Output, StringComparison.Ordinal);
            Assert.Contains($"error WRS006 : The queue 'bad-{id}.jobs' is consumed by services that handle different contracts", bad.Output, StringComparison.Ordinal);
            Assert.Contains("error WRS007 : The contract name 'bad.note' names different types: BadJobsA.Note in BadJobsA; BadJobsB.Note in BadJobsB", bad.Output, StringComparison.Ordinal);

            // Drift: nothing of the clean system exists yet (warnings only), then its exchange declared differently.
            var okManifests = new[] { Path.Combine(Out("OkShop"), "manifest.json"), Path.Combine(Out("OkWarehouse"), "manifest.json") };
            var missing = await Run.ProcessAsync("dotnet", [tool, "check", .. okManifests, "--amqp", broker.AmqpUrl], directory, new Dictionary<string, string>(), TimeSpan.FromSeconds(60));
            output.WriteLine(missing.Output);
            Assert.Equal(0, missing.ExitCode);
            Assert.Contains($"warning WRS010 : The exchange 'ok-{id}.orders'", missing.Output, StringComparison.Ordinal);

            await using (var connection = await broker.ConnectAsync())
            await using (var channel = await connection.CreateChannelAsync())
            {
                await channel.ExchangeDeclareAsync($"ok-{id}.orders", "direct", durable: true, autoDelete: false);
            }

            var drift = await Run.ProcessAsync("dotnet", [tool, "check", .. okManifests, "--amqp", broker.AmqpUrl], directory, new Dictionary<string, string>(), TimeSpan.FromSeconds(60));
            output.WriteLine(drift.Output);
            Assert.Equal(1, drift.ExitCode);
            Assert.Contains($"error WRS011 : The exchange 'ok-{id}.orders' (declared by OkShop and OkWarehouse) is declared topic", drift.Output, StringComparison.Ordinal);
            Assert.Contains("406", drift.Output, StringComparison.Ordinal);

            if (broker.Broker is { } node)
            {
                // The same from the node's exported definitions (rabbitmqctl, no management plugin needed).
                var export = Path.Combine(directory, "broker-definitions.json");
                await node.RabbitmqctlAsync(node.Nodes[0], "export_definitions", export);
                var exported = await Run.ProcessAsync("dotnet", [tool, "check", .. okManifests, "--definitions", export], directory, new Dictionary<string, string>(), TimeSpan.FromSeconds(60));
                output.WriteLine(exported.Output);
                Assert.Equal(1, exported.ExitCode);
                Assert.Contains($"error WRS011 : The exchange 'ok-{id}.orders' (declared by OkShop and OkWarehouse) is declared topic, durable, arguments {{}}, the broker has direct, durable, arguments {{}}.", exported.Output, StringComparison.Ordinal);
                Assert.Contains($"warning WRS010 : The queue 'ok-{id}.warehouse'", exported.Output, StringComparison.Ordinal);
            }
        }
        finally
        {
            await using (var connection = await broker.ConnectAsync())
            await using (var channel = await connection.CreateChannelAsync())
            {
                await channel.ExchangeDeleteAsync($"ok-{id}.orders");
            }

            Directory.Delete(directory, recursive: true);
        }
    }

    private const string OkContracts = """
        using System.Text.Json.Serialization;
        using Warren;

        namespace Ok.Contracts;

        [Exchange("ok-ID.orders", ExchangeKind.Topic)]
        [Topic("order.{Region}.placed")]
        [Message("ok.order-placed")]
        public sealed record OrderPlaced(string OrderId, string Region);

        public sealed record StockQuery(string Sku);

        public sealed record StockLevel(string Sku, int Units);

        [RpcService("ok-ID-stock")]
        public interface IStock
        {
            Task<StockLevel> Check(StockQuery query, CancellationToken ct = default);
        }

        [JsonSerializable(typeof(OrderPlaced))]
        [JsonSerializable(typeof(StockQuery))]
        [JsonSerializable(typeof(StockLevel))]
        public sealed partial class OkJson : JsonSerializerContext;
        """;

    private const string OkShop = """
        using Ok.Contracts;
        using Warren;

        namespace Ok.Shop;

        public sealed class Checkout(IPublisher publisher, IStock stock)
        {
            public async Task Order(string sku)
            {
                var level = await stock.Check(new StockQuery(sku));
                if (level.Units > 0)
                {
                    await publisher.PublishAsync(new OrderPlaced(sku, "eu"));
                }
            }
        }

        public static class Program
        {
            public static void Main() => Console.WriteLine(typeof(Checkout));
        }
        """;

    private const string OkWarehouse = """
        using Ok.Contracts;
        using Warren;

        namespace Ok.Warehouse;

        [Queue("ok-ID.warehouse")]
        public sealed class Picking
        {
            [Topic("order.*.placed")]
            public Task Handle(OrderPlaced order, CancellationToken ct) => Task.CompletedTask;
        }

        public sealed class Stock : IStock
        {
            public Task<StockLevel> Check(StockQuery query, CancellationToken ct = default) => Task.FromResult(new StockLevel(query.Sku, 3));
        }

        public static class Program
        {
            public static void Main() => Console.WriteLine(typeof(Picking));
        }
        """;

    private const string BadContracts = """
        using System.Text.Json.Serialization;
        using Warren;

        namespace Bad.Contracts;

        [Exchange("bad-ID.events", ExchangeKind.Topic)]
        [Topic("ping")]
        [Message("bad.ping")]
        public sealed record Ping(string Id);

        [Exchange("bad-ID.events", ExchangeKind.Topic)]
        [Topic("pong")]
        [Message("bad.pong")]
        public sealed record Pong(string Id);

        public sealed record Question(string Text);

        public sealed record Answer(string Text);

        [RpcService("bad-ID-missing")]
        public interface IMissing
        {
            Task<Answer> Ask(Question question, CancellationToken ct = default);
        }

        [JsonSerializable(typeof(Ping))]
        [JsonSerializable(typeof(Pong))]
        [JsonSerializable(typeof(Question))]
        [JsonSerializable(typeof(Answer))]
        public sealed partial class BadJson : JsonSerializerContext;
        """;

    // Publishes a ping nobody binds and calls a service nobody serves; has no consumer, so no WRN013 here.
    private const string BadPublisher = """
        using Bad.Contracts;
        using Warren;

        namespace BadPublisher;

        public sealed class Caller(IPublisher publisher, IMissing missing)
        {
            public async Task Run()
            {
                await publisher.PublishAsync(new Ping("1"));
                await missing.Ask(new Question("?"));
            }
        }

        public static class Program
        {
            public static void Main() => Console.WriteLine(typeof(Caller));
        }
        """;

    /// <summary>A service consuming bad-ID.jobs with its own Note type (same contract name), declaring bad-ID.shared its own way.</summary>
    private static string BadJobs(string name, string priority, string sharedKind, string extraHandler) => $$"""
        using System.Text.Json.Serialization;
        using Warren;

        namespace {{name}};

        [Exchange("bad-ID.notes", ExchangeKind.Topic)]
        [Topic("note")]
        [Message("bad.note")]
        public sealed record Note(string Text);

        [Exchange("bad-ID.notes", ExchangeKind.Topic)]
        [Topic("memo")]
        public sealed record Memo(string Text);

        [Exchange("bad-ID.shared", ExchangeKind.{{sharedKind}})]
        [Topic("shared")]
        public sealed record Shared(string Text);

        [Queue("bad-ID.jobs")]
        {{priority}}
        public sealed class Jobs
        {
            public Task Handle(Note note, CancellationToken ct) => Task.CompletedTask;

            {{extraHandler}}
        }

        [JsonSerializable(typeof(Note))]
        [JsonSerializable(typeof(Shared))]
        [JsonSerializable(typeof(Memo))]
        internal sealed partial class {{name}}Json : JsonSerializerContext;

        public static class Program
        {
            public static void Main() => Console.WriteLine(typeof(Jobs));
        }

        """;

    private const string BadPongConsumer = """
        [Queue("bad-ID.pongs")]
        public sealed class Pongs
        {
            public Task Handle(Bad.Contracts.Pong pong, CancellationToken ct) => Task.CompletedTask;
        }
        """;
}
