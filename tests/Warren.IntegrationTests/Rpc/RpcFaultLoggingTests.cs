using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using System.Threading.Tasks;
using Microsoft.Extensions.Logging;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using Warren.IntegrationTests.Generated;
using Warren.IntegrationTests.Runtime;
using Xunit;

namespace Warren.IntegrationTests.Rpc;

/// <summary>
/// Every RPC request that cannot be served leaves a line on the server, and a request nobody can be answered about
/// (no reply-to) is not acknowledged away: it goes to the queue's dead-letter exchange.
/// </summary>
[Collection(BrokerCollection.Name)]
public sealed class RpcFaultLoggingTests(BrokerFixture broker)
{
    private const string Queue = "rpc.it-calculator";

    [Fact]
    public async Task Malformed_and_unknown_requests_with_reply_to_are_logged_on_the_server_and_answered_with_faults()
    {
        var logs = new LogSink();
        await using var server = await GeneratedHost.StartAsync(broker.AmqpUrl, "server-1", logs: logs);
        await using var connection = await broker.ConnectAsync();
        await using var channel = await connection.CreateChannelAsync();
        var replies = new System.Collections.Concurrent.ConcurrentDictionary<string, string>();
        var consumer = new AsyncEventingBasicConsumer(channel);
        consumer.ReceivedAsync += (_, e) =>
        {
            replies[e.BasicProperties.CorrelationId!] = Encoding.UTF8.GetString(e.Body.Span);
            return Task.CompletedTask;
        };
        await channel.BasicConsumeAsync("amq.rabbitmq.reply-to", autoAck: true, consumer);

        await channel.BasicPublishAsync(string.Empty, Queue, mandatory: true, new BasicProperties { CorrelationId = "bad", MessageId = "m-bad", ReplyTo = "amq.rabbitmq.reply-to", Type = "it-calculator.add" }, Encoding.UTF8.GetBytes("{\"A\":"));
        await channel.BasicPublishAsync(string.Empty, Queue, mandatory: true, new BasicProperties { CorrelationId = "nope", MessageId = "m-nope", ReplyTo = "amq.rabbitmq.reply-to", Type = "it-calculator.nope" }, Encoding.UTF8.GetBytes("{}"));

        await Broker.WaitUntilAsync(() => replies.Count == 2, TimeSpan.FromSeconds(10), "both fault replies");
        Assert.Contains("Warren.MalformedRequest", replies["bad"], StringComparison.Ordinal);
        Assert.Contains("Warren.UnknownMethod", replies["nope"], StringComparison.Ordinal);
        var malformed = Assert.Single(logs.Entries, e => e.Message.Contains("m-bad", StringComparison.Ordinal));
        Assert.Equal(LogLevel.Warning, malformed.Level);
        Assert.Contains("is malformed", malformed.Message, StringComparison.Ordinal);
        Assert.Contains("a fault reply (Warren.MalformedRequest) is sent", malformed.Message, StringComparison.OrdinalIgnoreCase);
        var unknown = Assert.Single(logs.Entries, e => e.Message.Contains("m-nope", StringComparison.Ordinal));
        Assert.Equal(LogLevel.Warning, unknown.Level);
        Assert.Contains("no method 'it-calculator.nope'", unknown.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Requests_without_reply_to_that_cannot_be_served_are_logged_and_dead_lettered_and_a_dropped_result_is_logged()
    {
        var node = broker.RequireLocalNode();
        const string dlx = "it-rpc-oneway-dlx";
        const string dlq = "it-rpc-oneway-dlq";
        await using var connection = await broker.ConnectAsync();
        await using (var setup = await connection.CreateChannelAsync())
        {
            await setup.ExchangeDeclareAsync(dlx, ExchangeType.Fanout, durable: false, autoDelete: false);
            await setup.QueueDeclareAsync(dlq, durable: false, exclusive: false, autoDelete: false);
            await setup.QueueBindAsync(dlq, dlx, string.Empty);
            await setup.QueuePurgeAsync(dlq);
        }

        await node.RabbitmqctlAsync(node.Nodes[0], "set_policy", "it-rpc-oneway-dlx", "^rpc\\.it-calculator$", $"{{\"dead-letter-exchange\":\"{dlx}\"}}", "--apply-to", "queues");
        try
        {
            var logs = new LogSink();
            await using var server = await GeneratedHost.StartAsync(broker.AmqpUrl, "server-1", logs: logs);
            await using var channel = await connection.CreateChannelAsync();
            var requests = new (string Id, string Type, string Body)[]
            {
                ("ow-malformed", "it-calculator.add", "{\"A\":"),
                ("ow-unknown", "it-calculator.nope", "{}"),
                ("ow-throws", "it-calculator.add", """{"A":7,"B":1,"Fail":true}"""),
                ("ow-valid", "it-calculator.add", """{"A":1,"B":2}"""),
            };
            foreach (var (id, type, body) in requests)
            {
                await channel.BasicPublishAsync(string.Empty, Queue, mandatory: true, new BasicProperties { MessageId = id, Type = type, ContentType = "application/json" }, Encoding.UTF8.GetBytes(body));
            }

            await Broker.WaitUntilAsync(
                () => new[] { "ow-malformed", "ow-unknown", "ow-throws", "ow-valid" }.All(id => logs.Entries.Any(e => e.Message.Contains(id, StringComparison.Ordinal) && e.Level >= LogLevel.Warning)) && logs.Entries.Count(e => e.Message.Contains("rejected without requeue", StringComparison.Ordinal)) >= 3,
                TimeSpan.FromSeconds(10),
                "a line for each one-way request");

            Line(logs, "ow-malformed", "rejected without requeue", "no reply-to");
            Line(logs, "ow-unknown", "rejected without requeue", "no method 'it-calculator.nope'");
            Line(logs, "ow-throws", "rejected without requeue", "boom 7");
            var threw = Line(logs, "ow-throws", "threw on request", "no fault reply can be sent");
            Assert.IsType<InvalidOperationException>(threw.Exception);
            Line(logs, "ow-valid", "result cannot be sent", "dropped");
            Assert.DoesNotContain(logs.Entries, e => e.Message.Contains("ow-valid", StringComparison.Ordinal) && e.Message.Contains("reject", StringComparison.Ordinal));

            // Nothing is lost: the three requests that could not be served are in the queue's dead-letter exchange.
            var dead = new List<string>();
            await using var reader = await connection.CreateChannelAsync();
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
            while (dead.Count < 3 && DateTime.UtcNow < deadline)
            {
                var got = await reader.BasicGetAsync(dlq, autoAck: true);
                if (got is null)
                {
                    await Task.Delay(20);
                }
                else
                {
                    dead.Add(got.BasicProperties.MessageId!);
                }
            }

            Assert.Equal(["ow-malformed", "ow-throws", "ow-unknown"], dead.Order(StringComparer.Ordinal));
            Assert.Equal(0u, await Broker.ReadyCountAsync(connection, Queue));
        }
        finally
        {
            await node.RabbitmqctlAsync(node.Nodes[0], "clear_policy", "it-rpc-oneway-dlx");
        }
    }

    private static (LogLevel Level, string Category, string Message, Exception? Exception) Line(LogSink logs, string messageId, params string[] parts) =>
        Assert.Single(logs.Entries, e => e.Message.Contains(messageId, StringComparison.Ordinal) && parts.All(p => e.Message.Contains(p, StringComparison.Ordinal)));
}
