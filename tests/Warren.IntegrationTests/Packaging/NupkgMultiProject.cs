using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using System.Threading.Tasks;
using RabbitMQ.Client;
using Xunit;

namespace Warren.IntegrationTests.Packaging;

/// <summary>
/// The layout real teams use, built from the packed nupkg: a Contracts library (messages, an [RpcService] and a
/// [Publisher] interface, a public JsonSerializerContext), a Billing library with a consumer and an RPC server, a
/// BillingHost with nothing of its own that registers Billing through its generated module, and a Checkout service that
/// only publishes (IPublisher and the referenced [Publisher] interface, implemented in Checkout) and calls RPC through a
/// proxy generated from the referenced interface. Run as two processes against the broker.
/// </summary>
public sealed partial class NupkgUserProjectTests
{
    private const int MultiOrders = 30;
    private const int MultiPoison = 6;
    private const int MultiQuotes = 12;

    [Fact]
    public async Task A_contracts_library_and_services_in_separate_projects_build_from_the_nupkg_and_exchange_messages()
    {
        var id = Guid.NewGuid().ToString("N")[..8];
        var directory = Directory.CreateTempSubdirectory("warren-multi-").FullName;
        try
        {
            await WriteMultiProjectAsync(directory, packed.Path, id);
            foreach (var project in new[] { "Checkout/Checkout.csproj", "BillingHost/BillingHost.csproj" })
            {
                var build = await DotnetAsync(directory, ["build", project, "-c", "Release", "-nologo", "-warnaserror", "-p:EmitCompilerGeneratedFiles=true"], TimeSpan.FromSeconds(200));
                output.WriteLine($"build {project}: {build.Elapsed.TotalSeconds:F1} s");
                Assert.True(build.ExitCode == 0, $"{project} did not build:\n" + build.Output);
                Assert.Matches(@"\b0 Warning\(s\)", build.Output);
            }

            // The contracts library exposes no module; Billing does; the host and Checkout have AddGeneratedHandlers.
            string Generated(string project, string file) =>
                Directory.GetFiles(Path.Combine(directory, project, "obj"), file, SearchOption.AllDirectories).SingleOrDefault(f => f.Contains("Warren.Generators", StringComparison.Ordinal)) ?? string.Empty;
            Assert.Equal(string.Empty, Generated("Contracts", "Warren.Module.g.cs"));
            Assert.NotEqual(string.Empty, Generated("Billing", "Warren.Module.g.cs"));
            Assert.Contains("WarrenModule_Billing.Register(builder)", await File.ReadAllTextAsync(Generated("BillingHost", "Warren.Registration.g.cs")), StringComparison.Ordinal);
            Assert.NotEqual(string.Empty, Generated("Checkout", "*IPricing.RpcClient.g.cs"));
            Assert.NotEqual(string.Empty, Generated("Checkout", "*IShopEvents.Publisher.g.cs"));

            var environment = new Dictionary<string, string> { ["ConnectionStrings__rabbit"] = broker.AmqpUrl };
            var billing = Run.ProcessAsync("dotnet", [Path.Combine(directory, "BillingHost", "bin", "Release", "net10.0", "BillingHost.dll"), (MultiOrders - MultiPoison).ToString(System.Globalization.CultureInfo.InvariantCulture)], directory, environment, TimeSpan.FromSeconds(90));
            var checkout = await Run.ProcessAsync("dotnet", [Path.Combine(directory, "Checkout", "bin", "Release", "net10.0", "Checkout.dll")], directory, environment, TimeSpan.FromSeconds(90));
            output.WriteLine($"checkout: {checkout.Elapsed.TotalSeconds:F1} s\n{checkout.Output}");
            var host = await billing;
            output.WriteLine($"billing: {host.Elapsed.TotalSeconds:F1} s\n{host.Output}");
            Assert.True(checkout.ExitCode == 0, $"checkout exited with {checkout.ExitCode}:\n{checkout.Output}");
            Assert.True(host.ExitCode == 0, $"billing exited with {host.ExitCode}:\n{host.Output}");

            var calls = MultiCheckout().Match(checkout.Output);
            Assert.True(calls.Success, "no result line in:\n" + checkout.Output);
            Assert.Equal(MultiQuotes, int.Parse(calls.Groups["quotes"].Value));
            Assert.Equal(250 * Enumerable.Range(1, MultiQuotes).Sum(), int.Parse(calls.Groups["cents"].Value));
            Assert.Equal(MultiOrders, int.Parse(calls.Groups["published"].Value));

            var counts = MultiBilling().Match(host.Output);
            Assert.True(counts.Success, "no result line in:\n" + host.Output);
            Assert.Equal(MultiOrders - MultiPoison, int.Parse(counts.Groups["consumed"].Value));
            Assert.Equal(MultiOrders - MultiPoison, int.Parse(counts.Groups["distinct"].Value));
            Assert.Equal(MultiQuotes, int.Parse(counts.Groups["served"].Value));

            // Every poison order is in the dead-letter queue, exactly once.
            await using var connection = await broker.ConnectAsync();
            await using var channel = await connection.CreateChannelAsync();
            var clock = Stopwatch.StartNew();
            uint dead;
            while ((dead = (await channel.QueueDeclarePassiveAsync($"multi-{id}.billing.dlq")).MessageCount) < MultiPoison && clock.Elapsed < TimeSpan.FromSeconds(15))
            {
                await Task.Delay(50);
            }

            Assert.Equal((uint)MultiPoison, dead);
        }
        finally
        {
            await DeleteMultiEntitiesAsync(id);
            Directory.Delete(directory, recursive: true);
        }
    }

    private static async Task WriteMultiProjectAsync(string directory, string package, string id)
    {
        var version = await WritePackageSourcesAsync(directory, package);
        var hostingVersion = PackageVersion("Microsoft.Extensions.Hosting");

        Task Project(string name, bool exe, string[] references, string code) =>
            WriteUserProjectAsync(directory, version, name, exe, references, code.Replace("ID", id, StringComparison.Ordinal), $"""<PackageReference Include="Microsoft.Extensions.Hosting" Version="{hostingVersion}" />""");

        await Project("Contracts", false, [], MultiContracts);
        await Project("Billing", false, ["Contracts"], MultiBillingCode);
        await Project("BillingHost", true, ["Billing"], MultiBillingHost);
        await Project("Checkout", true, ["Contracts"], MultiCheckoutCode);
    }

    /// <summary>
    /// One project of a user solution built from the package: a csproj referencing Warren (the package under test), the
    /// given projects, extra items and properties, with warnings as errors; and its one source file.
    /// </summary>
    private static async Task WriteUserProjectAsync(string directory, string version, string name, bool exe, string[] references, string code, string items = "", string properties = "")
    {
        var folder = Path.Combine(directory, name);
        Directory.CreateDirectory(folder);
        var projectReferences = string.Concat(references.Select(r => $"""<ProjectReference Include="../{r}/{r}.csproj" />"""));
        await File.WriteAllTextAsync(Path.Combine(folder, name + ".csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>{(exe ? "Exe" : "Library")}</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <Nullable>enable</Nullable>
                <ImplicitUsings>enable</ImplicitUsings>
                <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
                <RestorePackagesPath>$(MSBuildProjectDirectory)/../packages</RestorePackagesPath>
                {properties}
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="Warren" Version="{version}" />
                {projectReferences}
                {items}
              </ItemGroup>
            </Project>
            """);
        await File.WriteAllTextAsync(Path.Combine(folder, name + ".cs"), code);
    }

    /// <summary>An isolated folder that restores Warren from the package under test and everything else from the local cache; the package version.</summary>
    private static async Task<string> WritePackageSourcesAsync(string directory, string package)
    {
        var version = Regex.Match(Path.GetFileName(package), @"^Warren\.(?<v>.+)\.nupkg$").Groups["v"].Value;
        var cache = await GlobalPackagesFolderAsync();
        await File.WriteAllTextAsync(Path.Combine(directory, "Directory.Build.props"), "<Project />\n");
        await File.WriteAllTextAsync(Path.Combine(directory, "Directory.Build.targets"), "<Project />\n");
        await File.WriteAllTextAsync(Path.Combine(directory, "Directory.Packages.props"), "<Project />\n");
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

        return version;
    }

    private const string MultiContracts = """
        using System.Text.Json.Serialization;
        using Warren;

        namespace Shop.Contracts;

        [Exchange("multi-ID.orders", ExchangeKind.Topic)]
        [Topic("order.{Region}.placed")]
        [Message("multi-ID.order-placed")]
        public sealed record OrderPlaced(string OrderId, string Region, int Cents, bool Poison);

        public sealed record QuoteRequest(int Units);

        public sealed record Quote(int Units, int Cents);

        // Implemented and registered by each service referencing this library, not by the library.
        [Publisher]
        public partial interface IShopEvents
        {
            ValueTask Placed(OrderPlaced o, CancellationToken ct = default);
        }

        [RpcService("multi-ID-pricing", Timeout = "10s")]
        public interface IPricing
        {
            Task<Quote> GetQuote(QuoteRequest request, CancellationToken ct = default);
        }

        [JsonSerializable(typeof(OrderPlaced))]
        [JsonSerializable(typeof(QuoteRequest))]
        [JsonSerializable(typeof(Quote))]
        public sealed partial class ShopJson : JsonSerializerContext;
        """;

    private const string MultiBillingCode = """
        using System.Collections.Concurrent;
        using Shop.Contracts;
        using Warren;

        namespace Shop.Billing;

        [Queue("multi-ID.billing")]
        [DeadLetter(MaxRetries = 0)]
        public sealed class BillingConsumer(Tally tally)
        {
            [Topic("order.*.placed")]
            public Task Handle(OrderPlaced order, CancellationToken ct)
            {
                if (order.Poison)
                {
                    throw new InvalidOperationException("poison order " + order.OrderId);
                }

                tally.Add(order);
                return Task.CompletedTask;
            }
        }

        public sealed class PricingService(Tally tally) : IPricing
        {
            public Task<Quote> GetQuote(QuoteRequest request, CancellationToken ct = default)
            {
                tally.Served();
                return Task.FromResult(new Quote(request.Units, request.Units * 250));
            }
        }

        public sealed class Tally
        {
            private readonly ConcurrentDictionary<string, int> _seen = new();
            private int _total;
            private int _served;

            public int Total => Volatile.Read(ref _total);

            public int Distinct => _seen.Count;

            public int ServedCount => Volatile.Read(ref _served);

            public void Add(OrderPlaced order)
            {
                _seen.AddOrUpdate(order.OrderId, 1, (_, n) => n + 1);
                Interlocked.Increment(ref _total);
            }

            public void Served() => Interlocked.Increment(ref _served);
        }
        """;

    private const string MultiBillingHost = """
        using Microsoft.Extensions.DependencyInjection;
        using Microsoft.Extensions.Hosting;
        using Microsoft.Extensions.Logging;
        using Shop.Billing;
        using Warren;

        var expected = int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture);
        var builder = Host.CreateApplicationBuilder(args);
        builder.Logging.SetMinimumLevel(LogLevel.Error);
        builder.Services.AddSingleton<Tally>();
        // Nothing is declared here: the consumer and the RPC server come from Billing's generated module.
        builder.AddWarren("rabbit", o => o.ClientName = "multi-billing").AddGeneratedHandlers();
        using var host = builder.Build();
        await host.StartAsync();

        var tally = host.Services.GetRequiredService<Tally>();
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (tally.Total < expected && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        await Task.Delay(300); // a duplicate would arrive now
        Console.WriteLine($"consumed {tally.Total} distinct {tally.Distinct} served {tally.ServedCount}");
        await host.StopAsync();
        return tally.Total == expected ? 0 : 1;
        """;

    private static readonly string MultiCheckoutCode = $$"""
        using Microsoft.Extensions.DependencyInjection;
        using Microsoft.Extensions.Hosting;
        using Microsoft.Extensions.Logging;
        using Shop.Contracts;
        using Warren;

        const int Orders = {{MultiOrders}};
        const int Poison = {{MultiPoison}};
        const int Quotes = {{MultiQuotes}};

        var builder = Host.CreateApplicationBuilder(args);
        builder.Logging.SetMinimumLevel(LogLevel.Error);
        // A publisher-only service with no Warren declaration of its own: routes, the RPC proxy and the IShopEvents
        // implementation come from Contracts.
        builder.AddWarren("rabbit", o => o.ClientName = "multi-checkout").AddGeneratedHandlers();
        using var host = builder.Build();
        await host.StartAsync();

        var pricing = host.Services.GetRequiredService<IPricing>();
        var deadline = DateTime.UtcNow.AddSeconds(60);
        var cents = 0;
        for (var units = 1; units <= Quotes; units++)
        {
            while (true)
            {
                try
                {
                    cents += (await pricing.GetQuote(new QuoteRequest(units))).Cents;
                    break;
                }
                catch (Exception e) when (units == 1 && DateTime.UtcNow < deadline)
                {
                    // Billing may not serve yet (its queue is not declared): wait for it, once.
                    Console.Error.WriteLine("waiting for the pricing service: " + e.Message);
                    await Task.Delay(200);
                }
            }
        }

        // Half the orders through IPublisher, half through the contracts library's [Publisher] interface.
        var publisher = host.Services.GetRequiredService<IPublisher>();
        var events = host.Services.GetRequiredService<IShopEvents>();
        for (var i = 0; i < Orders; i++)
        {
            var order = new OrderPlaced($"o-{i}", i % 2 == 0 ? "eu" : "us", i, i < Poison);
            if (i % 2 == 0)
            {
                await publisher.PublishAsync(order);
            }
            else
            {
                await events.Placed(order);
            }
        }

        Console.WriteLine($"quotes {Quotes} cents {cents} published {Orders}");
        await host.StopAsync();
        return 0;
        """;

    [GeneratedRegex(@"quotes (?<quotes>\d+) cents (?<cents>\d+) published (?<published>\d+)")]
    private static partial Regex MultiCheckout();

    [GeneratedRegex(@"consumed (?<consumed>\d+) distinct (?<distinct>\d+) served (?<served>\d+)")]
    private static partial Regex MultiBilling();

    private async Task DeleteMultiEntitiesAsync(string id)
    {
        await using var connection = await broker.ConnectAsync();
        var queues = new List<string> { $"multi-{id}.billing", $"multi-{id}.billing.dlq", $"rpc.multi-{id}-pricing" };
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

        foreach (var exchange in new[] { $"multi-{id}.orders", $"multi-{id}.billing.dlx", $"multi-{id}.billing.dead-letter" })
        {
            await using var channel = await connection.CreateChannelAsync();
            await channel.ExchangeDeleteAsync(exchange);
        }
    }
}
