using System;
using System.Diagnostics;
using System.Threading.Tasks;
using MassTransit;
using RabbitMQ.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Warren.Benchmarks.Compare;

/// <summary>
/// MassTransit 8.5.12 (the last version without a licence key) on RabbitMQ, as its documentation sets it up: AddMassTransit
/// with UsingRabbitMq, a consumer class per message type on a receive endpoint, Send to <c>queue:name</c> for commands,
/// the request client for request/response. Publisher confirmation is on (the default), messages are durable
/// (persistent, the default), the System.Text.Json envelope serializer (the default).
/// </summary>
internal sealed class MassTransitScenarios : Framework
{
    public override string Name => "masstransit";

    public override string Settings =>
        "MassTransit.RabbitMQ 8.5.12 defaults (publisher confirmation on, durable/persistent, STJ envelope) + PrefetchCount 200 (as raw); concurrent message limit = prefetch (default); " +
        "ISendEndpoint.Send to queue:name with up to 1,024 sends in flight; RPC: IRequestClient<T>.GetResponse (reply to the bus's temporary queue)";

    public override async Task<Throughput> PublishAsync(string url, int count, int size)
    {
        var queue = RawScenarios.Queue("mt");
        using var host = Build(url, configure: null);
        await host.StartAsync();
        try
        {
            var endpoint = await host.Services.GetRequiredService<IBus>().GetSendEndpoint(new Uri("queue:" + queue));
            var data = Payload.Create(0, size).Data;
            await endpoint.Send(new Payload(-1, data)); // declares the queue and its exchange before timing
            await Meter.SettleJitAsync();
            var meter = Meter.Start();
            await Window.RunAsync(count, i => endpoint.Send(new Payload(i, data)));
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
        var queue = RawScenarios.Queue("mt");
        using (var filler = Build(url, configure: null))
        {
            await filler.StartAsync();
            var endpoint = await filler.Services.GetRequiredService<IBus>().GetSendEndpoint(new Uri("queue:" + queue));
            var data = Payload.Create(0, size).Data;
            await Window.RunAsync(count, i => endpoint.Send(new Payload(i, data)));
            await filler.StopAsync();
        }

        await WireProbe.RecordAsync(url, queue, Name);

        var counter = new RunCounter(count);
        using var host = Build(url, Consume(queue), counter);
        try
        {
            var meter = Meter.Start();
            await host.StartAsync();
            try
            {
                await counter.WaitAsync(RawScenarios.Timeout(count), "masstransit consume");
                return meter.Stop(count);
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

    public override async Task<Throughput> EndToEndAsync(string url, int count, int size)
    {
        var queue = RawScenarios.Queue("mt");
        var counter = new RunCounter(count);
        using var host = Build(url, Consume(queue), counter);
        await host.StartAsync();
        try
        {
            var endpoint = await host.Services.GetRequiredService<IBus>().GetSendEndpoint(new Uri("queue:" + queue));
            var data = Payload.Create(0, size).Data;
            var meter = Meter.Start();
            await Window.RunAsync(count, i => endpoint.Send(new Payload(i, data)));
            await counter.WaitAsync(RawScenarios.Timeout(count), "masstransit e2e");
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
        var queue = RawScenarios.Queue("mt");
        var counter = new RunCounter(count, recordLatency: true);
        using var host = Build(url, Consume(queue), counter);
        await host.StartAsync();
        try
        {
            var endpoint = await host.Services.GetRequiredService<IBus>().GetSendEndpoint(new Uri("queue:" + queue));
            var data = Payload.Create(0, size).Data;
            var cpu = Meter.CpuTime();
            await Pacer.RunAsync(count, rate, _ => endpoint.Send(new Payload(Stopwatch.GetTimestamp(), data)));
            await counter.WaitAsync(RawScenarios.Timeout(count), "masstransit latency");
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
        var queue = RawScenarios.Queue("mt-rpc");
        using var server = Build(url, (x, endpoints) =>
        {
            x.AddConsumer<EchoConsumer>();
            endpoints.Add((context, cfg) => cfg.ReceiveEndpoint(queue, e =>
            {
                e.PrefetchCount = RpcMeasure.ServerPrefetch;
                e.ConfigureConsumer<EchoConsumer>(context);
            }));
        });
        using var client = Build(url, configure: null);
        await server.StartAsync();
        await client.StartAsync();
        try
        {
            var requests = client.Services.GetRequiredService<IBus>().CreateRequestClient<Echo>(new Uri("queue:" + queue), RequestTimeout.After(s: 30));
            return await RpcMeasure.RunAsync(calls, async (id, data) => (await requests.GetResponse<EchoReply>(new Echo(id, data))).Message.Id);
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
        const string queue = "bench-coldstart-mt";
        var counter = new RunCounter(1);
        using var host = Build(url, Consume(queue), counter);
        await host.StartAsync();
        var endpoint = await host.Services.GetRequiredService<IBus>().GetSendEndpoint(new Uri("queue:" + queue));
        await endpoint.Send(Payload.Create(Stopwatch.GetTimestamp(), 256));
        await counter.WaitAsync(TimeSpan.FromSeconds(30), "masstransit cold start");
        ColdStart.ReportFirstHandled();
        await host.StopAsync();
        return 0;
    }

    private static Action<IBusRegistrationConfigurator, EndpointList> Consume(string queue) => (x, endpoints) =>
    {
        x.AddConsumer<PayloadConsumer>();
        endpoints.Add((context, cfg) => cfg.ReceiveEndpoint(queue, e =>
        {
            e.PrefetchCount = RawScenarios.Prefetch;
            e.ConfigureConsumer<PayloadConsumer>(context);
        }));
    };

    private static IHost Build(string url, Action<IBusRegistrationConfigurator, EndpointList>? configure, RunCounter? counter = null)
    {
        var uri = new Uri(url);
        var credentials = Uri.UnescapeDataString(uri.UserInfo).Split(':', 2);
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.Configure<MassTransitHostOptions>(o => o.WaitUntilStarted = true);

        // MassTransit keeps the first bus's logger factory in a static; a host disposes its own factory when it stops, so
        // every bus of this process gets the same one, which no host owns.
        builder.Services.AddSingleton<ILoggerFactory>(NullLoggerFactory.Instance);
        if (counter is not null)
        {
            builder.Services.AddSingleton(counter);
        }

        var endpoints = new EndpointList();
        builder.Services.AddMassTransit(x =>
        {
            configure?.Invoke(x, endpoints);
            x.UsingRabbitMq((context, cfg) =>
            {
                cfg.Host(uri.Host, (ushort)uri.Port, "/", "bench-mt", h =>
                {
                    h.Username(credentials[0]);
                    h.Password(credentials[1]);
                });
                foreach (var endpoint in endpoints)
                {
                    endpoint(context, cfg);
                }
            });
        });
        return builder.Build();
    }

    private static async Task DeleteAsync(string url, string queue)
    {
        await using var connection = await RawScenarios.Factory(url).CreateConnectionAsync("bench-mt-cleanup");
        await using var channel = await connection.CreateChannelAsync();
        await channel.QueueDeleteAsync(queue);
        await channel.ExchangeDeleteAsync(queue);
    }

    /// <summary>Receive endpoints to add once the bus factory runs.</summary>
    private sealed class EndpointList : System.Collections.Generic.List<Action<IBusRegistrationContext, IRabbitMqBusFactoryConfigurator>>;

    /// <summary>The consumer of the throughput and latency scenarios.</summary>
    internal sealed class PayloadConsumer(RunCounter counter) : IConsumer<Payload>
    {
        public Task Consume(ConsumeContext<Payload> context)
        {
            counter.Hit(context.Message.Id);
            return Task.CompletedTask;
        }
    }

    /// <summary>The RPC server: answers with the request.</summary>
    internal sealed class EchoConsumer : IConsumer<Echo>
    {
        public Task Consume(ConsumeContext<Echo> context) => context.RespondAsync(new EchoReply(context.Message.Id, context.Message.Data));
    }
}

/// <summary>The RPC request of the peers (the same shape as <see cref="Payload"/>).</summary>
public sealed record Echo(long Id, string Data);

/// <summary>The RPC reply of the peers.</summary>
public sealed record EchoReply(long Id, string Data);
