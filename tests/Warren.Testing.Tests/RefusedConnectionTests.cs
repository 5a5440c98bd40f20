using System;
using System.Diagnostics;
using System.Linq;
using System.Net.Sockets;
using System.Threading.Tasks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Xunit;

namespace Warren.Testing.Tests;

/// <summary>
/// <see cref="InMemoryBroker.RefuseConnections"/>: a broker that is down, recorded by Warren where a refusal of RabbitMQ
/// is recorded (the start's last error, the readiness check, the log), and a start that fails or retries as in production.
/// </summary>
public sealed class RefusedConnectionTests
{
    [Fact]
    public async Task A_background_start_against_a_refusing_broker_records_the_refusal_and_connects_once_it_accepts()
    {
        var host = Build(WarrenStartMode.Background);
        await using var disposeHost = (IAsyncDisposable)host;
        var broker = host.Services.GetRequiredService<InMemoryBroker>();
        broker.RefuseConnections = true;
        await host.StartAsync();
        try
        {
            var startup = host.Services.GetRequiredService<WarrenStartup>();
            var health = host.Services.GetRequiredService<HealthCheckService>();
            var harness = host.Services.GetRequiredService<WarrenTestHarness>();
            await WaitAsync(() => startup.LastError is not null, "the refused attempt to be recorded");

            Assert.StartsWith("Could not open the consume connection", startup.LastError, StringComparison.Ordinal);
            Assert.Contains(new SocketException((int)SocketError.ConnectionRefused).Message, startup.LastError, StringComparison.Ordinal);
            var ready = (await health.CheckHealthAsync(c => c.Tags.Contains("ready"))).Entries["warren-connections"];
            Assert.Equal(HealthStatus.Unhealthy, ready.Status);
            Assert.Contains("not yet connected", ready.Description, StringComparison.Ordinal);
            Assert.Contains("last failure at", ready.Description, StringComparison.Ordinal);
            Assert.Contains("Could not open the consume connection", ready.Description, StringComparison.Ordinal);
            Assert.Contains(harness.History.Logs, l => l.StartsWith("Warning", StringComparison.Ordinal) && l.Contains("the broker was not reached (Could not open the consume connection", StringComparison.Ordinal));
            Assert.Equal(HealthStatus.Healthy, (await health.CheckHealthAsync(c => c.Tags.Contains("live"))).Status);

            broker.RefuseConnections = false;
            await startup.WaitUntilReadyAsync().WaitAsync(TimeSpan.FromSeconds(30));
            Assert.Equal(HealthStatus.Healthy, (await health.CheckHealthAsync(c => c.Tags.Contains("ready"))).Status);
            var session = await harness.PublishAsync(new OrderPlaced("o-1", "eu"));
            session.AssertConsumed<OrderPlaced>(queue: "shop.billing");
        }
        finally
        {
            await host.StopAsync();
        }
    }

    [Fact]
    public async Task By_default_the_host_does_not_start_against_a_refusing_broker_and_says_why()
    {
        var host = Build(WarrenStartMode.FailFast);
        await using var disposeHost = (IAsyncDisposable)host;
        host.Services.GetRequiredService<InMemoryBroker>().RefuseConnections = true;

        var error = await Assert.ThrowsAsync<WarrenConnectionException>(() => host.StartAsync());

        Assert.Equal(SocketError.ConnectionRefused, Assert.IsType<SocketException>(error.InnerException).SocketErrorCode);
        Assert.StartsWith("Could not open the consume connection", error.Message, StringComparison.Ordinal);
        Assert.Equal(error.Message, host.Services.GetRequiredService<WarrenStartup>().LastError);
    }

    private static IHost Build(WarrenStartMode mode)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddSingleton(new Behaviour());
        builder.Services.AddWarren(o => o.StartMode = mode).AddGeneratedHandlers();
        builder.Services.AddHealthChecks().AddWarrenHealthChecks();
        builder.Services.AddWarrenTestHarness(o => o.JsonContexts.Add(ShopJson.Default));
        return builder.Build();
    }

    private static async Task WaitAsync(Func<bool> condition, string what)
    {
        var waited = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(waited.Elapsed < TimeSpan.FromSeconds(20), $"timed out waiting for {what}");
            await Task.Delay(20);
        }
    }
}
