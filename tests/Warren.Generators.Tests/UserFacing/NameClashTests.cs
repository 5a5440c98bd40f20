using System;
using System.Linq;
using Microsoft.CodeAnalysis;
using Warren.Generators.Tests.Infrastructure;
using Warren.Testing;
using Xunit;

namespace Warren.Generators.Tests.UserFacing;

/// <summary>User code imports RabbitMQ.Client's namespaces next to Warren's: no type name may be ambiguous.</summary>
public sealed class NameClashTests
{
    private static readonly string[] RabbitNamespaces = ["RabbitMQ.Client", "RabbitMQ.Client.Events", "RabbitMQ.Client.Exceptions"];

    [Fact]
    public void No_public_Warren_type_shares_a_name_with_a_RabbitMQ_Client_type_users_import()
    {
        var rabbit = typeof(RabbitMQ.Client.IChannel).Assembly.GetExportedTypes()
            .Where(t => RabbitNamespaces.Contains(t.Namespace))
            .Select(t => t.Name)
            .ToHashSet(StringComparer.Ordinal);
        var warren = typeof(IPublisher).Assembly.GetExportedTypes()
            .Concat(typeof(WarrenTestHarness).Assembly.GetExportedTypes())
            .Where(t => !t.IsNested);

        var clashes = warren.Where(t => rabbit.Contains(t.Name)).Select(t => t.FullName).ToList();

        Assert.True(clashes.Count == 0, "Ambiguous next to RabbitMQ.Client: " + string.Join(", ", clashes));
    }

    [Fact]
    public void A_user_file_importing_RabbitMQ_Client_and_Warren_compiles()
    {
        const string source = """
            using System.Text.Json.Serialization;
            using System.Threading.Tasks;
            using RabbitMQ.Client;
            using RabbitMQ.Client.Events;
            using RabbitMQ.Client.Exceptions;
            using Warren;

            namespace Shop;

            [Exchange("shop.events", ExchangeKind.Topic)]
            [Topic("order.{Region}.placed")]
            public sealed record OrderPlaced(string Region, int Id);

            [Queue("shop.billing")]
            public sealed class Billing
            {

                public Task Handle(OrderPlaced message, MessageContext context) => Task.CompletedTask;
            }

            [JsonSerializable(typeof(OrderPlaced))]
            public sealed partial class ShopJson : JsonSerializerContext;

            public static class Uses
            {
                public static string RabbitKind => ExchangeType.Topic;

                public static async Task Publish(IPublisher publisher, IChannel channel)
                {
                    try
                    {
                        await publisher.PublishAsync(new OrderPlaced("eu", 1));
                    }
                    catch (WarrenPublishException)
                    {
                    }
                    catch (PublishException)
                    {
                    }

                    await channel.ExchangeDeclareAsync("raw", ExchangeType.Fanout);
                }
            }
            """;

        var run = GeneratorHarness.Run(source);

        var errors = run.Output.GetDiagnostics().Concat(run.GeneratorDiagnostics).Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        Assert.True(errors.Count == 0, string.Join(Environment.NewLine, errors));
    }
}
