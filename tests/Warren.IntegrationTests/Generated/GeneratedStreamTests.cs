using System;
using System.Linq;
using System.Text.Json;
using System.Threading.Tasks;
using Warren.IntegrationTests.Runtime;
using Xunit;

namespace Warren.IntegrationTests.Generated;

/// <summary>The generated topology of a stream consumer on the broker: the stream, a quorum dead-letter queue, no retry queues.</summary>
[Collection(BrokerCollection.Name)]
public sealed class GeneratedStreamTests(BrokerFixture broker)
{
    [Fact]
    public async Task A_stream_gets_a_quorum_dead_letter_queue_and_no_retry_queues_and_a_poison_message_ends_there_alone()
    {
        const string Stream = "gen.stream";
        await using var connection = await broker.ConnectAsync();
        foreach (var queue in new[] { Stream, Stream + ".dlq", Stream + ".retry.1", Stream + ".retry.2", Stream + ".retry.3" })
        {
            await Broker.DeleteQueueAsync(connection, queue);
        }

        var recorder = new Recorder();
        var run = Guid.NewGuid().ToString("N")[..8];
        try
        {
            await using var app = await GeneratedHost.StartAsync(broker.AmqpUrl, recorder: recorder);
            for (var i = 0; i < 10; i++)
            {
                await app.Publisher.PublishAsync(new StreamNote($"{run}-{i}", Poison: i == 4));
            }

            await Broker.WaitUntilAsync(() => recorder.Ids("stream").Length >= 9, TimeSpan.FromSeconds(20), "9 good stream messages");
            for (var i = 0; i < 100 && await Broker.ReadyCountAsync(connection, Stream + ".dlq") < 1; i++)
            {
                await Task.Delay(50);
            }

            Assert.Equal(Enumerable.Range(0, 10).Where(i => i != 4).Select(i => $"{run}-{i}"), recorder.Ids("stream").Order(StringComparer.Ordinal));
            Assert.Equal(1u, await Broker.ReadyCountAsync(connection, Stream + ".dlq"));

            var node = broker.RequireLocalNode();
            using var queues = JsonDocument.Parse(await node.RabbitmqctlAsync(node.Nodes[0], "list_queues", "name", "type", "--formatter", "json"));
            var types = queues.RootElement.EnumerateArray()
                .Select(q => (Name: q.GetProperty("name").GetString()!, Type: q.GetProperty("type").GetString()))
                .Where(q => q.Name.StartsWith(Stream + ".", StringComparison.Ordinal) || q.Name == Stream)
                .OrderBy(q => q.Name, StringComparer.Ordinal)
                .ToList();
            Assert.Equal(new (string Name, string? Type)[] { (Stream, "stream"), (Stream + ".dlq", "quorum") }, types);
        }
        finally
        {
            await Broker.DeleteQueueAsync(connection, Stream + ".dlq");
            await Broker.DeleteQueueAsync(connection, Stream);
        }
    }
}
