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
    public async Task A_publish_waiting_behind_the_consume_connections_open_says_so_and_quotes_that_connections_failure()
    {
        // The consume connection was refused, then its next open hangs holding the connections' gate: the publish
        // connection's open never began, so no broker left it unanswered.
        var source = new ConsumeRefusedThenHangs();
        await using var publisher = Create(new WarrenStartup(), out var connections, source: source);
        await Assert.ThrowsAsync<WarrenConnectionException>(async () => await connections.GetConsumeConnectionAsync());
        using var stop = new CancellationTokenSource();
        var consume = connections.GetConsumeConnectionAsync(stop.Token).AsTask();
        await source.SecondConsumeAttempt.Task.WaitAsync(TimeSpan.FromSeconds(30));

        var error = await Assert.ThrowsAsync<PublishTimeoutException>(async () => await publisher.PublishTextAsync("orders", "created", "hello"));
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => consume);

        Assert.Contains("was not sent", error.Message, StringComparison.Ordinal);
        Assert.Contains("waited for the publish connection", error.Message, StringComparison.Ordinal);
        Assert.Contains("still waiting behind the consume connection's open", error.Message, StringComparison.Ordinal);
        Assert.Contains("the consume connection's last attempt failed", error.Message, StringComparison.Ordinal);
        Assert.Contains("consume connection through ConsumeRefusedThenHangs", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("the broker did not answer", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, Volatile.Read(ref source.PublishAttempts));
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

    /// <summary>Refuses the first consume connection, then never answers; counts the publish connection's attempts (which never answer).</summary>
    private sealed class ConsumeRefusedThenHangs : IConnectionSource
    {
        private int _consumeAttempts;

        public int PublishAttempts;

        public TaskCompletionSource SecondConsumeAttempt { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public async Task<IConnection> ConnectAsync(ConnectionRole role, string clientName, CancellationToken cancellationToken)
        {
            if (role == ConnectionRole.Publish)
            {
                Interlocked.Increment(ref PublishAttempts);
            }
            else if (Interlocked.Increment(ref _consumeAttempts) == 1)
            {
                throw new System.Net.Sockets.SocketException((int)System.Net.Sockets.SocketError.ConnectionRefused);
            }
            else
            {
                SecondConsumeAttempt.TrySetResult();
            }

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
