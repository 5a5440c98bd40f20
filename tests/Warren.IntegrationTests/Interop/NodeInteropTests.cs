using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using System.Threading.Tasks;
using Microsoft.Extensions.DependencyInjection;
using Warren.IntegrationTests.Generated;
using Warren.IntegrationTests.Runtime;
using Xunit;
using Xunit.Abstractions;

namespace Warren.IntegrationTests.Interop;

/// <summary>
/// Warren against the real Node.js client (amqplib) writing and reading messages the way the RabbitMQ tutorials do:
/// every count exact, every value checked.
/// </summary>
[Collection(BrokerCollection.Name)]
public sealed class NodeInteropTests(BrokerFixture broker, ITestOutputHelper output)
{
    private const int PerKind = 100;
    private static readonly TimeSpan NodeTimeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Tutorial_style_node_producer_is_consumed_completely()
    {
        try
        {
            await ProduceAndConsumeAsync();
        }
        finally
        {
            // Whatever was not consumed must not reach the handlers of later tests.
            await using var connection = await broker.ConnectAsync();
            foreach (var queue in new[] { "interop.users", "interop.tasks" })
            {
                try
                {
                    await using var channel = await connection.CreateChannelAsync();
                    await channel.QueuePurgeAsync(queue);
                }
                catch (RabbitMQ.Client.Exceptions.OperationInterruptedException)
                {
                    // Never declared: the application did not start.
                }
            }
        }
    }

    private async Task ProduceAndConsumeAsync()
    {
        var inbox = new InteropInbox();
        var run = Guid.NewGuid().ToString("N")[..8];
        var started = DateTimeOffset.UtcNow;
        await using var app = await GeneratedHost.StartAsync(broker.AmqpUrl, configure: w => w.Services.AddSingleton(inbox));

        await using (var producer = await NodePrograms.StartAsync("producer.js", broker.AmqpUrl, PerKind.ToString(System.Globalization.CultureInfo.InvariantCulture), run))
        {
            Assert.True(await producer.WaitForExitAsync(NodeTimeout) == 0, $"the Node producer failed\n{producer.Transcript()}");
            output.WriteLine(producer.OutputLines.LastOrDefault());
        }

        const int Expected = 4 * PerKind;
        try
        {
            await Broker.WaitUntilAsync(() => inbox.Of(run).Length >= Expected, TimeSpan.FromSeconds(30), $"{Expected} handled messages");
        }
        catch (TimeoutException ex)
        {
            await using var probe = await broker.ConnectAsync();
            var queues = new List<string>();
            foreach (var queue in new[] { "interop.users", "interop.tasks" })
            {
                await using var channel = await probe.CreateChannelAsync();
                var ok = await channel.QueueDeclarePassiveAsync(queue);
                queues.Add($"{queue} {ok.MessageCount} ready, {ok.ConsumerCount} consumers");
            }

            throw new TimeoutException($"{ex.Message} Handled per kind: {Counts(inbox.Of(run))}; {string.Join("; ", queues)}.", ex);
        }

        await app.StopAsync();
        var handled = inbox.Of(run);
        output.WriteLine($"handled per kind: {Counts(handled)}");
        Assert.Equal(Expected, handled.Length);
        Assert.Empty(handled.GroupBy(e => e.Id).Where(g => g.Count() > 1).Select(g => g.Key));

        for (var i = 0; i < PerKind; i++)
        {
            var region = new[] { "eu", "us", "apac" }[i % 3];
            AssertHandled(handled, "created", $"{run}-cu-{i}", $"cu{i}@example.com|{region}|{20 + (i % 50)}", $"user.{region}.created", null);
            AssertHandled(handled, "created", $"{run}-ct-{i}", $"ct{i}@example.com|{region}|{30 + (i % 40)}", $"user.{region}.created", "UserCreated");
            AssertHandled(handled, "deleted", $"{run}-dt-{i}", $"{region}|reason {i}", $"user.{region}.deleted", "UserDeleted");
            AssertHandled(handled, "task", $"{run}-t-{i}", $"{i % 5}", "interop.tasks", null);
        }

        // Date.now() is in milliseconds: read as such, it is the time of the run.
        var now = DateTimeOffset.UtcNow;
        Assert.All(handled, e => Assert.True(
            e.Timestamp is { } ts && ts >= started.AddMinutes(-1) && ts <= now.AddMinutes(1),
            $"{e.Id}: timestamp {e.Timestamp:O} is not the time it was sent ({started:O} to {now:O})"));

        await using var connection = await broker.ConnectAsync();
        Assert.Equal(0u, await Broker.ReadyCountAsync(connection, "interop.users"));
        Assert.Equal(0u, await Broker.ReadyCountAsync(connection, "interop.tasks"));
    }

    [Fact]
    public async Task Node_consumer_reads_what_warren_publishes()
    {
        const int Count = 200;
        await using var app = await GeneratedHost.StartAsync(broker.AmqpUrl);
        await using var consumer = await NodePrograms.StartAsync("consumer.js", broker.AmqpUrl, "interop.out", Count.ToString(System.Globalization.CultureInfo.InvariantCulture), "interop.order-shipped", "25000");
        await consumer.WaitForLineAsync(line => line == "ready", NodeTimeout, "that its queue is bound");

        var regions = new[] { "eu", "us", "apac" };
        await Task.WhenAll(Enumerable.Range(0, Count).Select(i =>
            app.Publisher.PublishAsync(new ShipmentSent($"o-{i}", 10.25m + i, regions[i % 3])).AsTask()));

        var code = await consumer.WaitForExitAsync(NodeTimeout);
        var result = LastJson(consumer);
        output.WriteLine(result.GetRawText());
        Assert.True(code == 0, $"the Node consumer found problems (exit {code})\n{consumer.Transcript()}");
        Assert.Equal(Count, result.GetProperty("received").GetInt32());
        Assert.Equal(Count, result.GetProperty("distinct").GetInt32());
        Assert.Equal(0, result.GetProperty("problems").GetArrayLength());
    }

    [Theory]
    [InlineData("queue")]  // the tutorial: exclusive reply queue, untyped request straight to the single-method service's queue
    [InlineData("direct")] // the same with direct reply-to
    [InlineData("method")] // untyped requests routed by {service}.{method} to a service with several methods
    public async Task Tutorial_style_node_rpc_client_gets_every_reply(string mode)
    {
        const int Count = 100;
        await using var app = await GeneratedHost.StartAsync(broker.AmqpUrl);
        await using var client = await NodePrograms.StartAsync("rpc_client.js", broker.AmqpUrl, mode, Count.ToString(System.Globalization.CultureInfo.InvariantCulture), "20000");

        var code = await client.WaitForExitAsync(NodeTimeout);
        var result = LastJson(client);
        output.WriteLine(result.GetRawText());
        Assert.True(code == 0, $"the Node RPC client ({mode}) did not get every correct reply (exit {code})\n{client.Transcript()}");
        Assert.Equal(Count, result.GetProperty("replied").GetInt32());
        Assert.Equal(Count, result.GetProperty("correct").GetInt32());
    }

    private static void AssertHandled(InboxEntry[] handled, string kind, string id, string values, string routingKey, string? type)
    {
        var entry = Assert.Single(handled, e => e.Id == id);
        Assert.Equal((kind, values, routingKey, type), (entry.Kind, entry.Values, entry.RoutingKey, entry.Type));
    }

    private static string Counts(IEnumerable<InboxEntry> entries) =>
        string.Join(", ", entries.GroupBy(e => e.Id.Split('-')[1]).OrderBy(g => g.Key).Select(g => $"{g.Key} {g.Count()}")) is { Length: > 0 } text ? text : "none";

    private static JsonElement LastJson(ChildProcess process)
    {
        var line = process.OutputLines.LastOrDefault(l => l.StartsWith('{'))
            ?? throw new InvalidOperationException($"{process.Description} printed no result line.\n{process.Transcript()}");
        return JsonDocument.Parse(line).RootElement.Clone();
    }
}
