using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using Warren.Benchmarks.Compare;

namespace Warren.Benchmarks;

/// <summary>
/// The baseline: the straightforward strong RabbitMQ.Client 7 loop a careful developer writes by hand. Publisher
/// confirms with tracking and up to 1,024 publishes in flight, persistent messages, consumer prefetch 200 and one ack
/// per message; the same JSON (de)serialization as Warren does, so only the framework's overhead differs.
/// </summary>
internal sealed class RawScenarios : Framework
{
    public const ushort Prefetch = 200;

    public override string Name => "raw";

    public override string Settings =>
        "RabbitMQ.Client 7.2.2 by hand: confirm tracking, up to 1,024 publishes in flight, persistent, mandatory; prefetch 200, one ack per message after handling; " +
        "RPC over direct reply-to (amq.rabbitmq.reply-to), server prefetch 64";

    public override async Task<Throughput> PublishAsync(string url, int count, int size)
    {
        var factory = Factory(url);
        var queue = Queue("raw");
        await using var connection = await factory.CreateConnectionAsync("bench-raw-publish");
        await DeclareAsync(connection, queue);
        try
        {
            await Meter.SettleJitAsync();
            var meter = Meter.Start();
            await PublishAsync(connection, queue, count, size);
            return meter.Stop(count);
        }
        finally
        {
            await DeleteAsync(connection, queue);
        }
    }

    public override async Task<Throughput> ConsumeAsync(string url, int count, int size)
    {
        var factory = Factory(url);
        var queue = Queue("raw");
        await using var setup = await factory.CreateConnectionAsync("bench-raw-setup");
        await DeclareAsync(setup, queue);
        await PublishAsync(setup, queue, count, size);
        await WireProbe.RecordAsync(url, queue, Name);
        try
        {
            var counter = new RunCounter(count);
            var meter = Meter.Start();
            await using var connection = await factory.CreateConnectionAsync("bench-raw-consume");
            await using var channel = await StartConsumerAsync(connection, queue, counter);
            await counter.WaitAsync(Timeout(count), "raw consume");
            return meter.Stop(count);
        }
        finally
        {
            await DeleteAsync(setup, queue);
        }
    }

    public override Task<Throughput> EndToEndAsync(string url, int count, int size) => EndToEndAsync(url, count, size, traced: false);

    /// <summary>
    /// The e2e loop; <paramref name="traced"/> adds by hand what a minimal instrumentation does, through
    /// <see cref="TracedSource"/>: a producer span around each confirmed publish with its W3C <c>traceparent</c> in the
    /// message's headers, and a consumer span parented to it around the handling and the ack, each with three
    /// attributes (system, destination, message id) — the same two spans per message as Warren's, without Warren.
    /// </summary>
    public static async Task<Throughput> EndToEndAsync(string url, int count, int size, bool traced)
    {
        var factory = Factory(url);
        var queue = Queue("raw");
        await using var consumeConnection = await factory.CreateConnectionAsync("bench-raw-consume");
        await using var publishConnection = await factory.CreateConnectionAsync("bench-raw-publish");
        await DeclareAsync(consumeConnection, queue);
        try
        {
            var counter = new RunCounter(count);
            await using var channel = await StartConsumerAsync(consumeConnection, queue, counter, traced);
            var meter = Meter.Start();
            await PublishAsync(publishConnection, queue, count, size, traced);
            await counter.WaitAsync(Timeout(count), "raw e2e");
            return meter.Stop(count);
        }
        finally
        {
            await DeleteAsync(consumeConnection, queue);
        }
    }

    public override async Task<Latency> LatencyAsync(string url, int count, int rate, int size)
    {
        var factory = Factory(url);
        var queue = Queue("raw");
        await using var consumeConnection = await factory.CreateConnectionAsync("bench-raw-consume");
        await using var publishConnection = await factory.CreateConnectionAsync("bench-raw-publish");
        await DeclareAsync(consumeConnection, queue);
        try
        {
            var counter = new RunCounter(count, recordLatency: true);
            await using var consumer = await StartConsumerAsync(consumeConnection, queue, counter);
            await using var channel = await OpenConfirmChannelAsync(publishConnection);
            var data = Payload.Create(0, size).Data;
            var cpu = Meter.CpuTime();
            await Pacer.RunAsync(count, rate, _ => PublishOneAsync(channel, queue, new Payload(Stopwatch.GetTimestamp(), data)).AsTask());
            await counter.WaitAsync(Timeout(count), "raw latency");
            return Latency.From(counter.Latencies, (Meter.CpuTime() - cpu).TotalMicroseconds / count);
        }
        finally
        {
            await DeleteAsync(consumeConnection, queue);
        }
    }

    public override async Task<RpcResult?> RpcAsync(string url, int calls)
    {
        var factory = Factory(url);
        var queue = Queue("raw-rpc");
        await using var serverConnection = await factory.CreateConnectionAsync("bench-rpc-raw-server");
        await using var clientConnection = await factory.CreateConnectionAsync("bench-rpc-raw-client");
        await DeclareAsync(serverConnection, queue);
        try
        {
            await using var serverChannel = await serverConnection.CreateChannelAsync();
            await serverChannel.BasicQosAsync(0, RpcMeasure.ServerPrefetch, false);
            var server = new AsyncEventingBasicConsumer(serverChannel);
            server.ReceivedAsync += async (_, e) =>
            {
                var request = JsonSerializer.Deserialize(e.Body.Span, BenchJson.Default.Payload)!;
                var reply = JsonSerializer.SerializeToUtf8Bytes(request, BenchJson.Default.Payload);
                var properties = new BasicProperties { CorrelationId = e.BasicProperties.CorrelationId, ContentType = "application/json" };
                await serverChannel.BasicPublishAsync(string.Empty, e.BasicProperties.ReplyTo!, false, properties, reply);
                await serverChannel.BasicAckAsync(e.DeliveryTag, false);
            };
            await serverChannel.BasicConsumeAsync(queue, autoAck: false, server);

            await using var clientChannel = await clientConnection.CreateChannelAsync();
            var pending = new ConcurrentDictionary<string, TaskCompletionSource<byte[]>>();
            var replies = new AsyncEventingBasicConsumer(clientChannel);
            replies.ReceivedAsync += (_, e) =>
            {
                if (pending.TryRemove(e.BasicProperties.CorrelationId!, out var tcs))
                {
                    tcs.TrySetResult(e.Body.ToArray());
                }

                return Task.CompletedTask;
            };
            await clientChannel.BasicConsumeAsync("amq.rabbitmq.reply-to", autoAck: true, replies);

            async Task<long> Call(long id, string data)
            {
                var correlationId = Guid.NewGuid().ToString("N");
                var tcs = new TaskCompletionSource<byte[]>(TaskCreationOptions.RunContinuationsAsynchronously);
                pending[correlationId] = tcs;
                var properties = new BasicProperties { CorrelationId = correlationId, ReplyTo = "amq.rabbitmq.reply-to", Type = "bench.echo", ContentType = "application/json", Expiration = "30000" };
                await clientChannel.BasicPublishAsync(string.Empty, queue, true, properties, JsonSerializer.SerializeToUtf8Bytes(new Payload(id, data), BenchJson.Default.Payload));
                return JsonSerializer.Deserialize(await tcs.Task.WaitAsync(TimeSpan.FromSeconds(30)), BenchJson.Default.Payload)!.Id;
            }

            return await RpcMeasure.RunAsync(calls, Call);
        }
        finally
        {
            await DeleteAsync(serverConnection, queue);
        }
    }

    public override async Task<int> ColdStartAsync(string url)
    {
        var factory = Factory(url);
        var queue = "bench-coldstart-raw";
        await using var connection = await factory.CreateConnectionAsync("bench-coldstart-raw");
        await DeclareAsync(connection, queue);
        var counter = new RunCounter(1);
        await using var consumer = await StartConsumerAsync(connection, queue, counter);
        await using var channel = await OpenConfirmChannelAsync(connection);
        await PublishOneAsync(channel, queue, Payload.Create(Stopwatch.GetTimestamp(), 256));
        await counter.WaitAsync(TimeSpan.FromSeconds(30), "raw cold start");
        ColdStart.ReportFirstHandled();
        return 0;
    }

    internal static ConnectionFactory Factory(string url) => new() { Uri = new Uri(url) };

    internal static string Queue(string framework) => $"bench-{framework}-{Guid.NewGuid():N}";

    internal static TimeSpan Timeout(int count) => TimeSpan.FromSeconds(60 + count / 500);

    /// <summary>Fills a queue with <paramref name="count"/> confirmed messages (also used to pre-fill for Warren's consume run).</summary>
    public static async Task PublishAsync(IConnection connection, string queue, int count, int size, bool traced = false)
    {
        await using var channel = await OpenConfirmChannelAsync(connection);
        var data = Payload.Create(0, size).Data;
        await Window.RunAsync(count, i => traced ? PublishTracedAsync(channel, queue, new Payload(i, data)) : PublishOneAsync(channel, queue, new Payload(i, data)).AsTask());
    }

    /// <summary>The source of the hand-made spans of a traced run.</summary>
    internal static readonly ActivitySource TracedSource = new("Warren.Benchmarks.Raw");

    private static async Task PublishTracedAsync(IChannel channel, string queue, Payload payload)
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(payload, BenchJson.Default.Payload);
        var properties = new BasicProperties
        {
            ContentType = "application/json",
            Type = "bench.payload",
            DeliveryMode = DeliveryModes.Persistent,
            MessageId = Guid.NewGuid().ToString("N"),
        };
        using var activity = TracedSource.StartActivity("publish bench", ActivityKind.Producer);
        if (activity is not null)
        {
            if (activity.IsAllDataRequested)
            {
                activity.AddTag("messaging.system", "rabbitmq");
                activity.AddTag("messaging.destination.name", queue);
                activity.AddTag("messaging.message.id", properties.MessageId);
            }

            properties.Headers = new Dictionary<string, object?>(1) { ["traceparent"] = activity.Id };
        }

        await channel.BasicPublishAsync(string.Empty, queue, mandatory: true, properties, body);
    }

    private static ActivityContext ParentOf(IReadOnlyBasicProperties properties) =>
        properties.Headers?.TryGetValue("traceparent", out var value) == true && value is byte[] bytes
            && ActivityContext.TryParse(Encoding.UTF8.GetString(bytes), null, isRemote: true, out var parent) ? parent : default;

    private static Task<IChannel> OpenConfirmChannelAsync(IConnection connection) =>
        connection.CreateChannelAsync(new CreateChannelOptions(
            publisherConfirmationsEnabled: true,
            publisherConfirmationTrackingEnabled: true,
            outstandingPublisherConfirmationsRateLimiter: null,
            consumerDispatchConcurrency: null));

    private static ValueTask PublishOneAsync(IChannel channel, string queue, Payload payload)
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(payload, BenchJson.Default.Payload);
        var properties = new BasicProperties
        {
            ContentType = "application/json",
            Type = "bench.payload",
            DeliveryMode = DeliveryModes.Persistent,
            MessageId = Guid.NewGuid().ToString("N"),
        };
        return channel.BasicPublishAsync(string.Empty, queue, mandatory: true, properties, body);
    }

    private static async Task<IChannel> StartConsumerAsync(IConnection connection, string queue, RunCounter counter, bool traced = false)
    {
        var channel = await connection.CreateChannelAsync();
        await channel.BasicQosAsync(0, Prefetch, global: false);
        var consumer = new AsyncEventingBasicConsumer(channel);
        consumer.ReceivedAsync += traced
            ? async (_, delivery) =>
            {
                using var activity = TracedSource.HasListeners() ? TracedSource.StartActivity("process bench", ActivityKind.Consumer, ParentOf(delivery.BasicProperties)) : null;
                if (activity is { IsAllDataRequested: true })
                {
                    activity.AddTag("messaging.system", "rabbitmq");
                    activity.AddTag("messaging.destination.name", queue);
                    activity.AddTag("messaging.message.id", delivery.BasicProperties.MessageId);
                }

                var payload = JsonSerializer.Deserialize(delivery.Body.Span, BenchJson.Default.Payload)!;
                await channel.BasicAckAsync(delivery.DeliveryTag, multiple: false);
                counter.Hit(payload.Id);
            }
            : async (_, delivery) =>
            {
                var payload = JsonSerializer.Deserialize(delivery.Body.Span, BenchJson.Default.Payload)!;
                await channel.BasicAckAsync(delivery.DeliveryTag, multiple: false);
                counter.Hit(payload.Id);
            };
        await channel.BasicConsumeAsync(queue, autoAck: false, consumer);
        return channel;
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
