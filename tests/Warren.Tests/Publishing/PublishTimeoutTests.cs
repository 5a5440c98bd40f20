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
    public async Task A_publish_waiting_for_a_start_stuck_on_the_consume_connection_says_it_waits_for_the_start_and_on_which_connection()
    {
        // A publish-only service still declares its exchanges, on the consume connection, before anything is published:
        // its publishes wait for that start, so the consume connection's failure is the one they wait on.
        var startup = new WarrenStartup();
        startup.Begin(gatePublishes: true);
        startup.Progress("opening the consume connection");
        var failure = new WarrenConnectionException("Could not open the consume connection to amqp://localhost:5672/: connection refused.");
        startup.Fail(failure);
        await using var publisher = Create(startup, out _);

        var error = await Assert.ThrowsAsync<PublishTimeoutException>(async () => await publisher.PublishTextAsync("orders", "created", "hello"));

        Assert.Contains("was not sent", error.Message, StringComparison.Ordinal);
        Assert.Contains("waited for Warren's start", error.Message, StringComparison.Ordinal);
        Assert.Contains("the consume connection", error.Message, StringComparison.Ordinal);
        Assert.Contains("declares the topology", error.Message, StringComparison.Ordinal);
        Assert.Contains("connection refused", error.Message, StringComparison.Ordinal);
        Assert.Same(failure, error.InnerException);
    }

    [Fact]
    public async Task A_publish_waiting_for_the_publish_connection_does_not_quote_the_consume_connections_failure()
    {
        // The consume connection was refused (a consumer's restart, say); the publish connection hangs: the publish waits
        // on the publish connection, whose attempt has not failed yet.
        await using var publisher = Create(new WarrenStartup(), out var connections, source: new RefusesConsume());
        await Assert.ThrowsAsync<WarrenConnectionException>(async () => await connections.GetConsumeConnectionAsync());

        var error = await Assert.ThrowsAsync<PublishTimeoutException>(async () => await publisher.PublishTextAsync("orders", "created", "hello"));

        Assert.Contains("was not sent", error.Message, StringComparison.Ordinal);
        Assert.Contains("the publish connection", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("consume", error.Message, StringComparison.Ordinal);
        Assert.Null(error.InnerException);
    }

    [Fact]
    public async Task A_publish_the_caller_cancels_before_any_connection_is_cancelled_not_timed_out()
    {
        await using var publisher = Create(new WarrenStartup(), out _, TimeSpan.FromMinutes(5));
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await publisher.PublishTextAsync("orders", "created", "hello", cancellationToken: cancel.Token));
    }

    private static MessagePublisher Create(WarrenStartup startup, out WarrenConnections connections, TimeSpan? timeout = null, IConnectionSource? source = null)
    {
        var options = Options.Create(new WarrenOptions { PublishTimeout = timeout ?? TimeSpan.FromMilliseconds(300) });
        connections = new WarrenConnections(options, NullLogger<WarrenConnections>.Instance, source ?? new NeverConnects());
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

    /// <summary>Refuses the consume connection at once; the publish connection never answers.</summary>
    private sealed class RefusesConsume : IConnectionSource
    {
        public async Task<IConnection> ConnectAsync(ConnectionRole role, string clientName, CancellationToken cancellationToken)
        {
            if (role == ConnectionRole.Consume)
            {
                throw new System.Net.Sockets.SocketException((int)System.Net.Sockets.SocketError.ConnectionRefused);
            }

            await Task.Delay(Timeout.Infinite, cancellationToken);
            throw new InvalidOperationException("unreachable");
        }
    }
}
