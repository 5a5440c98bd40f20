using System;
using System.Diagnostics;
using System.Linq;
using System.Threading.Tasks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Warren.Benchmarks.Compare;

namespace Warren.Benchmarks;

/// <summary>
/// The same scenarios through Warren's public API: a host with AddWarren, a registered contract (what the generator
/// emits for a message type), PublishBatchAsync / PublishAsync and a dispatcher.
/// </summary>
internal sealed class WarrenScenarios : Framework
{
    public override string Name => "warren";

    public override string Settings =>
        "defaults except Prefetch 200 (as raw): confirmed mandatory persistent publishes, MaxInFlightPublishes 1,024, PublishBatchAsync for bulk; " +
        "consumer: the generated dispatcher of a handler class registered as a singleton, concurrency 1, ack after the handler; RPC: RpcClient/RpcServer (what generated proxies call), direct reply-to, server prefetch 64";

    public override async Task<Throughput> PublishAsync(string url, int count, int size)
    {
        var queue = RawScenarios.Queue("warren");
        var host = Build(url, queue, counter: null);
        try
        {
            await host.StartAsync();
            await Meter.SettleJitAsync();
            var meter = Meter.Start();
            await Publish(host, count, size);
            var result = meter.Stop(count);
            await WireProbe.RecordAsync(url, queue, "warren");
            return result;
        }
        finally
        {
            await ShutdownAsync(host, url, queue);
        }
    }

    public override Task<Throughput> ConsumeAsync(string url, int count, int size) => ConsumeAsync(url, count, size, batchSize: 0);

    /// <summary>Consumes a pre-filled queue; with <paramref name="batchSize"/> above 0 through a <see cref="BatchDispatcher{T}"/> of that size.</summary>
    public static async Task<Throughput> ConsumeAsync(string url, int count, int size, int batchSize)
    {
        var queue = RawScenarios.Queue("warren");
        await using (var setup = await RawScenarios.Factory(url).CreateConnectionAsync("bench-warren-setup"))
        {
            // Raw publishes carry what Warren's do (type, content type, message id, persistent): the same format.
            await RawScenarios.DeclareAsync(setup, queue);
            await RawScenarios.PublishAsync(setup, queue, count, size);
        }

        var counter = new RunCounter(count);
        var host = Build(url, queue, counter, batchSize);
        try
        {
            var meter = Meter.Start();
            await host.StartAsync();
            await counter.WaitAsync(RawScenarios.Timeout(count), batchSize > 0 ? "warren batch consume" : "warren consume");
            return meter.Stop(count);
        }
        finally
        {
            await ShutdownAsync(host, url, queue);
        }
    }

    public override async Task<Throughput> EndToEndAsync(string url, int count, int size)
    {
        var queue = RawScenarios.Queue("warren");
        var counter = new RunCounter(count);
        var host = Build(url, queue, counter);
        try
        {
            await host.StartAsync();
            var meter = Meter.Start();
            await Publish(host, count, size);
            await counter.WaitAsync(RawScenarios.Timeout(count), "warren e2e");
            return meter.Stop(count);
        }
        finally
        {
            await ShutdownAsync(host, url, queue);
        }
    }

    /// <summary>The e2e scenario on its own (the OpenTelemetry comparison runs it with and without a listener).</summary>
    public static Task<Throughput> EndToEndMeasuredAsync(string url, int count, int size) =>
        new WarrenScenarios().EndToEndAsync(url, count, size);

    public override async Task<Latency> LatencyAsync(string url, int count, int rate, int size)
    {
        var queue = RawScenarios.Queue("warren");
        var counter = new RunCounter(count, recordLatency: true);
        var host = Build(url, queue, counter);
        try
        {
            await host.StartAsync();
            var publisher = host.Services.GetRequiredService<IPublisher>();
            var data = Payload.Create(0, size).Data;
            var cpu = Meter.CpuTime();
            await Pacer.RunAsync(count, rate, _ => publisher.PublishAsync(new Payload(Stopwatch.GetTimestamp(), data)).AsTask());
            await counter.WaitAsync(RawScenarios.Timeout(count), "warren latency");
            return Latency.From(counter.Latencies, (Meter.CpuTime() - cpu).TotalMicroseconds / count);
        }
        finally
        {
            await ShutdownAsync(host, url, queue);
        }
    }

    public override async Task<RpcResult?> RpcAsync(string url, int calls)
    {
        var queue = RawScenarios.Queue("warren-rpc");
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddWarren(o =>
            {
                o.Url = url;
                o.ClientName = "bench-rpc-warren";
            })
            .AddTopology(new Topology().Add(new QueueDeclaration(queue)))
            .AddConsumer(new ConsumerDefinition(queue, new EchoServer()) { Prefetch = RpcMeasure.ServerPrefetch });
        using var host = builder.Build();
        await host.StartAsync();
        try
        {
            var client = host.Services.GetRequiredService<RpcClient>();
            var timeout = TimeSpan.FromSeconds(30);
            return await RpcMeasure.RunAsync(calls, async (id, data) =>
                (await client.CallAsync("bench", queue, "bench.echo", new Payload(id, data), BenchJson.Default.Payload, BenchJson.Default.Payload, timeout)).Id);
        }
        finally
        {
            await host.StopAsync();
            await using var connection = await RawScenarios.Factory(url).CreateConnectionAsync("bench-rpc-cleanup");
            await RawScenarios.DeleteAsync(connection, queue);
        }
    }

    public override async Task<int> ColdStartAsync(string url)
    {
        var counter = new RunCounter(1);
        using var host = Build(url, "bench-coldstart-warren", counter);
        await host.StartAsync();
        await host.Services.GetRequiredService<IPublisher>().PublishAsync(Payload.Create(Stopwatch.GetTimestamp(), 256));
        await counter.WaitAsync(TimeSpan.FromSeconds(30), "warren cold start");
        ColdStart.ReportFirstHandled();
        await host.StopAsync();
        return 0;
    }

    private static IHost Build(string url, string queue, RunCounter? counter, int batchSize = 0)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        var warren = builder.Services.AddWarren(o =>
        {
            o.Url = url;
            o.ClientName = "bench-warren";
            o.Prefetch = RawScenarios.Prefetch;
            o.MaxInFlightPublishes = Window.Size;
        });
        warren.AddTopology(new Topology().Add(new QueueDeclaration(queue)));
        if (counter is not null && batchSize > 0)
        {
            warren.AddConsumer(new ConsumerDefinition(queue, new BatchDispatcher<Payload>(BenchJson.Default.Payload, batchSize, TimeSpan.FromMilliseconds(50), (batch, _) =>
            {
                foreach (var payload in batch)
                {
                    counter.Hit(payload.Id);
                }

                return ValueTask.CompletedTask;
            })));
        }
        else if (counter is not null)
        {
            // The dispatcher generated code creates for a handler class (here registered as a singleton), on this run's queue.
            builder.Services.AddSingleton(new PayloadHandler(counter));
            warren.AddConsumer(new ConsumerDefinition(queue, new HandlerDispatcher<PayloadHandler, Payload>(
                queue, "bench.payload", BenchJson.Default, static (handler, message, context) => { handler.Handle(message); return Task.CompletedTask; })));
        }

        warren.AddContract(new MessageContract<Payload>("bench.payload", BenchJson.Default.Payload, string.Empty, queue));
        return builder.Build();
    }

    private static async Task ShutdownAsync(IHost host, string url, string queue)
    {
        await host.StopAsync();
        host.Dispose();
        await using var connection = await RawScenarios.Factory(url).CreateConnectionAsync("bench-warren-cleanup");
        await RawScenarios.DeleteAsync(connection, queue);
    }

    private static ValueTask Publish(IHost host, int count, int size)
    {
        var data = Payload.Create(0, size).Data;
        return host.Services.GetRequiredService<IPublisher>().PublishBatchAsync(Enumerable.Range(0, count).Select(i => new Payload(i, data)));
    }

    /// <summary>What the generated server dispatcher for an echo service does.</summary>
    private sealed class EchoServer : IMessageDispatcher
    {
        public ValueTask<DispatchOutcome> DispatchAsync(MessageContext context) =>
            RpcServer.ServeAsync(context, BenchJson.Default.Payload, BenchJson.Default.Payload, static (_, request, _) => Task.FromResult(request));
    }
}
