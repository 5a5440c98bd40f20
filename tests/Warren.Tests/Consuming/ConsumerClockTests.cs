using System;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using RabbitMQ.Client;
using Warren.Infrastructure;
using Warren.Testing;
using Xunit;

namespace Warren.Tests.Consuming;

/// <summary>
/// A consumer's status is stamped on the clock registered in DI (the connections' <see cref="TimeProvider"/>), as the
/// start-up state and the connections are: a test clock far from the system's sees every timestamp on itself, and the
/// liveness check measures how long a consumer has been restarting on that clock.
/// </summary>
public sealed class ConsumerClockTests
{
    [Fact]
    public async Task Consumer_states_errors_and_liveness_follow_the_registered_clock()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2031, 3, 4, 5, 6, 7, TimeSpan.Zero));
        var broker = new InMemoryBroker();
        await DeclareAsync(broker, "orders");
        var options = new WarrenOptions { ConsumerRestartDelay = TimeSpan.FromSeconds(2) };
        await using var connections = new WarrenConnections(Options.Create(options), NullLogger<WarrenConnections>.Instance, broker, clock);
        await using var publisher = new MessagePublisher(connections, new MessageContracts(), Options.Create(options), NullLogger<MessagePublisher>.Instance, new WarrenMetrics(null, connections), new WarrenStartup(clock), new DelayedDelivery(connections));
        await using var services = new ServiceCollection().BuildServiceProvider();
        var statuses = new WarrenConsumers();
        var liveness = new LivenessHealthCheck(connections, statuses, new WarrenHealthCheckOptions { LivenessGracePeriod = TimeSpan.FromSeconds(30) });
        await using var consumer = new QueueConsumer(
            new ConsumerDefinition("orders", new AcksEverything()), RetryPolicy.Disabled, connections, services.GetRequiredService<IServiceScopeFactory>(), options, publisher, statuses, new WarrenMetrics(null, connections), null, NullLogger.Instance);

        var starting = statuses.Get("orders")!;
        Assert.Equal(ConsumerState.Starting, starting.State);
        Assert.Equal(clock.GetUtcNow(), starting.Since);

        clock.Advance(TimeSpan.FromMinutes(1));
        await consumer.StartAsync(CancellationToken.None);
        var running = statuses.Get("orders")!;
        Assert.Equal(ConsumerState.Running, running.State);
        Assert.Equal(clock.GetUtcNow(), running.Since);

        // The queue goes: the consumer is restarting since now, on the registered clock, with the error stamped on it.
        clock.Advance(TimeSpan.FromMinutes(1));
        var lostAt = clock.GetUtcNow();
        await DeleteAsync(broker, "orders");
        var restarting = await WaitForAsync(statuses, s => s.State == ConsumerState.Restarting);
        Assert.Equal(lostAt, restarting.Since);
        Assert.Equal(lostAt, restarting.LastErrorAt);
        Assert.NotNull(restarting.LastError);

        // Liveness measures the outage on that clock: within the grace period it is live, past it it is not.
        Assert.Equal(HealthStatus.Healthy, (await liveness.CheckHealthAsync(new HealthCheckContext())).Status);
        clock.Advance(TimeSpan.FromSeconds(31));
        var down = await liveness.CheckHealthAsync(new HealthCheckContext());
        Assert.Equal(HealthStatus.Unhealthy, down.Status);
        Assert.Contains($"queue 'orders' not consumed since {lostAt:O}", down.Description, StringComparison.Ordinal);

        // The queue is back: the restart (its delay on the same clock) stamps Running at the clock's time.
        await DeclareAsync(broker, "orders");
        var back = await WaitForAsync(statuses, s => s.State == ConsumerState.Running, () => clock.Advance(TimeSpan.FromSeconds(1)));
        Assert.Equal(1, back.RestartCount);
        Assert.True(back.Since > lostAt + TimeSpan.FromSeconds(31), $"Running since {back.Since:O}, the clock reads {clock.GetUtcNow():O}");
        Assert.True(back.Since <= clock.GetUtcNow());

        await consumer.StopAsync(CancellationToken.None);
        Assert.Equal(clock.GetUtcNow(), statuses.Get("orders")!.Since);
    }

    private static async Task<ConsumerStatus> WaitForAsync(WarrenConsumers statuses, Func<ConsumerStatus, bool> condition, Action? meanwhile = null)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (true)
        {
            var status = statuses.Get("orders")!;
            if (condition(status))
            {
                return status;
            }

            Assert.True(DateTime.UtcNow < deadline, $"the consumer stayed {status.State} (last error: {status.LastError})");
            meanwhile?.Invoke();
            await Task.Delay(20);
        }
    }

    private static async Task DeclareAsync(InMemoryBroker broker, string queue)
    {
        await using var connection = broker.Connect();
        await using var channel = await connection.CreateChannelAsync();
        await channel.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false);
    }

    private static async Task DeleteAsync(InMemoryBroker broker, string queue)
    {
        await using var connection = broker.Connect();
        await using var channel = await connection.CreateChannelAsync();
        await channel.QueueDeleteAsync(queue);
    }

    private sealed class AcksEverything : IMessageDispatcher
    {
        public ValueTask<DispatchOutcome> DispatchAsync(MessageContext context) => new(DispatchOutcome.Ack);
    }
}
