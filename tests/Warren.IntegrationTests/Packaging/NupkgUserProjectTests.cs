using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using System.Threading.Tasks;
using RabbitMQ.Client;
using Xunit;
using Xunit.Abstractions;

namespace Warren.IntegrationTests.Packaging;

/// <summary>
/// A user's project built from the packed nupkg, not from project references: a message, a consumer, a [Publisher] and an
/// RPC service, compiled warning-free by the generator and analyzers the package carries, then run against the broker.
/// </summary>
[Collection(BrokerCollection.Name)]
public sealed partial class NupkgUserProjectTests(BrokerFixture broker, PackedPackage packed, ITestOutputHelper output) : IClassFixture<PackedPackage>
{
    private const int Orders = 40;
    private const int Quotes = 25;

    [Fact]
    public async Task A_project_using_the_packed_nupkg_builds_warning_free_and_exchanges_messages()
    {
        var clock = Stopwatch.StartNew();
        var package = packed.Path;
        output.WriteLine(packed.Origin);
        var id = Guid.NewGuid().ToString("N")[..8];
        var directory = Directory.CreateTempSubdirectory("warren-user-").FullName;
        try
        {
            await WriteProjectAsync(directory, package, id);
            var build = await DotnetAsync(directory, ["build", "-c", "Release", "-nologo", "-warnaserror", "-p:EmitCompilerGeneratedFiles=true"], TimeSpan.FromSeconds(150));
            output.WriteLine($"build: {build.Elapsed.TotalSeconds:F1} s");
            Assert.True(build.ExitCode == 0, "the user project did not build:\n" + build.Output);
            Assert.Matches(@"\b0 Warning\(s\)", build.Output);

            // The restored Warren is the packed one, not a stale copy from another cache.
            var restored = Directory.GetFiles(Path.Combine(directory, "packages", "warren"), "*.nupkg", SearchOption.AllDirectories).Single();
            Assert.Equal(File.ReadAllBytes(package), File.ReadAllBytes(restored));

            // The generator from the package ran: its files are among the compiler's generated files.
            var paths = Directory.GetFiles(Path.Combine(directory, "obj"), "*.g.cs", SearchOption.AllDirectories)
                .Where(f => f.Contains("Warren.Generators", StringComparison.Ordinal))
                .ToArray();
            var generated = paths.Select(Path.GetFileName).ToArray();
            output.WriteLine("generated: " + string.Join(", ", generated));

            // Dispatchers share files by group (Warren.DispatchersNN.g.cs): the consumer's, a runtime HandlerDispatcher for a
            // class with one handler of one message type, is in one of them, listed with the group's default-policy
            // consumers (or a field of its own with another policy).
            Assert.Contains(paths, f => Path.GetFileName(f).StartsWith("Warren.Dispatchers", StringComparison.Ordinal)
                && System.Text.RegularExpressions.Regex.IsMatch(File.ReadAllText(f), @"(public static readonly HandlerDispatcher \w*Billing =\s+|// Queue [^\n]*Billing\.\w+\.\n\s*)new HandlerDispatcher<global::[\w.]*Billing, "));
            Assert.Contains(generated, f => f!.Contains("IOrderEvents.Publisher", StringComparison.Ordinal));
            Assert.Contains(generated, f => f!.Contains("RpcServer", StringComparison.Ordinal));

            var dll = Path.Combine(directory, "bin", "Release", "net10.0", "NupkgUser.dll");
            var run = await Run.ProcessAsync("dotnet", [dll], directory, new Dictionary<string, string> { ["ConnectionStrings__rabbit"] = broker.AmqpUrl }, TimeSpan.FromSeconds(60));
            output.WriteLine($"run: {run.Elapsed.TotalSeconds:F1} s\n{run.Output}");
            Assert.True(run.ExitCode == 0, $"the user project exited with {run.ExitCode}:\n{run.Output}");
            var counts = Counts().Match(run.Output);
            Assert.True(counts.Success, "no result line in:\n" + run.Output);
            Assert.Equal(Orders, int.Parse(counts.Groups["consumed"].Value));
            Assert.Equal(Orders, int.Parse(counts.Groups["distinct"].Value));
            Assert.Equal(Enumerable.Range(0, Orders).Sum(), int.Parse(counts.Groups["sum"].Value));
            Assert.Equal(Quotes, int.Parse(counts.Groups["quotes"].Value));
            Assert.Equal(250 * Enumerable.Range(1, Quotes).Sum(), int.Parse(counts.Groups["cents"].Value));

            // The analyzers from the package run too: a mistake in the user's code is a build error.
            var probe = await DotnetAsync(directory, ["build", "-c", "Release", "-nologo", "-p:DefineConstants=WARREN_PROBE"], TimeSpan.FromSeconds(120));
            output.WriteLine($"probe build: {probe.Elapsed.TotalSeconds:F1} s");
            Assert.NotEqual(0, probe.ExitCode);
            Assert.Contains("WRN001", probe.Output, StringComparison.Ordinal);
            output.WriteLine($"total: {clock.Elapsed.TotalSeconds:F1} s");
        }
        finally
        {
            await DeleteEntitiesAsync(id);
            Directory.Delete(directory, recursive: true);
        }
    }

    private static async Task WriteProjectAsync(string directory, string package, string id)
    {
        var version = Regex.Match(Path.GetFileName(package), @"^Warren\.(?<v>.+)\.nupkg$").Groups["v"].Value;
        var hostingVersion = PackageVersion("Microsoft.Extensions.Hosting");
        var cache = await GlobalPackagesFolderAsync();

        // Nothing from the repository's build settings or a parent directory applies to the user's project.
        await File.WriteAllTextAsync(Path.Combine(directory, "Directory.Build.props"), "<Project />\n");
        await File.WriteAllTextAsync(Path.Combine(directory, "Directory.Build.targets"), "<Project />\n");
        await File.WriteAllTextAsync(Path.Combine(directory, "Directory.Packages.props"), "<Project />\n");
        // Warren only from the folder holding the packed nupkg; everything else from the machine's package cache, used as
        // a local feed (the repository's restore filled it), so the test needs no network. Packages are extracted into a
        // folder of their own: no stale Warren from another restore is used.
        await File.WriteAllTextAsync(Path.Combine(directory, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <clear />
                <add key="warren" value="{Path.GetDirectoryName(package)}" />
                <add key="cache" value="{cache}" />
              </packageSources>
              <packageSourceMapping>
                <packageSource key="warren"><package pattern="Warren" /></packageSource>
                <packageSource key="cache"><package pattern="*" /></packageSource>
              </packageSourceMapping>
            </configuration>
            """);
        await File.WriteAllTextAsync(Path.Combine(directory, "NupkgUser.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <Nullable>enable</Nullable>
                <ImplicitUsings>enable</ImplicitUsings>
                <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
                <RestorePackagesPath>$(MSBuildProjectDirectory)/packages</RestorePackagesPath>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="Warren" Version="{version}" />
                <PackageReference Include="Microsoft.Extensions.Hosting" Version="{hostingVersion}" />
              </ItemGroup>
            </Project>
            """);
        await File.WriteAllTextAsync(Path.Combine(directory, "Orders.cs"), UserCode.Replace("ID", id, StringComparison.Ordinal));
        await File.WriteAllTextAsync(Path.Combine(directory, "Program.cs"), UserProgram);
        await File.WriteAllTextAsync(Path.Combine(directory, "Probe.cs"), UserProbe);
    }

    private const string UserCode = """
        using System.Collections.Concurrent;
        using System.Text.Json.Serialization;
        using Warren;

        namespace NupkgUser;

        [Exchange("nupkg-ID.orders", ExchangeKind.Topic)]
        [Topic("order.{Region}.placed")]
        [Message("nupkg-ID.order-placed")]
        public sealed record OrderPlaced(string OrderId, string Region, int Cents);

        public sealed record QuoteRequest(int Units);

        public sealed record Quote(int Units, int Cents);

        [Publisher]
        public partial interface IOrderEvents
        {
            ValueTask Placed(OrderPlaced order, CancellationToken ct = default);
        }

        [Queue("nupkg-ID.billing")]
        public sealed class Billing(Tally tally)
        {
            [Topic("order.*.placed")]
            public Task Handle(OrderPlaced order, CancellationToken ct)
            {
                tally.Add(order);
                return Task.CompletedTask;
            }
        }

        [RpcService("nupkg-ID-pricing", Timeout = "10s")]
        public interface IPricing
        {
            Task<Quote> GetQuote(QuoteRequest request, CancellationToken ct = default);
        }

        public sealed class PricingService : IPricing
        {
            public Task<Quote> GetQuote(QuoteRequest request, CancellationToken ct = default) =>
                Task.FromResult(new Quote(request.Units, request.Units * 250));
        }

        public sealed class Tally
        {
            private readonly ConcurrentDictionary<string, int> _seen = new();
            private int _total;
            private int _cents;

            public int Total => Volatile.Read(ref _total);

            public int Distinct => _seen.Count;

            public int Cents => Volatile.Read(ref _cents);

            public void Add(OrderPlaced order)
            {
                _seen.AddOrUpdate(order.OrderId, 1, (_, n) => n + 1);
                Interlocked.Add(ref _cents, order.Cents);
                Interlocked.Increment(ref _total);
            }
        }

        [JsonSerializable(typeof(OrderPlaced))]
        [JsonSerializable(typeof(QuoteRequest))]
        [JsonSerializable(typeof(Quote))]
        internal sealed partial class AppJson : JsonSerializerContext;
        """;

    private static readonly string UserProgram = $$"""
        using Microsoft.Extensions.DependencyInjection;
        using Microsoft.Extensions.Hosting;
        using Microsoft.Extensions.Logging;
        using NupkgUser;
        using Warren;

        const int Orders = {{Orders}};
        const int Quotes = {{Quotes}};

        var builder = Host.CreateApplicationBuilder(args);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddSingleton<Tally>();
        builder.AddWarren("rabbit", o => o.ClientName = "nupkg-user").AddGeneratedHandlers();
        using var host = builder.Build();
        await host.StartAsync();

        var events = host.Services.GetRequiredService<IOrderEvents>();
        for (var i = 0; i < Orders; i++)
        {
            await events.Placed(new OrderPlaced($"o-{i}", i % 2 == 0 ? "eu" : "us", i));
        }

        var tally = host.Services.GetRequiredService<Tally>();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (tally.Total < Orders && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        await Task.Delay(300); // a duplicate would arrive now

        var pricing = host.Services.GetRequiredService<IPricing>();
        var cents = 0;
        for (var units = 1; units <= Quotes; units++)
        {
            cents += (await pricing.GetQuote(new QuoteRequest(units))).Cents;
        }

        Console.WriteLine($"consumed {tally.Total} distinct {tally.Distinct} sum {tally.Cents} quotes {Quotes} cents {cents}");
        await host.StopAsync();
        return tally.Total == Orders && tally.Distinct == Orders ? 0 : 1;
        """;

    private const string UserProbe = """
        #if WARREN_PROBE
        namespace NupkgUser;

        [Warren.Exchange("nupkg-probe", Warren.ExchangeKind.Topic)]
        [Warren.Topic("order..placed")]
        public sealed record Probe(string Id);
        #endif
        """;

    [GeneratedRegex(@"consumed (?<consumed>\d+) distinct (?<distinct>\d+) sum (?<sum>\d+) quotes (?<quotes>\d+) cents (?<cents>\d+)")]
    private static partial Regex Counts();

    private static Task<Run.Result> DotnetAsync(string directory, IReadOnlyList<string> arguments, TimeSpan timeout) =>
        Run.ProcessAsync("dotnet", [.. arguments, "-nodeReuse:false"], directory, new Dictionary<string, string>(), timeout);

    private static string PackageVersion(string id)
    {
        var props = File.ReadAllText(Path.Combine(PackedPackage.RepositoryRoot, "Directory.Packages.props"));
        var match = Regex.Match(props, $"""Include="{Regex.Escape(id)}" Version="(?<v>[^"]+)" """.TrimEnd());
        Assert.True(match.Success, $"{id} has no version in Directory.Packages.props");
        return match.Groups["v"].Value;
    }

    private static async Task<string> GlobalPackagesFolderAsync()
    {
        var result = await Run.ProcessAsync("dotnet", ["nuget", "locals", "global-packages", "--list"], Path.GetTempPath(), new Dictionary<string, string>(), TimeSpan.FromSeconds(30));
        var match = Regex.Match(result.Output, @"global-packages:\s*(?<path>\S.*?)\s*$", RegexOptions.Multiline);
        Assert.True(result.ExitCode == 0 && match.Success, "could not find the global packages folder:\n" + result.Output);
        return match.Groups["path"].Value;
    }

    private async Task DeleteEntitiesAsync(string id)
    {
        await using var connection = await broker.ConnectAsync();
        var queues = new List<string> { $"nupkg-{id}.billing", $"rpc.nupkg-{id}-pricing" };
        if (broker.Broker is { } node)
        {
            var listed = await node.RabbitmqctlAsync(node.Nodes[0], "list_queues", "name", "--no-table-headers", "--quiet");
            queues.AddRange(listed.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Where(q => q.Contains(id, StringComparison.Ordinal)));
        }

        foreach (var queue in queues.Distinct())
        {
            await using var channel = await connection.CreateChannelAsync();
            await channel.QueueDeleteAsync(queue);
        }

        await using (var channel = await connection.CreateChannelAsync())
        {
            await channel.ExchangeDeleteAsync($"nupkg-{id}.orders");
        }
    }
}
