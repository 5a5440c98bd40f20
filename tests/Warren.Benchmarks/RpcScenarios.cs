using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace Warren.Benchmarks;

/// <summary>
/// RPC round trips: a hand-written direct reply-to client and server on RabbitMQ.Client against Warren's RpcClient and
/// RpcServer (the calls generated proxies and dispatchers make). Sequential calls give p50/p99 latency; 64 calls in
/// flight give throughput.
/// </summary>
internal static class RpcScenarios
{
    private const int Parallel = 64;
    private const ushort ServerPrefetch = 64;

    public static async Task<int> RunAsync(string url, int calls, int rounds)
    {
        Console.WriteLine($"rpc: {calls} sequential calls for latency, {calls} calls with {Parallel} in flight for throughput, {rounds} rounds (raw, then Warren)");
        await MeasureRawAsync(url, Math.Min(calls, 2000)); // warm-up
        await MeasureWarrenAsync(url, Math.Min(calls, 2000));
        var ratios = new List<double>();
        for (var round = 1; round <= rounds; round++)
        {
            var raw = await MeasureRawAsync(url, calls);
            var warren = await MeasureWarrenAsync(url, calls);
            ratios.Add(warren.P50 / raw.P50);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"round {round}: raw p50 {raw.P50:F3} ms p99 {raw.P99:F3} ms {raw.Throughput,8:N0} calls/s   warren p50 {warren.P50:F3} ms p99 {warren.P99:F3} ms {warren.Throughput,8:N0} calls/s"));
        }

        var median = ratios.Order().ElementAt(ratios.Count / 2);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"rpc p50 ratio warren/raw: {median:F2}"));
        return 0;
    }

    private static async Task<Result> MeasureRawAsync(string url, int calls)
    {
        var factory = new ConnectionFactory { Uri = new Uri(url) };
        var queue = "bench-rpc-raw-" + Guid.NewGuid().ToString("N");
        await using var serverConnection = await factory.CreateConnectionAsync("bench-rpc-raw-server");
        await using var clientConnection = await factory.CreateConnectionAsync("bench-rpc-raw-client");
        await RawScenarios.DeclareAsync(serverConnection, queue);
        try
        {
            await using var serverChannel = await serverConnection.CreateChannelAsync();
            await serverChannel.BasicQosAsync(0, ServerPrefetch, false);
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
            var data = Payload.Create(0, 64).Data;

            async Task<Payload> Call(long id)
            {
                var correlationId = Guid.NewGuid().ToString("N");
                var tcs = new TaskCompletionSource<byte[]>(TaskCreationOptions.RunContinuationsAsynchronously);
                pending[correlationId] = tcs;
                var properties = new BasicProperties { CorrelationId = correlationId, ReplyTo = "amq.rabbitmq.reply-to", Type = "bench.echo", ContentType = "application/json", Expiration = "30000" };
                await clientChannel.BasicPublishAsync(string.Empty, queue, true, properties, JsonSerializer.SerializeToUtf8Bytes(new Payload(id, data), BenchJson.Default.Payload));
                return JsonSerializer.Deserialize(await tcs.Task.WaitAsync(TimeSpan.FromSeconds(30)), BenchJson.Default.Payload)!;
            }

            return await MeasureAsync(calls, Call);
        }
        finally
        {
            await RawScenarios.DeleteAsync(serverConnection, queue);
        }
    }

    private static async Task<Result> MeasureWarrenAsync(string url, int calls)
    {
        var queue = "bench-rpc-warren-" + Guid.NewGuid().ToString("N");
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddWarren(o =>
            {
                o.Url = url;
                o.ClientName = "bench-rpc-warren";
            })
            .AddTopology(new Topology().Add(new QueueDeclaration(queue)))
            .AddConsumer(new ConsumerDefinition(queue, new EchoServer()) { Prefetch = ServerPrefetch });
        using var host = builder.Build();
        await host.StartAsync();
        try
        {
            var client = host.Services.GetRequiredService<RpcClient>();
            var data = Payload.Create(0, 64).Data;
            var timeout = TimeSpan.FromSeconds(30);
            return await MeasureAsync(calls, id => client.CallAsync("bench", queue, "bench.echo", new Payload(id, data), BenchJson.Default.Payload, BenchJson.Default.Payload, timeout));
        }
        finally
        {
            await host.StopAsync();
            await using var connection = await new ConnectionFactory { Uri = new Uri(url) }.CreateConnectionAsync("bench-rpc-cleanup");
            await RawScenarios.DeleteAsync(connection, queue);
        }
    }

    private static async Task<Result> MeasureAsync(int calls, Func<long, Task<Payload>> call)
    {
        var latencies = new double[calls];
        for (var i = 0; i < calls; i++)
        {
            var started = Stopwatch.GetTimestamp();
            var reply = await call(i);
            latencies[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            if (reply.Id != i)
            {
                throw new InvalidOperationException($"reply {reply.Id} for call {i}");
            }
        }

        Array.Sort(latencies);
        var next = -1L;
        var watch = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, Parallel).Select(async _ =>
        {
            long id;
            while ((id = Interlocked.Increment(ref next)) < calls)
            {
                var reply = await call(id);
                if (reply.Id != id)
                {
                    throw new InvalidOperationException($"reply {reply.Id} for call {id}");
                }
            }
        }));
        watch.Stop();
        return new Result(latencies[calls / 2], latencies[(int)(calls * 0.99)], calls / watch.Elapsed.TotalSeconds);
    }

    private sealed record Result(double P50, double P99, double Throughput);

    /// <summary>What the generated server dispatcher for an echo service does.</summary>
    private sealed class EchoServer : IMessageDispatcher
    {
        public ValueTask<DispatchOutcome> DispatchAsync(MessageContext context) =>
            RpcServer.ServeAsync(context, BenchJson.Default.Payload, BenchJson.Default.Payload, static (_, request, _) => Task.FromResult(request));
    }
}
