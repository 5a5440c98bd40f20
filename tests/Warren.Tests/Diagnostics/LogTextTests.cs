using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using Warren.Infrastructure;
using Warren.Tests.Consuming;
using Xunit;

namespace Warren.Tests.Diagnostics;

/// <summary>The text of log lines whose values may be missing: no empty id, no "(null)", no trailing space.</summary>
public sealed class LogTextTests
{
    [Fact]
    public void A_connection_change_without_a_reason_ends_with_the_change()
    {
        var logger = new ListLogger();
        Log.ConnectionChanged(logger, ConnectionRole.Consume, ConnectionEventKind.Opened, null);
        Log.ConnectionChanged(logger, ConnectionRole.Consume, ConnectionEventKind.Closed, string.Empty);
        Log.ConnectionChanged(logger, ConnectionRole.Publish, ConnectionEventKind.Lost, "320 CONNECTION_FORCED");

        Assert.Equal(["Consume connection Opened", "Consume connection Closed", "Publish connection Lost: 320 CONNECTION_FORCED"], logger.Messages);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public async Task A_message_without_an_id_is_named_by_its_delivery_tag_in_failure_logs(string? messageId)
    {
        var delivery = new BasicDeliverEventArgs("ctag", 7, false, string.Empty, "orders", new BasicProperties { MessageId = messageId }, ReadOnlyMemory<byte>.Empty, CancellationToken.None);
        Assert.Equal("without a message id (delivery tag 7)", QueueConsumer.SafeMessageId(delivery));

        // The copy to the retry queue cannot be published (no broker answers): its failure is logged with the message.
        var options = Options.Create(new WarrenOptions { PublishTimeout = TimeSpan.FromMilliseconds(200) });
        var connections = new WarrenConnections(options, NullLogger<WarrenConnections>.Instance, new NeverConnects());
        await using var publisher = new MessagePublisher(connections, new MessageContracts(), options, NullLogger<MessagePublisher>.Instance, new WarrenMetrics(null, connections), new WarrenStartup(), new DelayedDelivery(connections));
        var logger = new ListLogger();
        var handler = new FailureHandler("orders", publisher, logger, new FailureLogLimiter("orders", logger, TimeProvider.System), TimeSpan.FromSeconds(5));

        var handling = await handler.HandleAsync(delivery, DispatchOutcome.Requeue("boom", new InvalidOperationException("boom")), RetryPolicy.CreateDefault("orders"));

        Assert.Equal(FailureResult.CopyFailed, handling.Result);
        var line = Assert.Single(logger.Messages);
        Assert.Contains("copy of message without a message id (delivery tag 7) from queue 'orders'", line, StringComparison.Ordinal);
        Assert.DoesNotContain("(null)", line, StringComparison.Ordinal);
        Assert.DoesNotContain("message  ", line, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public void A_handler_failure_on_a_message_without_a_type_says_so(string? type)
    {
        var logger = new ListLogger();
        Log.HandlerFailed(logger, new InvalidOperationException("boom"), "orders", "m-1", type);
        Log.HandlerFailed(logger, new InvalidOperationException("boom"), "orders", "m-2", "shop.order-placed");

        Assert.Equal(
            ["Handler for queue 'orders' failed on message m-1 (without a type)", "Handler for queue 'orders' failed on message m-2 (type 'shop.order-placed')"],
            logger.Messages);
    }

    [Fact]
    public void A_failed_rpc_reply_to_a_request_without_a_type_names_its_routing_key_not_an_empty_method()
    {
        var logger = new ListLogger();
        Log.RpcReplyFailed(logger, null, "stock.check", "channel closed");
        Log.RpcReplyFailed(logger, "Check", "stock.check", "channel closed");

        Assert.Equal(
            ["Could not send the reply of an RPC request without a type (routing key 'stock.check'): channel closed", "Could not send the reply of RPC Check: channel closed"],
            logger.Messages);
    }

    [Fact]
    public void A_message_id_is_logged_as_it_is()
    {
        var delivery = new BasicDeliverEventArgs("ctag", 7, false, string.Empty, "orders", new BasicProperties { MessageId = "m-1" }, ReadOnlyMemory<byte>.Empty, CancellationToken.None);
        Assert.Equal("m-1", QueueConsumer.SafeMessageId(delivery));
    }

    [Fact]
    public void The_note_of_suppressed_failure_lines_gives_the_time_since_the_first_of_them()
    {
        var time = new ManualTime();
        var logger = new ListLogger();
        var limiter = new FailureLogLimiter("orders", logger, time, limit: 2, window: TimeSpan.FromSeconds(10));
        Assert.True(limiter.TryLog());
        Assert.True(limiter.TryLog());
        Assert.False(limiter.TryLog());
        time.Advance(TimeSpan.FromSeconds(5));
        Assert.False(limiter.TryLog());

        // The next failure a minute after the first suppressed line writes the note: a minute, not the window.
        time.Advance(TimeSpan.FromSeconds(55));
        Assert.True(limiter.TryLog());
        var note = Assert.Single(logger.Messages);
        Assert.Contains("2 failure or lost-channel log line(s) were suppressed in the last 00:01:00", note, StringComparison.Ordinal);
        Assert.Contains("at most 2 are written per 00:00:10", note, StringComparison.Ordinal);

        // At stop, likewise.
        Assert.True(limiter.TryLog());
        Assert.False(limiter.TryLog());
        time.Advance(TimeSpan.FromMinutes(3));
        limiter.Flush();
        Assert.Equal(2, logger.Messages.Count);
        Assert.Contains("1 failure or lost-channel log line(s) were suppressed in the last 00:03:00", logger.Messages[1], StringComparison.Ordinal);
        limiter.Flush();
        Assert.Equal(2, logger.Messages.Count);
    }

    private sealed class ListLogger : ILogger
    {
        public List<string> Messages { get; } = [];

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (Messages)
            {
                Messages.Add(formatter(state, exception));
            }
        }
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
