using System;
using System.Diagnostics;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace Warren.Benchmarks;

/// <summary>
/// The baseline: the straightforward strong RabbitMQ.Client 7 loop a careful developer writes by hand. Publisher
/// confirms with tracking and up to 1,024 publishes in flight, persistent messages, consumer prefetch 200 and one ack
/// per message; the same JSON (de)serialization as Warren does, so only the framework's overhead differs.
/// </summary>
internal static class RawScenarios
{
    public const int Window = 1024;
    public const ushort Prefetch = 200;

    public static async Task<double> EndToEndAsync(string url, int count, int size)
    {
        var factory = new ConnectionFactory { Uri = new Uri(url) };
        var queue = "bench-raw-" + Guid.NewGuid().ToString("N");
        await using var consumeConnection = await factory.CreateConnectionAsync("bench-raw-consume");
        await using var publishConnection = await factory.CreateConnectionAsync("bench-raw-publish");
        await DeclareAsync(consumeConnection, queue);
        try
        {
            var stopwatch = Stopwatch.StartNew();
            var (consumeChannel, consumed) = await StartConsumerAsync(consumeConnection, queue, count);
            await using (consumeChannel)
            {
                await PublishAsync(publishConnection, queue, count, size);
                await consumed;
                stopwatch.Stop();
            }

            return count / stopwatch.Elapsed.TotalSeconds;
        }
        finally
        {
            await DeleteAsync(consumeConnection, queue);
        }
    }

    public static async Task<double> PublishAsync(string url, int count, int size)
    {
        var factory = new ConnectionFactory { Uri = new Uri(url) };
        var queue = "bench-raw-" + Guid.NewGuid().ToString("N");
        await using var connection = await factory.CreateConnectionAsync("bench-raw-publish");
        await DeclareAsync(connection, queue);
        try
        {
            var stopwatch = Stopwatch.StartNew();
            await PublishAsync(connection, queue, count, size);
            stopwatch.Stop();
            return count / stopwatch.Elapsed.TotalSeconds;
        }
        finally
        {
            await DeleteAsync(connection, queue);
        }
    }

    public static async Task<double> ConsumeAsync(string url, int count, int size)
    {
        var factory = new ConnectionFactory { Uri = new Uri(url) };
        var queue = "bench-raw-" + Guid.NewGuid().ToString("N");
        await using var setup = await factory.CreateConnectionAsync("bench-raw-setup");
        await DeclareAsync(setup, queue);
        await PublishAsync(setup, queue, count, size);
        try
        {
            var stopwatch = Stopwatch.StartNew();
            await using var connection = await factory.CreateConnectionAsync("bench-raw-consume");
            var (channel, consumed) = await StartConsumerAsync(connection, queue, count);
            await using (channel)
            {
                await consumed;
                stopwatch.Stop();
            }

            return count / stopwatch.Elapsed.TotalSeconds;
        }
        finally
        {
            await DeleteAsync(setup, queue);
        }
    }

    /// <summary>Fills a queue with <paramref name="count"/> confirmed messages (also used to pre-fill for Warren's consume run).</summary>
    public static async Task PublishAsync(IConnection connection, string queue, int count, int size)
    {
        await using var channel = await connection.CreateChannelAsync(new CreateChannelOptions(
            publisherConfirmationsEnabled: true,
            publisherConfirmationTrackingEnabled: true,
            outstandingPublisherConfirmationsRateLimiter: null,
            consumerDispatchConcurrency: null));
        using var window = new SemaphoreSlim(Window, Window);
        var data = Payload.Create(0, size).Data;
        var pending = new Task[count];
        for (var i = 0; i < count; i++)
        {
            await window.WaitAsync();
            var body = JsonSerializer.SerializeToUtf8Bytes(new Payload(i, data), BenchJson.Default.Payload);
            var properties = new BasicProperties
            {
                ContentType = "application/json",
                Type = "bench.payload",
                DeliveryMode = DeliveryModes.Persistent,
                MessageId = Guid.NewGuid().ToString("N"),
            };
            pending[i] = PublishOneAsync(channel, queue, properties, body, window);
        }

        await Task.WhenAll(pending);
    }

    private static async Task PublishOneAsync(IChannel channel, string queue, BasicProperties properties, byte[] body, SemaphoreSlim window)
    {
        try
        {
            await channel.BasicPublishAsync(string.Empty, queue, mandatory: true, properties, body);
        }
        finally
        {
            window.Release();
        }
    }

    private static async Task<(IChannel Channel, Task Consumed)> StartConsumerAsync(IConnection connection, string queue, int count)
    {
        var channel = await connection.CreateChannelAsync();
        await channel.BasicQosAsync(0, Prefetch, global: false);
        var received = 0;
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var consumer = new AsyncEventingBasicConsumer(channel);
        consumer.ReceivedAsync += async (_, delivery) =>
        {
            var payload = JsonSerializer.Deserialize(delivery.Body.Span, BenchJson.Default.Payload);
            GC.KeepAlive(payload);
            await channel.BasicAckAsync(delivery.DeliveryTag, multiple: false);
            if (Interlocked.Increment(ref received) == count)
            {
                done.TrySetResult();
            }
        };
        await channel.BasicConsumeAsync(queue, autoAck: false, consumer);
        return (channel, done.Task);
    }

    internal static async Task DeclareAsync(IConnection connection, string queue)
    {
        await using var channel = await connection.CreateChannelAsync();
        await channel.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false);
    }

    internal static async Task DeleteAsync(IConnection connection, string queue)
    {
        await using var channel = await connection.CreateChannelAsync();
        await channel.QueueDeleteAsync(queue);
    }
}
