using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using System.Threading.Tasks;
using Microsoft.Extensions.DependencyInjection;
using RabbitMQ.Client;
using Warren.IntegrationTests.Runtime;
using Xunit;

namespace Warren.IntegrationTests.Generated;

/// <summary>The attributed application in <c>AttributedApp.cs</c>, run through its generated registration on the real broker.</summary>
[Collection(BrokerCollection.Name)]
public sealed class GeneratedAppTests(BrokerFixture broker)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Topic_bindings_with_star_and_hash_route_by_the_generated_routing_keys()
    {
        var (app, recorder, _) = await StartAsync();
        await using (app)
        {
            await app.Publisher.PublishAsync(new OrderPlaced("p-eu", "eu"));
            await app.Publisher.PublishAsync(new OrderShipped("s-dhl", "us", "dhl"));
            await app.Publisher.PublishAsync(new OrderShipped("s-ups", "us", "ups")); // order.# only
            await Assert.ThrowsAsync<InvalidRoutingKeyException>(async () => await app.Publisher.PublishAsync(new OrderPlaced("bad", "eu.west")));
            await Broker.WaitUntilAsync(() => recorder.Ids("hash").Length == 3 && recorder.Ids("star").Length == 1, Wait, "the topic deliveries");

            Assert.Equal(["p-eu"], recorder.Ids("star"));
            Assert.Equal(["p-eu", "s-dhl", "s-ups"], recorder.Ids("hash").Order());
            var placed = recorder.All("star").Single();
            Assert.Equal("order.eu.placed", placed.RoutingKey);
            Assert.Equal("gen.order-placed", placed.Type);
        }
    }

    [Fact]
    public async Task A_handler_class_registered_as_a_singleton_handles_every_delivery_and_its_scoped_services_are_per_delivery()
    {
        var log = new PerDeliveryLog();
        var recorder = new Recorder();
        var app = await GeneratedHost.StartAsync(broker.AmqpUrl, recorder: recorder, configure: w =>
        {
            w.Services.AddSingleton<SingletonHandlerProbe>();
            w.Services.AddSingleton(log);
            w.Services.AddScoped<PerDeliveryService>();
        });
        await using (app)
        {
            var ids = Enumerable.Range(0, 40).Select(i => "single-" + i).ToArray();
            foreach (var id in ids)
            {
                await app.Publisher.PublishAsync(new OrderPlaced(id, "eu"));
            }

            var name = "singleton-handler:" + System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(app.Services.GetRequiredService<SingletonHandlerProbe>());
            await Broker.WaitUntilAsync(() => recorder.Ids(name).Length == ids.Length && log.Disposed.Count == ids.Length, Wait, "every delivery handled by the one instance, each scope disposed");
            Assert.Equal(ids.Order(), recorder.Ids(name).Order());
            Assert.Equal(ids.Order(), log.Disposed.Order());
            Assert.Empty(log.Shared);
        }
    }

    [Fact]
    public async Task Direct_and_fanout_exchanges_deliver_to_their_queues()
    {
        var (app, recorder, _) = await StartAsync();
        await using (app)
        {
            await app.Publisher.PublishAsync(new ResizeImage("r1"));
            await app.Publisher.PublishAsync(new CacheFlush("f1"));
            await Broker.WaitUntilAsync(() => recorder.Ids("resize").Length == 1 && recorder.Ids("fanout-a").Length == 1 && recorder.Ids("fanout-b").Length == 1, Wait, "direct and fanout deliveries");

            Assert.Equal(["r1"], recorder.Ids("resize"));
            Assert.Equal(["f1"], recorder.Ids("fanout-a"));
            Assert.Equal(["f1"], recorder.Ids("fanout-b"));
        }
    }

    [Fact]
    public async Task Headers_bindings_match_all_or_any()
    {
        var (app, recorder, _) = await StartAsync();
        await using (app)
        {
            await app.Publisher.PublishAsync(new Doc("both"), new PublishOptions { Headers = new Dictionary<string, object?> { ["format"] = "pdf", ["lang"] = "en" } });
            await app.Publisher.PublishAsync(new Doc("pdf-only"), new PublishOptions { Headers = new Dictionary<string, object?> { ["format"] = "pdf", ["lang"] = "de" } });
            await Assert.ThrowsAsync<UnroutableMessageException>(async () =>
                await app.Publisher.PublishAsync(new Doc("neither"), new PublishOptions { Headers = new Dictionary<string, object?> { ["format"] = "png" } }));
            await Broker.WaitUntilAsync(() => recorder.Ids("headers-any").Length == 2 && recorder.Ids("headers-all").Length == 1, Wait, "headers deliveries");

            Assert.Equal(["both"], recorder.Ids("headers-all"));
            Assert.Equal(["both", "pdf-only"], recorder.Ids("headers-any").Order());
        }
    }

    [Fact]
    public async Task Waiting_messages_are_delivered_by_priority_and_carry_the_default_priority()
    {
        var (app, recorder, gates) = await StartAsync();
        await using (app)
        {
            var held = gates.Close("priority", "first");
            await app.Publisher.PublishAsync(new Job("first"));
            await held.WaitAsync(Wait);
            await app.Publisher.PublishAsync(new Job("default"));
            foreach (var p in new byte[] { 3, 9, 5 })
            {
                await app.Publisher.PublishAsync(new Job($"p{p}"), new PublishOptions { Priority = p });
            }

            gates.Open("priority");
            await Broker.WaitUntilAsync(() => recorder.Ids("priority").Length == 5, Wait, "all jobs");

            Assert.Equal(["first", "p9", "p5", "p3", "default"], recorder.Ids("priority"));
            Assert.Equal((byte)1, recorder.All("priority").Single(r => r.Id == "default").Priority);
        }
    }

    [Fact]
    public async Task A_message_waiting_past_the_queue_ttl_expires_into_the_dead_letter_queue()
    {
        var (app, recorder, gates) = await StartAsync();
        await using (app)
        {
            var held = gates.Close("perishable", "held");
            await app.Publisher.PublishAsync(new Perishable("held"));
            await held.WaitAsync(Wait);
            await app.Publisher.PublishAsync(new Perishable("expires"));
            await using var connection = await broker.ConnectAsync();
            await Broker.WaitUntilAsync(() => Broker.ReadyCountAsync(connection, "gen.perishable.dlq").Result == 1, Wait, "the expired message in the dead-letter queue");
            gates.Open("perishable");
            await Broker.WaitUntilAsync(() => recorder.Ids("perishable").Length == 1, Wait, "the held message");

            await using var channel = await connection.CreateChannelAsync();
            var dead = await channel.BasicGetAsync("gen.perishable.dlq", autoAck: true);
            Assert.NotNull(dead);
            Assert.Contains("expires", Encoding.UTF8.GetString(dead.Body.Span), StringComparison.Ordinal);
            Assert.Equal("expired", AmqpHeaders.ReadDeaths(dead.BasicProperties.Headers).Single().Reason);
            Assert.Equal(["held"], recorder.Ids("perishable"));
        }
    }

    [Fact]
    public async Task A_message_without_type_from_a_raw_producer_is_dispatched_by_routing_key()
    {
        var (app, recorder, _) = await StartAsync();
        await using (app)
        {
            await using var connection = await broker.ConnectAsync();
            await using (var raw = await connection.CreateChannelAsync())
            {
                await raw.BasicPublishAsync("gen.events", "order.apac.placed", Encoding.UTF8.GetBytes("""{"Id":"raw-1","Region":"apac"}"""));
                await raw.BasicPublishAsync("gen.events", "order.apac.shipped.dhl", Encoding.UTF8.GetBytes("""{"Id":"raw-2","Region":"apac","Carrier":"dhl"}"""));
            }

            await Broker.WaitUntilAsync(() => recorder.Ids("star").Length == 1 && recorder.Ids("hash").Length == 2, Wait, "the raw messages");

            Assert.Equal(["raw-1"], recorder.Ids("star"));
            Assert.Equal(["raw-1", "raw-2"], recorder.Ids("hash").Order());
            Assert.All(recorder.All("hash"), r => Assert.Null(r.Type));
        }
    }

    [Fact]
    public async Task A_message_of_unknown_type_is_dead_lettered_not_dropped_or_requeued()
    {
        var (app, recorder, _) = await StartAsync();
        await using (app)
        {
            await using var connection = await broker.ConnectAsync();
            await using (var raw = await connection.CreateChannelAsync())
            {
                // Straight to the queue: neither the type nor a binding selects a handler.
                var properties = new BasicProperties { Type = "gen.who-knows", MessageId = "unknown-1" };
                await raw.BasicPublishAsync(string.Empty, "gen.resize", mandatory: false, properties, Encoding.UTF8.GetBytes("""{"Id":"u1"}"""));
            }

            await Broker.WaitUntilAsync(() => Broker.ReadyCountAsync(connection, "gen.resize.dlq").Result == 1, Wait, "the unknown message in the dead-letter queue");

            await using var channel = await connection.CreateChannelAsync();
            var dead = await channel.BasicGetAsync("gen.resize.dlq", autoAck: true);
            Assert.NotNull(dead);
            Assert.Equal("gen.who-knows", dead.BasicProperties.Type);
            Assert.Equal(
                "Queue gen.resize has no handler for message type 'gen.who-knows', nor one bound to exchange '' with routing key 'gen.resize'.",
                AmqpHeaders.AsText(dead.BasicProperties.Headers![DeadLetterHeaders.Reason]));
            Assert.Equal("""{"Id":"u1"}""", Encoding.UTF8.GetString(dead.Body.Span));
            Assert.Empty(recorder.Ids("resize"));
        }
    }

    [Fact]
    public async Task A_batch_handler_gets_a_full_batch_in_one_call_and_a_poison_message_ends_alone_in_the_dead_letter_queue()
    {
        var log = new BatchLog();
        await using var app = await GeneratedHost.StartAsync(broker.AmqpUrl, configure: w => w.Services.AddSingleton(log));
        await using var connection = await broker.ConnectAsync();
        await using (var channel = await connection.CreateChannelAsync())
        {
            await channel.QueuePurgeAsync("gen.batch.dlq");
        }

        // Ten readings fill one batch (Size = 10): one call, all acknowledged.
        var first = Enumerable.Range(0, 10).Select(i => $"a{i}").ToArray();
        foreach (var id in first)
        {
            await app.Publisher.PublishAsync(new SensorReading(id));
        }

        await Broker.WaitUntilAsync(() => log.Handled.Length == 10, Wait, "the first batch");
        var call = Assert.Single(log.Calls);
        Assert.True(call.Succeeded);
        Assert.Equal(first, call.Ids.Order(StringComparer.Ordinal));

        // A poison reading among ten: the batch is split until it fails alone; the other nine are handled.
        while (log.Calls.TryDequeue(out _))
        {
        }

        var second = Enumerable.Range(0, 10).Select(i => $"b{i}").ToArray();
        foreach (var id in second)
        {
            await app.Publisher.PublishAsync(new SensorReading(id, Poison: id == "b3"));
        }

        await Broker.WaitUntilAsync(() => Broker.ReadyCountAsync(connection, "gen.batch.dlq").Result == 1 && log.Handled.Length == 9, Wait, "the poison reading in the dead-letter queue and the rest handled");
        Assert.Equal(second.Where(id => id != "b3"), log.Handled.Order(StringComparer.Ordinal));
        Assert.Contains(log.Calls, c => !c.Succeeded && c.Ids.SequenceEqual(["b3"]));
        await using (var channel = await connection.CreateChannelAsync())
        {
            var dead = await channel.BasicGetAsync("gen.batch.dlq", autoAck: true);
            Assert.NotNull(dead);
            Assert.Contains("\"b3\"", Encoding.UTF8.GetString(dead.Body.Span), StringComparison.Ordinal);
            Assert.Contains("failed on this message alone", AmqpHeaders.AsText(dead.BasicProperties.Headers![DeadLetterHeaders.Reason]), StringComparison.Ordinal);
        }

        Assert.Equal(0u, await Broker.ReadyCountAsync(connection, "gen.batch"));
    }

    [Fact]
    public async Task A_generated_publisher_method_delays_by_its_TimeSpan_and_delivers_at_its_DateTimeOffset()
    {
        var (app, recorder, _) = await StartAsync();
        await using (app)
        {
            var reminders = app.Services.GetRequiredService<IReminders>();
            // The undelayed reminder is awaited before the delayed ones are published, so that the time the other two
            // publishes take on a loaded machine is not counted as its delay.
            var clock = System.Diagnostics.Stopwatch.StartNew();
            await reminders.Later(new Reminder("now"), TimeSpan.Zero);
            await Broker.WaitUntilAsync(() => recorder.Ids("reminder").Contains("now"), Wait, "the undelayed reminder");
            var undelayed = clock.Elapsed;
            clock.Restart();
            await reminders.Later(new Reminder("later"), TimeSpan.FromSeconds(2));
            await reminders.At(new Reminder("at"), DateTimeOffset.UtcNow.AddSeconds(2));
            await Broker.WaitUntilAsync(() => recorder.Ids("reminder").Length == 3, Wait, "the delayed reminders");
            var delayed = clock.Elapsed;

            // Delays are never early (docs/delayed-messages.md): the delayed ones come two seconds after they were published.
            Assert.Equal("now", recorder.Ids("reminder")[0]);
            Assert.True(undelayed < TimeSpan.FromSeconds(1.9), $"the undelayed reminder took {undelayed}");
            Assert.True(delayed >= TimeSpan.FromSeconds(1.9), $"the delayed reminders arrived after {delayed}: early");
        }
    }

    [Fact]
    public void The_generated_topology_is_also_definitions_json_and_mermaid()
    {
        using var json = System.Text.Json.JsonDocument.Parse(Warren.Generated.WarrenTopology.DefinitionsJson);
        var queues = json.RootElement.GetProperty("queues").EnumerateArray().Select(q => q.GetProperty("name").GetString()).ToList();
        Assert.Contains("gen.priority", queues);
        Assert.Contains("gen.perishable.dlq", queues);
        var priority = json.RootElement.GetProperty("queues").EnumerateArray().Single(q => q.GetProperty("name").GetString() == "gen.priority");
        Assert.Equal(10, priority.GetProperty("arguments").GetProperty("x-max-priority").GetInt32());
        Assert.Contains("x_gen__events -- \"order.*.placed\" --> q_gen__star", Warren.Generated.WarrenTopology.Mermaid, StringComparison.Ordinal);
    }

    private async Task<(TestApp App, Recorder Recorder, Gates Gates)> StartAsync()
    {
        var recorder = new Recorder();
        var gates = new Gates();
        var app = await GeneratedHost.StartAsync(broker.AmqpUrl, recorder: recorder, gates: gates);
        await PurgeAsync();
        return (app, recorder, gates);
    }

    private async Task PurgeAsync()
    {
        await using var connection = await broker.ConnectAsync();
        await using var channel = await connection.CreateChannelAsync();
        foreach (var queue in new[] { "gen.resize.dlq", "gen.perishable.dlq" })
        {
            await channel.QueuePurgeAsync(queue);
        }
    }
}
