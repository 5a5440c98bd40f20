using System;
using System.IO;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using RabbitMQ.Client.Exceptions;

namespace Warren;

/// <summary>
/// Consumes one queue on its own channel of the consuming connection: QoS prefetch, up to N handlers at once, a DI
/// scope per message, and the dispatcher's outcome turned into ack, requeue or dead-letter only after it returns.
/// Stopping cancels the subscription first, lets in-flight handlers finish and settle, then closes the channel, so
/// nothing is acknowledged unhandled and nothing handled is redelivered.
/// </summary>
internal sealed class QueueConsumer : IAsyncDisposable
{
    private static readonly TimeSpan DrainPoll = TimeSpan.FromMilliseconds(20);

    private readonly ConsumerDefinition _definition;
    private readonly WarrenConnections _connections;
    private readonly IServiceScopeFactory _scopes;
    private readonly ILogger _logger;
    private readonly ushort _prefetch;
    private readonly int _concurrency;
    private readonly TimeSpan _shutdownTimeout;
    private readonly CancellationTokenSource _handlerCancellation = new();
    private readonly FailureHandler _failures;
    private readonly int _maxMessageSize;
    private IChannel? _channel;
    private AckBatcher? _acks;
    private string? _consumerTag;
    private int _inFlight;
    private int _stopping;

    public QueueConsumer(ConsumerDefinition definition, WarrenConnections connections, IServiceScopeFactory scopes, WarrenOptions options, MessagePublisher publisher, ILogger logger)
    {
        _definition = definition;
        _connections = connections;
        _scopes = scopes;
        _logger = logger;
        _failures = new FailureHandler(definition, publisher, logger);
        _maxMessageSize = options.MaxMessageSize;
        _prefetch = definition.Prefetch ?? options.Prefetch;
        _concurrency = definition.Concurrency ?? options.Concurrency;
        _shutdownTimeout = options.ShutdownTimeout;
    }

    public string Queue => _definition.Queue;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var connection = await _connections.GetConsumeConnectionAsync(cancellationToken).ConfigureAwait(false);
        var channel = await connection.CreateChannelAsync(
            new CreateChannelOptions(
                publisherConfirmationsEnabled: false,
                publisherConfirmationTrackingEnabled: false,
                outstandingPublisherConfirmationsRateLimiter: null,
                consumerDispatchConcurrency: (ushort)Math.Clamp(_concurrency, 1, ushort.MaxValue)),
            cancellationToken).ConfigureAwait(false);
        _channel = channel;
        _acks = new AckBatcher(channel, _prefetch);
        await channel.BasicQosAsync(0, _prefetch, global: false, cancellationToken).ConfigureAwait(false);
        var consumer = new AsyncEventingBasicConsumer(channel);
        consumer.ReceivedAsync += OnReceivedAsync;
        _consumerTag = await channel.BasicConsumeAsync(_definition.Queue, autoAck: false, consumer, cancellationToken).ConfigureAwait(false);
        Log.ConsumerStarted(_logger, _definition.Queue, _prefetch, _concurrency);
    }

    /// <summary>Stops taking deliveries, waits for in-flight handlers (up to the shutdown timeout), then closes the channel.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        // Interlocked for a full fence: a handler that counted itself in before this is waited for, one after sees it.
        if (Interlocked.Exchange(ref _stopping, 1) == 1 || _channel is not { } channel)
        {
            return;
        }

        if (_consumerTag is { } tag && channel.IsOpen)
        {
            try
            {
                await channel.BasicCancelAsync(tag, noWait: false, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationInterruptedException or IOException or OperationCanceledException)
            {
                // A closed channel delivers nothing more anyway.
            }
        }

        await DrainAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await _acks!.DisposeAsync().ConfigureAwait(false);
            await channel.CloseAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationInterruptedException or IOException or ObjectDisposedException)
        {
            // Unsettled deliveries are requeued by the broker when the channel goes.
        }

        Log.ConsumerStopped(_logger, _definition.Queue);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(CancellationToken.None).ConfigureAwait(false);
        _channel?.Dispose();
        _handlerCancellation.Dispose();
    }

    private async Task DrainAsync(CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + _shutdownTimeout;
        while (Volatile.Read(ref _inFlight) > 0 && DateTime.UtcNow < deadline && !cancellationToken.IsCancellationRequested)
        {
            await Task.Delay(DrainPoll, CancellationToken.None).ConfigureAwait(false);
        }

        var remaining = Volatile.Read(ref _inFlight);
        if (remaining == 0)
        {
            return;
        }

        Log.ShutdownTimedOut(_logger, _definition.Queue, remaining, _shutdownTimeout);
        await _handlerCancellation.CancelAsync().ConfigureAwait(false);

        // Handlers that honour cancellation settle (requeue) quickly; give them a moment before the channel goes.
        var grace = DateTime.UtcNow + TimeSpan.FromSeconds(2);
        while (Volatile.Read(ref _inFlight) > 0 && DateTime.UtcNow < grace)
        {
            await Task.Delay(DrainPoll, CancellationToken.None).ConfigureAwait(false);
        }
    }

    private async Task OnReceivedAsync(object sender, BasicDeliverEventArgs delivery)
    {
        Interlocked.Increment(ref _inFlight);
        try
        {
            if (Volatile.Read(ref _stopping) == 1)
            {
                // Not settled: the broker requeues it when the channel closes.
                return;
            }

            _acks!.Started(delivery.DeliveryTag);
            var outcome = await ProcessAsync(delivery).ConfigureAwait(false);
            await SettleAsync(delivery, outcome).ConfigureAwait(false);
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }
    }

    /// <summary>Dispatches with the policy's immediate retries; a failure comes back as a Requeue outcome carrying the exception.</summary>
    private async ValueTask<DispatchOutcome> ProcessAsync(BasicDeliverEventArgs delivery)
    {
        if (delivery.Body.Length > _maxMessageSize)
        {
            // Retrying cannot shrink it.
            return DispatchOutcome.DeadLetter($"The body is {delivery.Body.Length} bytes, over Warren:MaxMessageSize ({_maxMessageSize}).");
        }

        var outcome = await DispatchOnceAsync(delivery).ConfigureAwait(false);
        for (var retry = 1; outcome.Action == DispatchAction.Requeue && Volatile.Read(ref _stopping) == 0; retry++)
        {
            var policy = outcome.Policy ?? _definition.Retry;
            if (policy is null || retry > policy.ImmediateRetries || outcome.Exception is { } error && policy.IsNonRetryable?.Invoke(error) == true)
            {
                break;
            }

            outcome = await DispatchOnceAsync(delivery).ConfigureAwait(false);
        }

        return outcome;
    }

    private async ValueTask<DispatchOutcome> DispatchOnceAsync(BasicDeliverEventArgs delivery)
    {
        var properties = delivery.BasicProperties;
        var scope = _scopes.CreateAsyncScope();
        using var timeout = _definition.HandlerTimeout is { } limit ? CancellationTokenSource.CreateLinkedTokenSource(_handlerCancellation.Token) : null;
        timeout?.CancelAfter(_definition.HandlerTimeout!.Value);
        try
        {
            var context = new MessageContext(_definition.Queue, delivery.Body, scope.ServiceProvider, timeout?.Token ?? _handlerCancellation.Token)
            {
                Exchange = delivery.Exchange,
                RoutingKey = delivery.RoutingKey,
                MessageType = properties.Type,
                MessageId = properties.MessageId,
                CorrelationId = properties.CorrelationId,
                ReplyTo = properties.ReplyTo,
                ContentType = properties.ContentType,
                Timestamp = properties.IsTimestampPresent() ? DateTimeOffset.FromUnixTimeSeconds(properties.Timestamp.UnixTime) : null,
                Priority = properties.IsPriorityPresent() ? properties.Priority : null,
                Redelivered = delivery.Redelivered,
                DeliveryTag = delivery.DeliveryTag,
                DeliveryCount = AmqpHeaders.ReadLong(properties.Headers, "x-delivery-count"),
                RetryCount = (int)AmqpHeaders.ReadLong(properties.Headers, RetryPolicy.RetriesHeader),
                RawHeaders = properties.Headers,
            };

            try
            {
                return await _definition.Dispatcher.DispatchAsync(context).ConfigureAwait(false);
            }
            catch (OperationCanceledException ex) when (timeout is { IsCancellationRequested: true } && !_handlerCancellation.IsCancellationRequested)
            {
                var timedOut = new TimeoutException($"The handler did not finish within {_definition.HandlerTimeout}.", ex);
                Log.HandlerFailed(_logger, timedOut, _definition.Queue, properties.MessageId, properties.Type);
                return DispatchOutcome.Requeue(timedOut.Message, timedOut);
            }
            catch (Exception ex)
            {
                Log.HandlerFailed(_logger, ex, _definition.Queue, properties.MessageId, properties.Type);
                return DispatchOutcome.Requeue($"{ex.GetType().FullName}: {ex.Message}", ex);
            }
        }
        finally
        {
            await scope.DisposeAsync().ConfigureAwait(false);
        }
    }

    private async ValueTask SettleAsync(BasicDeliverEventArgs delivery, DispatchOutcome outcome)
    {
        var acks = _acks!;
        try
        {
            switch (outcome.Action)
            {
                case DispatchAction.Ack:
                    await acks.AckAsync(delivery.DeliveryTag).ConfigureAwait(false);
                    break;
                case DispatchAction.Requeue when (outcome.Policy ?? _definition.Retry) is null:
                    await acks.RejectAsync(delivery.DeliveryTag, requeue: true).ConfigureAwait(false);
                    break;
                default:
                    // Retry later or dead-letter: a confirmed copy first, then the original goes.
                    if (await _failures.HandleAsync(delivery, outcome).ConfigureAwait(false))
                    {
                        await acks.AckAsync(delivery.DeliveryTag).ConfigureAwait(false);
                    }
                    else
                    {
                        await acks.RejectAsync(delivery.DeliveryTag, requeue: outcome.Action == DispatchAction.Requeue).ConfigureAwait(false);
                    }

                    break;
            }
        }
        catch (Exception ex) when (ex is OperationInterruptedException or IOException or ObjectDisposedException)
        {
            // The channel went with its connection; the broker redelivers what was not settled (at-least-once).
            acks.Abandoned(delivery.DeliveryTag);
            Log.SettleFailed(_logger, _definition.Queue, delivery.DeliveryTag, ex.Message);
        }
    }
}
