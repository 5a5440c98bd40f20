using System;
using System.Diagnostics;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using RabbitMQ.Client;

namespace Warren.Benchmarks;

/// <summary>The same scenarios through Warren's public API: a host with AddWarren, PublishBatchAsync and a dispatcher.</summary>
internal static class WarrenScenarios
{
    public static async Task<double> EndToEndAsync(string url, int count, int size)
    {
        var queue = "bench-warren-" + Guid.NewGuid().ToString("N");
        var consumed = new Counter(count);
        var host = Build(url, queue, consumed);
        try
        {
            var stopwatch = Stopwatch.StartNew();
            await host.StartAsync();
            await Publish(host, queue, count, size);
            await consumed.Done;
            stopwatch.Stop();
            return count / stopwatch.Elapsed.TotalSeconds;
        }
        finally
        {
            await ShutdownAsync(host, url, queue);
        }
    }

    public static async Task<double> PublishAsync(string url, int count, int size)
    {
        var queue = "bench-warren-" + Guid.NewGuid().ToString("N");
        var host = Build(url, queue, consumed: null);
        try
        {
            await host.StartAsync();
            var stopwatch = Stopwatch.StartNew();
            await Publish(host, queue, count, size);
            stopwatch.Stop();
            return count / stopwatch.Elapsed.TotalSeconds;
        }
        finally
        {
            await ShutdownAsync(host, url, queue);
        }
    }

    public static async Task<double> ConsumeAsync(string url, int count, int size)
    {
        var queue = "bench-warren-" + Guid.NewGuid().ToString("N");
        var factory = new ConnectionFactory { Uri = new Uri(url) };
        await using (var setup = await factory.CreateConnectionAsync("bench-warren-setup"))
        {
            await RawScenarios.DeclareAsync(setup, queue);
            await RawScenarios.PublishAsync(setup, queue, count, size);
        }

        var consumed = new Counter(count);
        var host = Build(url, queue, consumed);
        try
        {
            var stopwatch = Stopwatch.StartNew();
            await host.StartAsync();
            await consumed.Done;
            stopwatch.Stop();
            return count / stopwatch.Elapsed.TotalSeconds;
        }
        finally
        {
            await ShutdownAsync(host, url, queue);
        }
    }

    private static IHost Build(string url, string queue, Counter? consumed)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        var warren = builder.Services.AddWarren(o =>
        {
            o.Url = url;
            o.ClientName = "bench-warren";
            o.Prefetch = RawScenarios.Prefetch;
            o.MaxInFlightPublishes = RawScenarios.Window;
        });
        warren.AddTopology(new Topology().Add(new QueueDeclaration(queue)));
        if (consumed is not null)
        {
            warren.AddConsumer(new ConsumerDefinition(queue, MessageDispatcher.Create(BenchJson.Default.Payload, (payload, _) =>
            {
                consumed.Increment();
                return ValueTask.CompletedTask;
            })));
        }

        warren.AddContract(new MessageContract<Payload>("bench.payload", BenchJson.Default.Payload, string.Empty, queue));
        return builder.Build();
    }

    private static async Task ShutdownAsync(IHost host, string url, string queue)
    {
        await host.StopAsync();
        host.Dispose();
        await DeleteAsync(url, queue);
    }

    private static ValueTask Publish(IHost host, string queue, int count, int size)
    {
        var data = Payload.Create(0, size).Data;
        return host.Services.GetRequiredService<IPublisher>().PublishBatchAsync(Enumerable.Range(0, count).Select(i => new Payload(i, data)));
    }

    private static async Task DeleteAsync(string url, string queue)
    {
        await using var connection = await new ConnectionFactory { Uri = new Uri(url) }.CreateConnectionAsync("bench-warren-cleanup");
        await RawScenarios.DeleteAsync(connection, queue);
    }

    private sealed class Counter(int target)
    {
        private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _count;

        public Task Done => _done.Task;

        public void Increment()
        {
            if (Interlocked.Increment(ref _count) == target)
            {
                _done.TrySetResult();
            }
        }
    }
}
