using System;
using System.Linq;
using System.Threading.Tasks;
using RabbitMQ.Client;
using Warren.IntegrationTests.Runtime;
using Xunit;

namespace Warren.IntegrationTests.Generated;

/// <summary>
/// A non-durable queue with the default failure policy, declared by the generated topology and by a hand-written
/// <c>ConsumerDefinition</c> (the runtime's default policy), in either order: the broker accepts both, with no
/// <c>406 inequivalent arg 'durable'</c> on its dead-letter exchange, dead-letter queue or retry queues.
/// </summary>
[Collection(BrokerCollection.Name)]
public sealed class DefaultPolicyParityTests(BrokerFixture broker)
{
    public const string Queue = "gen.parity-hello";

    private static readonly string[] PolicyQueues = [Queue + ".dlq", Queue + ".retry.1", Queue + ".retry.2", Queue + ".retry.3"];

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task The_generated_and_the_hand_written_declarations_of_a_non_durable_queue_agree_on_the_broker(bool generatedFirst)
    {
        await DeleteAsync();
        try
        {
            if (generatedFirst)
            {
                await DeclareGeneratedAsync();
                await using var app = await StartHandWrittenAsync();
            }
            else
            {
                await using (var app = await StartHandWrittenAsync())
                {
                }

                await DeclareGeneratedAsync();
            }

            // What the broker holds: a durable dead-letter exchange and durable policy queues (declaring them durable
            // again is equivalent; a non-durable one would answer 406).
            await using var connection = await broker.ConnectAsync();
            var durable = new Topology().Add(new ExchangeDeclaration(Queue + ".dlx", ExchangeTypes.Direct));
            await TopologyDeclarer.DeclareAsync(connection, durable);
            var generated = GeneratedPart();
            Assert.All(generated.Queues.Where(q => q.Name != Queue), q => Assert.True(q.Durable, q.Name));
            Assert.Equal(PolicyQueues, generated.Queues.Where(q => q.Name != Queue).Select(q => q.Name).Order(StringComparer.Ordinal));
        }
        finally
        {
            await DeleteAsync();
        }
    }

    /// <summary>The declarations the generated topology makes for <see cref="Queue"/> and its policy.</summary>
    private static Topology GeneratedPart()
    {
        var all = Warren.Generated.WarrenTopology.Create();
        var part = new Topology();
        foreach (var exchange in all.Exchanges.Where(e => e.Name.StartsWith(Queue + ".", StringComparison.Ordinal)))
        {
            part.Add(exchange);
        }

        foreach (var queue in all.Queues.Where(q => q.Name == Queue || q.Name.StartsWith(Queue + ".", StringComparison.Ordinal)))
        {
            part.Add(queue);
        }

        foreach (var binding in all.Bindings.Where(b => b.Queue == Queue || b.Queue.StartsWith(Queue + ".", StringComparison.Ordinal)))
        {
            part.Add(binding);
        }

        return part;
    }

    private async Task DeclareGeneratedAsync()
    {
        await using var connection = await broker.ConnectAsync();
        await TopologyDeclarer.DeclareAsync(connection, GeneratedPart());
    }

    /// <summary>The queue as the tutorials declare it, consumed with the runtime's default policy (Retry left null).</summary>
    private Task<TestApp> StartHandWrittenAsync() =>
        TestApp.StartAsync(
            broker.AmqpUrl,
            w => w
                .AddTopology(new Topology().Add(new QueueDeclaration(Queue, Durable: false)))
                .AddConsumer(new ConsumerDefinition(Queue, MessageDispatcher.Create(RuntimeTestJson.Default.Numbered, (_, _) => ValueTask.CompletedTask))),
            o => o.StartMode = WarrenStartMode.FailFast);

    private async Task DeleteAsync()
    {
        await using var connection = await broker.ConnectAsync();
        await using var channel = await connection.CreateChannelAsync();
        foreach (var queue in PolicyQueues.Prepend(Queue))
        {
            await channel.QueueDeleteAsync(queue);
        }

        await channel.ExchangeDeleteAsync(Queue + ".dlx");
    }
}
