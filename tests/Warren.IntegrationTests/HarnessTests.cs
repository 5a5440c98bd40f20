using System;
using System.Collections.Generic;
using System.Text;
using System.Threading.Tasks;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using RabbitMQ.Client.Exceptions;
using Xunit;

namespace Warren.IntegrationTests;

/// <summary>The shared broker works end to end with RabbitMQ.Client: confirms, mandatory, consume.</summary>
[Collection(BrokerCollection.Name)]
public sealed class HarnessTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(15);
    private readonly BrokerFixture _broker;

    public HarnessTests(BrokerFixture broker) => _broker = broker;

    [Fact]
    public async Task Confirmed_publish_is_consumed_back_with_body_and_header()
    {
        var queue = "warren-harness-" + Guid.NewGuid().ToString("N");
        var messageId = Guid.NewGuid().ToString("N");
        var body = Encoding.UTF8.GetBytes($"hello from {queue}");

        await using var connection = await _broker.ConnectAsync();
        await using var channel = await connection.CreateChannelAsync(
            new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true));
        try
        {
            var declared = await channel.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false, arguments: null);
            Assert.Equal(queue, declared.QueueName);
            Assert.Equal(0u, declared.MessageCount);

            var properties = new BasicProperties
            {
                Persistent = true,
                MessageId = messageId,
                ContentType = "text/plain",
                Headers = new Dictionary<string, object?> { ["x-warren-test"] = "header-value" },
            };
            // Completes when the broker has confirmed (throws on nack or return).
            await channel.BasicPublishAsync(exchange: "", routingKey: queue, mandatory: true, basicProperties: properties, body: body);

            var received = new TaskCompletionSource<(byte[] Body, string? Header, string? MessageId, bool Redelivered)>(
                TaskCreationOptions.RunContinuationsAsynchronously);
            var consumer = new AsyncEventingBasicConsumer(channel);
            consumer.ReceivedAsync += async (_, delivery) =>
            {
                // The body is only valid inside the handler: copy it.
                var header = delivery.BasicProperties.Headers?.TryGetValue("x-warren-test", out var raw) == true && raw is byte[] bytes
                    ? Encoding.UTF8.GetString(bytes)
                    : null;
                var copy = (delivery.Body.ToArray(), header, delivery.BasicProperties.MessageId, delivery.Redelivered);
                // Ack before completing, so the ack never races the test's cancel/delete/close.
                await channel.BasicAckAsync(delivery.DeliveryTag, multiple: false);
                received.TrySetResult(copy);
            };
            var tag = await channel.BasicConsumeAsync(queue, autoAck: false, consumer);

            var message = await received.Task.WaitAsync(Patience);
            Assert.Equal(body, message.Body);
            Assert.Equal("header-value", message.Header);
            Assert.Equal(messageId, message.MessageId);
            Assert.False(message.Redelivered);

            await channel.BasicCancelAsync(tag);
        }
        finally
        {
            await channel.QueueDeleteAsync(queue, ifUnused: false, ifEmpty: false);
        }

        // The queue is really gone: a passive declare on a fresh channel fails with 404.
        await using var probe = await connection.CreateChannelAsync();
        var missing = await Assert.ThrowsAsync<OperationInterruptedException>(() => probe.QueueDeclarePassiveAsync(queue));
        Assert.Equal((ushort?)404, missing.ShutdownReason?.ReplyCode);
    }

    [Fact]
    public async Task Mandatory_publish_to_no_queue_is_returned()
    {
        await using var connection = await _broker.ConnectAsync();
        await using var channel = await connection.CreateChannelAsync(
            new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true));
        var routingKey = "warren-nowhere-" + Guid.NewGuid().ToString("N");

        var returned = await Assert.ThrowsAsync<PublishReturnException>(async () =>
            await channel.BasicPublishAsync("", routingKey, mandatory: true, new BasicProperties(), Encoding.UTF8.GetBytes("lost")));

        Assert.True(returned.IsReturn);
        Assert.Equal(312, returned.ReplyCode);
        Assert.Equal(routingKey, returned.RoutingKey);
    }
}
