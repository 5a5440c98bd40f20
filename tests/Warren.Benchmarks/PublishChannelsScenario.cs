using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using RabbitMQ.Client;
using Warren.Benchmarks.Compare;

namespace Warren.Benchmarks;

/// <summary>
/// Confirmed publishing at 1, 2 and 4 publishing channels (<c>Warren:PublishChannels</c>): as many concurrent publishers
/// as the in-flight window holds, each awaiting its own publishes, none asking for order, so Warren spreads them over the
/// channels. Rounds alternate the channel counts; the median of each is printed.
/// </summary>
internal static class PublishChannelsScenario
{
    private static readonly int[] ChannelCounts = [1, 2, 4];

    public static async Task<int> RunAsync(string url, int messages, int size, int rounds)
    {
        Console.WriteLine($"channels: {messages} messages of {size} bytes, {rounds} rounds at {string.Join(", ", ChannelCounts)} publishing channel(s)");
        foreach (var channels in ChannelCounts)
        {
            await PublishAsync(url, channels, Math.Min(messages, 5_000), size); // warm-up
        }

        var rates = ChannelCounts.ToDictionary(c => c, _ => new List<double>());
        for (var round = 1; round <= rounds; round++)
        {
            var line = new List<string>();
            foreach (var channels in ChannelCounts)
            {
                var rate = await PublishAsync(url, channels, messages, size);
                rates[channels].Add(rate);
                line.Add(string.Create(CultureInfo.InvariantCulture, $"{channels} ch {rate,10:N0} msg/s"));
            }

            Console.WriteLine($"round {round}: {string.Join("   ", line)}");
        }

        foreach (var channels in ChannelCounts)
        {
            var median = rates[channels].Order().ElementAt(rates[channels].Count / 2);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"publish at {channels} channel(s): {median:N0} msg/s (median)"));
        }

        return 0;
    }

    private static async Task<double> PublishAsync(string url, int channels, int count, int size)
    {
        var queue = "bench-channels-" + Guid.NewGuid().ToString("N");
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddWarren(o =>
        {
            o.Url = url;
            o.ClientName = "bench-channels";
            o.MaxInFlightPublishes = Window.Size;
            o.PublishChannels = channels;
        }).AddTopology(new Topology().Add(new QueueDeclaration(queue)))
          .AddContract(new MessageContract<Payload>("bench.payload", BenchJson.Default.Payload, string.Empty, queue));
        using var host = builder.Build();
        await host.StartAsync();
        try
        {
            var publisher = host.Services.GetRequiredService<IPublisher>();
            var data = Payload.Create(0, size).Data;
            var next = -1;
            var stopwatch = Stopwatch.StartNew();
            await Task.WhenAll(Enumerable.Range(0, Window.Size).Select(async _ =>
            {
                for (var id = Interlocked.Increment(ref next); id < count; id = Interlocked.Increment(ref next))
                {
                    await publisher.PublishAsync(new Payload(id, data));
                }
            }));
            stopwatch.Stop();
            return count / stopwatch.Elapsed.TotalSeconds;
        }
        finally
        {
            await host.StopAsync();
            await using var connection = await new ConnectionFactory { Uri = new Uri(url) }.CreateConnectionAsync("bench-channels-cleanup");
            await RawScenarios.DeleteAsync(connection, queue);
        }
    }
}
