using System;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using RabbitMQ.Client;
using Warren.Infrastructure;
using Xunit;

namespace Warren.Tests.Publishing;

/// <summary>
/// A publish that times out before any channel took the message says it was not sent, with the last connection
/// failure (if any) as its cause — not that it "may or may not" have reached the broker.
/// </summary>
public sealed class PublishTimeoutTests
{
    [Fact]
    public async Task A_publish_that_never_got_a_connection_was_not_sent_and_carries_no_cancellation_as_its_cause()
    {
        await using var publisher = Create(new WarrenStartup(), out _);

        var error = await Assert.ThrowsAsync<PublishTimeoutException>(async () => await publisher.PublishTextAsync("orders", "created", "hello"));

        Assert.Contains("was not sent", error.Message, StringComparison.Ordinal);
        Assert.Contains("never reached the broker", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("may or may not", error.Message, StringComparison.Ordinal);
        Assert.Null(error.InnerException);
        Assert.Equal("orders", error.Exchange);
        Assert.Equal("created", error.RoutingKey);
    }

    [Fact]
    public async Task A_publish_waiting_for_a_background_start_carries_the_last_start_failure()
    {
        var startup = new WarrenStartup();
        startup.Begin(gatePublishes: true);
        var failure = new WarrenConnectionException("Could not open the consume connection: connection refused.");
        startup.Fail(failure);
        await using var publisher = Create(startup, out _);

        var error = await Assert.ThrowsAsync<PublishTimeoutException>(async () => await publisher.PublishTextAsync("orders", "created", "hello"));

        Assert.Contains("was not sent", error.Message, StringComparison.Ordinal);
        Assert.Contains("connection refused", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("may or may not", error.Message, StringComparison.Ordinal);
        Assert.Same(failure, error.InnerException);
    }

    [Fact]
    public async Task A_publish_the_caller_cancels_before_any_connection_is_cancelled_not_timed_out()
    {
        await using var publisher = Create(new WarrenStartup(), out _, TimeSpan.FromMinutes(5));
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await publisher.PublishTextAsync("orders", "created", "hello", cancellationToken: cancel.Token));
    }

    private static MessagePublisher Create(WarrenStartup startup, out WarrenConnections connections, TimeSpan? timeout = null)
    {
        var options = Options.Create(new WarrenOptions { PublishTimeout = timeout ?? TimeSpan.FromMilliseconds(300) });
        connections = new WarrenConnections(options, NullLogger<WarrenConnections>.Instance, new NeverConnects());
        return new MessagePublisher(connections, new MessageContracts(), options, NullLogger<MessagePublisher>.Instance, new WarrenMetrics(null, connections), startup, new DelayedDelivery(connections));
    }

    /// <summary>A broker that never answers: opening a connection waits until cancelled.</summary>
    private sealed class NeverConnects : IConnectionSource
    {
        public async Task<IConnection> ConnectAsync(ConnectionRole role, string clientName, CancellationToken cancellationToken)
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
            throw new InvalidOperationException("unreachable");
        }
    }
}
