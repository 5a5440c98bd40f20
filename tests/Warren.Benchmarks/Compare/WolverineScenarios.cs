using System;
using System.Diagnostics;
using System.Threading.Tasks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using RabbitMQ.Client;
using Wolverine;
using Wolverine.RabbitMQ;

namespace Warren.Benchmarks.Compare;

/// <summary>
/// Wolverine 6.62.0 (WolverineFx.RabbitMQ) as its RabbitMQ documentation sets it up: UseRabbitMq().AutoProvision(), an
/// explicit publishing rule to a queue, ListenToRabbitQueue for the consumer, handler methods found by type. Its
/// documentation says publisher confirms are off by default and must be turned on when messages may not be lost
/// without the outbox, so they are on here (ConfigureChannelCreation), and sending is inline (SendInline) so a send
/// completes when the broker has it. Listeners run in the RabbitMQ default Inline mode (ack after the handler).
/// </summary>
internal sealed class WolverineScenarios : Framework
{
    public override string Name => "wolverine";

    public override string Settings =>
        "WolverineFx.RabbitMQ 6.62.0: UseRabbitMq().AutoProvision(), publisher confirms + tracking on (off by default), PublishMessage<T>().ToRabbitQueue(q).SendInline(), " +
        "IMessageBus.SendAsync with up to 1,024 in flight; ListenToRabbitQueue(q) in its default Inline mode (ack after the handler) + PreFetchCount 200 (as raw); " +
        "RPC: IMessageBus.InvokeAsync<T> over RabbitMQ (reply on the node's response queue). " +
        "NOTE: outside its durable (database outbox) mode Wolverine publishes TRANSIENT messages, which the broker does not write to disk";

    public override async Task<Throughput> PublishAsync(string url, int count, int size)
    {
        var queue = RawScenarios.Queue("wolverine");
        using var host = Build(url, opts => opts.PublishMessage<Payload>().ToRabbitQueue(queue).SendInline());
        await host.StartAsync();
        try
        {
            var bus = host.Services.GetRequiredService<IMessageBus>();
            var data = Payload.Create(0, size).Data;
            await Meter.SettleJitAsync();
            var meter = Meter.Start();
            await Window.RunAsync(count, i => bus.SendAsync(new Payload(i, data)).AsTask());
            return meter.Stop(count);
        }
        finally
        {
            await host.StopAsync();
            await DeleteAsync(url, queue);
        }
    }

    public override async Task<Throughput> ConsumeAsync(string url, int count, int size)
    {
        var queue = RawScenarios.Queue("wolverine");
        using (var filler = Build(url, opts => opts.PublishMessage<Payload>().ToRabbitQueue(queue).SendInline()))
        {
            await filler.StartAsync();
            var bus = filler.Services.GetRequiredService<IMessageBus>();
            var data = Payload.Create(0, size).Data;
            await Window.RunAsync(count, i => bus.SendAsync(new Payload(i, data)).AsTask());
            await filler.StopAsync();
        }

        await WireProbe.RecordAsync(url, queue, Name);

        var counter = new RunCounter(count);
        using var host = Build(url, Listen(queue), counter);
        try
        {
            var meter = Meter.Start();
            await host.StartAsync();
            try
            {
                await counter.WaitAsync(RawScenarios.Timeout(count), "wolverine consume");
                return meter.Stop(count);
            }
            catch (TimeoutException e)
            {
                // Whether the missing messages were never queued (the fill lost them) or are still in the queue.
                throw new TimeoutException($"{e.Message}; {await DescribeQueueAsync(url, queue)}", e);
            }
            finally
            {
                await host.StopAsync();
            }
        }
        finally
        {
            await DeleteAsync(url, queue);
        }
    }

    private static async Task<string> DescribeQueueAsync(string url, string queue)
    {
        await using var connection = await RawScenarios.Factory(url).CreateConnectionAsync("bench-wolverine-probe");
        await using var channel = await connection.CreateChannelAsync();
        var state = await channel.QueueDeclarePassiveAsync(queue);
        return $"the queue then held {state.MessageCount} ready message(s) with {state.ConsumerCount} consumer(s)";
    }

    public override async Task<Throughput> EndToEndAsync(string url, int count, int size)
    {
        var queue = RawScenarios.Queue("wolverine");
        var counter = new RunCounter(count);
        using var host = Build(url, SendAndListen(queue), counter);
        await host.StartAsync();
        try
        {
            var bus = host.Services.GetRequiredService<IMessageBus>();
            var data = Payload.Create(0, size).Data;
            var meter = Meter.Start();
            await Window.RunAsync(count, i => bus.SendAsync(new Payload(i, data)).AsTask());
            await counter.WaitAsync(RawScenarios.Timeout(count), "wolverine e2e");
            return meter.Stop(count);
        }
        finally
        {
            await host.StopAsync();
            await DeleteAsync(url, queue);
        }
    }

    public override async Task<Latency> LatencyAsync(string url, int count, int rate, int size)
    {
        var queue = RawScenarios.Queue("wolverine");
        var counter = new RunCounter(count, recordLatency: true);
        using var host = Build(url, SendAndListen(queue), counter);
        await host.StartAsync();
        try
        {
            var bus = host.Services.GetRequiredService<IMessageBus>();
            var data = Payload.Create(0, size).Data;
            var cpu = Meter.CpuTime();
            await Pacer.RunAsync(count, rate, _ => bus.SendAsync(new Payload(Stopwatch.GetTimestamp(), data)).AsTask());
            await counter.WaitAsync(RawScenarios.Timeout(count), "wolverine latency");
            return Latency.From(counter.Latencies, (Meter.CpuTime() - cpu).TotalMicroseconds / count);
        }
        finally
        {
            await host.StopAsync();
            await DeleteAsync(url, queue);
        }
    }

    public override async Task<RpcResult?> RpcAsync(string url, int calls)
    {
        var queue = RawScenarios.Queue("wolverine-rpc");
        using var server = Build(url, opts =>
        {
            opts.Discovery.IncludeType(typeof(WolverineEchoHandler));
            opts.ListenToRabbitQueue(queue).PreFetchCount(RpcMeasure.ServerPrefetch);
        });
        using var client = Build(url, opts => opts.PublishMessage<Echo>().ToRabbitQueue(queue).SendInline());
        await server.StartAsync();
        await client.StartAsync();
        try
        {
            var bus = client.Services.GetRequiredService<IMessageBus>();
            var timeout = TimeSpan.FromSeconds(30);
            return await RpcMeasure.RunAsync(calls, async (id, data) => (await bus.InvokeAsync<EchoReply>(new Echo(id, data), default, timeout)).Id);
        }
        finally
        {
            await client.StopAsync();
            await server.StopAsync();
            await DeleteAsync(url, queue);
        }
    }

    public override async Task<int> ColdStartAsync(string url)
    {
        const string queue = "bench-coldstart-wolverine";
        var counter = new RunCounter(1);
        using var host = Build(url, SendAndListen(queue), counter);
        await host.StartAsync();
        await host.Services.GetRequiredService<IMessageBus>().SendAsync(Payload.Create(Stopwatch.GetTimestamp(), 256));
        await counter.WaitAsync(TimeSpan.FromSeconds(30), "wolverine cold start");
        ColdStart.ReportFirstHandled();
        await host.StopAsync();
        return 0;
    }

    private static Action<WolverineOptions> Listen(string queue) => opts =>
    {
        opts.Discovery.IncludeType(typeof(WolverinePayloadHandler));
        opts.ListenToRabbitQueue(queue).PreFetchCount(RawScenarios.Prefetch);
    };

    private static Action<WolverineOptions> SendAndListen(string queue) => opts =>
    {
        Listen(queue)(opts);
        opts.PublishMessage<Payload>().ToRabbitQueue(queue).SendInline();
    };

    private static IHost Build(string url, Action<WolverineOptions> configure, RunCounter? counter = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        if (counter is not null)
        {
            builder.Services.AddSingleton(counter);
        }

        builder.UseWolverine(opts =>
        {
            opts.ApplicationAssembly = typeof(WolverineScenarios).Assembly;
            opts.Discovery.DisableConventionalDiscovery();
            opts.UseRabbitMq(new Uri(url))
                .AutoProvision()
                .ConfigureChannelCreation(o =>
                {
                    o.PublisherConfirmationsEnabled = true;
                    o.PublisherConfirmationTrackingEnabled = true;
                });
            configure(opts);
        });
        return builder.Build();
    }

    private static async Task DeleteAsync(string url, string queue)
    {
        await using var connection = await RawScenarios.Factory(url).CreateConnectionAsync("bench-wolverine-cleanup");
        await using var channel = await connection.CreateChannelAsync();
        await channel.QueueDeleteAsync(queue);
    }
}

/// <summary>The Wolverine handler of the throughput and latency scenarios.</summary>
public static class WolverinePayloadHandler
{
    public static void Handle(Payload payload, RunCounter counter) => counter.Hit(payload.Id);
}

/// <summary>The Wolverine RPC server: answers with the request.</summary>
public static class WolverineEchoHandler
{
    public static EchoReply Handle(Echo request) => new(request.Id, request.Data);
}
