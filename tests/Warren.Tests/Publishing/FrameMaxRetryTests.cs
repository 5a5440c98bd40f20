using System;
using System.Threading.Tasks;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using RabbitMQ.Client;
using Warren.Testing;
using Warren.Tests.Support;
using Xunit;

namespace Warren.Tests.Publishing;

/// <summary>
/// The publisher reads the connection's FrameMax inside its retry: a connection disposed while a publish reads it
/// (RabbitMQ.Client throws <see cref="ObjectDisposedException"/>) does not fail the publish, which is sent on the
/// connection that replaces it. The broker is the in-memory one: what is tested is Warren's retry, not the broker.
/// </summary>
public sealed class FrameMaxRetryTests
{
    [Fact]
    public async Task A_publish_whose_connection_is_given_up_and_disposed_while_it_reads_frame_max_is_sent_on_the_new_connection()
    {
        var broker = new InMemoryBroker();
        await DeclareAsync(broker, "orders");
        WarrenConnections? connections = null;
        var (first, fake) = FakeConnection.Create(broker.Connect("warren:publish"));
        fake.FrameMax = reads =>
        {
            if (reads == 1)
            {
                // Closed outside Warren while this publish holds it: Warren gives it up (the next use opens a new one)
                // and disposes it, and the read fails as RabbitMQ.Client's does on a disposed connection.
                fake.RaiseShutdownAsync(ShutdownInitiator.Application, 320, "CONNECTION_FORCED - closed by an operator").GetAwaiter().GetResult();
                Assert.Equal(WarrenConnectionState.Failed, connections!.GetStatus(ConnectionRole.Publish).State);
                throw new ObjectDisposedException("RabbitMQ.Client.Framing.AutorecoveringConnection");
            }

            return fake.Inner!.FrameMax;
        };
        var source = new QueuedConnections(() => first, () => broker.Connect("warren:publish"));
        var options = Options.Create(new WarrenOptions { PublishTimeout = TimeSpan.FromSeconds(30) });
        connections = new WarrenConnections(options, NullLogger<WarrenConnections>.Instance, source);
        await using (connections)
        {
            await using var publisher = new MessagePublisher(connections, new MessageContracts(), options, NullLogger<MessagePublisher>.Instance, new WarrenMetrics(null, connections), new WarrenStartup(), new DelayedDelivery(connections));

            await publisher.PublishTextAsync(string.Empty, "orders", "order 1");

            Assert.Equal(1, broker.MessageCount("orders"));
            Assert.Equal(1, fake.FrameMaxReads);
            Assert.Equal(2, source.Opened);
            Assert.Equal(WarrenConnectionState.Open, connections.GetStatus(ConnectionRole.Publish).State);
            Assert.False(connections.IsInUse(first));
        }
    }

    [Fact]
    public async Task A_frame_max_read_that_throws_object_disposed_once_is_retried_and_the_message_sent_once()
    {
        var broker = new InMemoryBroker();
        await DeclareAsync(broker, "orders");
        var (connection, fake) = FakeConnection.Create(broker.Connect("warren:publish"));
        fake.FrameMax = reads => reads == 1 ? throw new ObjectDisposedException("RabbitMQ.Client.Framing.AutorecoveringConnection") : fake.Inner!.FrameMax;
        var source = new QueuedConnections(() => connection);
        var options = Options.Create(new WarrenOptions { PublishTimeout = TimeSpan.FromSeconds(30) });
        await using var connections = new WarrenConnections(options, NullLogger<WarrenConnections>.Instance, source);
        await using var publisher = new MessagePublisher(connections, new MessageContracts(), options, NullLogger<MessagePublisher>.Instance, new WarrenMetrics(null, connections), new WarrenStartup(), new DelayedDelivery(connections));

        await publisher.PublishTextAsync(string.Empty, "orders", "order 1");

        Assert.Equal(1, broker.MessageCount("orders"));
        Assert.Equal(2, fake.FrameMaxReads);
        Assert.Equal(1, source.Opened);
    }

    private static async Task DeclareAsync(InMemoryBroker broker, string queue)
    {
        using var connection = broker.Connect("test");
        await using var channel = await connection.CreateChannelAsync();
        await channel.QueueDeclareAsync(queue, durable: false, exclusive: false, autoDelete: false);
    }
}
