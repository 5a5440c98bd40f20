using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace Warren;

/// <summary>
/// Consumes one queue on its own channel of the consuming connection: QoS prefetch, up to N handlers at once, a DI
/// scope per message, and the dispatcher's outcome turned into ack, retry copy, dead-letter copy or rejection — every
/// delivery settled exactly once, whatever throws. A subscription the broker ends (channel closed, queue deleted,
/// consumer cancelled) is replaced with back-off; the state is published in <see cref="WarrenConsumers"/>. Stopping
/// cancels the subscription, lets in-flight handlers finish and acks them, cancels the rest, and closes the channel
/// within the shutdown timeout.
/// </summary>
internal sealed class QueueConsumer : IAsyncDisposable
{
    private static readonly TimeSpan MaxRestartDelay = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan StallDelay = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan RecoveryWait = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan StablePeriod = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan DrainPoll = TimeSpan.FromMilliseconds(10);

    private readonly ConsumerDefinition _definition;
    private readonly string _processSpanName;
    private readonly ProcessDestinations _processDestinations;
    private readonly WarrenConnections _connections;
    private readonly IServiceScopeFactory _scopes;
    private readonly HandlerLifetimes _lifetimes;
    private readonly MessageContextPool _contexts;
    private readonly ILogger _logger;
    private readonly WarrenConsumers _statuses;
    private readonly WarrenMetrics _metrics;
    private readonly Func<CancellationToken, Task>? _redeclare;
    private readonly RetryPolicy _policy;
    private readonly ushort _prefetch;
    private readonly int _concurrency;
    private readonly int _maxMessageSize;
    private readonly TimeSpan _shutdownTimeout;
    private readonly TimeSpan _requeueDelay;
    private readonly TimeSpan _restartDelay;
    private readonly FailureHandler _failures;
    private readonly FailureLogLimiter _limiter;
    private readonly CancellationTokenSource _handlerCancellation = new();
    private readonly CancellationTokenSource _lifetime = new();
    private readonly CancellationTokenSource _delayedRequeues = new();
    private readonly CancellationTokenSource _abandon = new();
    private readonly ConcurrentDictionary<Task, byte> _pendingRequeues = new();
    private readonly ConcurrentDictionary<string, byte> _reportedProperties = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<HandlerOverrunWatch, HungHandler> _hung = new();
    private readonly StreamConsumer? _stream;
    private readonly TimeSpan _offsetSaveInterval;
    private IStreamOffsetStore? _offsetStore;
    private Task _offsetSaving = Task.CompletedTask;
    private long _resumeAfter = -1;
    private long? _savedOffset;
    private readonly SubscriptionSlot _slot = new();
    private Task _supervisor = Task.CompletedTask;
    private int _inFlight;
    private readonly LogScopes _logScopes;
    private int _stopping;
    private int _restarts;
    private string? _lastError;
    private DateTimeOffset? _lastErrorAt;

    public QueueConsumer(ConsumerDefinition definition, RetryPolicy policy, WarrenConnections connections, IServiceScopeFactory scopes, WarrenOptions options, MessagePublisher publisher, WarrenConsumers statuses, WarrenMetrics metrics, Func<CancellationToken, Task>? redeclare, ILogger logger, HandlerLifetimes? lifetimes = null, LogScopes? logScopes = null)
    {
        _logScopes = logScopes ?? LogScopes.Always;
        _metrics = metrics;
        _definition = definition;
        _stream = definition.Stream;
        _offsetSaveInterval = options.StreamOffsetSaveInterval;
        _processSpanName = WarrenTracing.ProcessSpanName(definition.Queue);
        _processDestinations = new ProcessDestinations(definition.Queue);
        _policy = _stream is not null ? WithoutDelayedRetries(policy, logger) : policy;
        _connections = connections;
        _scopes = scopes;
        _lifetimes = lifetimes ?? new HandlerLifetimes(scopes);
        _logger = logger;
        _statuses = statuses;
        _redeclare = redeclare;
        _maxMessageSize = options.MaxMessageSize;
        _prefetch = definition.Prefetch ?? options.Prefetch;
        _concurrency = definition.Concurrency ?? options.Concurrency;
        if (definition.Dispatcher is IBatchDispatcher batch)
        {
            // A batch of N needs N deliveries waiting in their handlers at once.
            _concurrency = Math.Max(_concurrency, batch.Size);
            if (_prefetch < batch.Size)
            {
                Log.BatchAbovePrefetch(logger, definition.Queue, batch.Size, _prefetch);
            }
        }
        _shutdownTimeout = options.ShutdownTimeout;
        _requeueDelay = options.RequeueDelay;
        _restartDelay = options.ConsumerRestartDelay;
        // Log volume is paced in real time, whatever clock the application registers: a test clock that stands still
        // must not hold failure logs back until the consumer stops.
        _limiter = new FailureLogLimiter(definition.Queue, logger, TimeProvider.System);
        _failures = new FailureHandler(definition.Queue, publisher, logger, _limiter, _requeueDelay);
        SetState(ConsumerState.Starting);
        _contexts = new MessageContextPool(definition.Queue, _lifetimes, _concurrency);
    }

    public string Queue => _definition.Queue;

    /// <summary>The channel of the current subscription, if any (for tests that make the broker close it).</summary>
    internal IChannel? CurrentChannel => _slot.Current?.Channel;

    /// <summary>The RabbitMQ.Client consumer of the current subscription, if any (for tests that watch its callbacks).</summary>
    internal AsyncDefaultBasicConsumer? CurrentConsumer => _slot.Current?.Consumer;

    /// <summary>Subscribes (an error here fails the application's start), then watches the subscription.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (_stream is { StoreOffsets: true })
        {
            await using var scope = _scopes.CreateAsyncScope();
            _offsetStore = scope.ServiceProvider.GetService<IStreamOffsetStore>()
                ?? throw new InvalidOperationException($"The consumer of stream '{_definition.Queue}' stores its offsets, but no {nameof(IStreamOffsetStore)} is registered: add one with services.AddSingleton<{nameof(IStreamOffsetStore)}, YourStore>().");
            _savedOffset = await _offsetStore.LoadAsync(_definition.Queue, cancellationToken).ConfigureAwait(false);
            Interlocked.Exchange(ref _resumeAfter, _savedOffset ?? -1);
            Log.StreamOffsetLoaded(_logger, _definition.Queue, _savedOffset?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none");
            _offsetSaving = Task.Run(SaveOffsetsAsync, CancellationToken.None);
        }

        _connections.Lost += OnConnectionLost;
        _slot.Start(await SubscribeAsync(cancellationToken).ConfigureAwait(false));
        SetState(ConsumerState.Running);
        Log.ConsumerStarted(_logger, _definition.Queue, _prefetch, _concurrency);
        _supervisor = Task.Run(SuperviseAsync);
    }

    /// <summary>Stops taking deliveries, lets in-flight handlers finish within the shutdown timeout, then closes the channel.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _stopping, 1) == 1)
        {
            return;
        }

        var deadline = DateTimeOffset.UtcNow + _shutdownTimeout;
        await _lifetime.CancelAsync().ConfigureAwait(false);
        await _supervisor.ConfigureAwait(false);

        var subscription = _slot.Current;
        if (subscription is not null)
        {
            await CancelSubscriptionAsync(subscription, deadline, cancellationToken).ConfigureAwait(false);
        }

        // No more deliveries will come: the partial batch is handled now instead of after its timeout.
        (_definition.Dispatcher as IBatchDispatcher)?.Flush();

        // Most of the timeout for handlers to finish; the rest for cancelled ones to give their message back.
        var grace = TimeSpan.FromTicks(Math.Min(TimeSpan.FromSeconds(2).Ticks, _shutdownTimeout.Ticks / 4));
        await WaitForHandlersAsync(deadline - grace, cancellationToken).ConfigureAwait(false);
        if (Volatile.Read(ref _inFlight) > 0)
        {
            Log.ShutdownTimedOut(_logger, _definition.Queue, Volatile.Read(ref _inFlight), _shutdownTimeout);
            await _handlerCancellation.CancelAsync().ConfigureAwait(false);
            await WaitForHandlersAsync(deadline, cancellationToken).ConfigureAwait(false);
        }

        var abandoned = Volatile.Read(ref _inFlight);
        if (abandoned > 0)
        {
            Log.HandlersAbandoned(_logger, _definition.Queue, abandoned);
            await _abandon.CancelAsync().ConfigureAwait(false);
        }

        // Handlers reported hung that are still running are not counted after the stop: their channel closes below.
        AbandonHung(null, "the consumer stopped and its channel is closed");

        // Failed messages waiting out their requeue delay go back now.
        await _delayedRequeues.CancelAsync().ConfigureAwait(false);
        try
        {
            await Task.WhenAll(_pendingRequeues.Keys).WaitAsync(TimeSpan.FromSeconds(2), CancellationToken.None).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // The channel closes below; the broker returns them.
        }

        if (subscription is not null)
        {
            await subscription.StopFlushingAsync().ConfigureAwait(false);
            try
            {
                await subscription.Acks.FlushAsync(force: true).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                Log.SettleFailed(_logger, _definition.Queue, 0, ex.Message);
            }

            await subscription.CloseAsync(abandoned > 0 ? TimeSpan.FromMilliseconds(200) : TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        }

        // Only now: a connection lost while handlers drained above must mark their channel session lost.
        _connections.Lost -= OnConnectionLost;

        if (_offsetStore is not null)
        {
            await _offsetSaving.ConfigureAwait(false);
            await SaveOffsetAsync(CancellationToken.None).ConfigureAwait(false);
        }

        _limiter.Flush();
        SetState(ConsumerState.Stopped);
        Log.ConsumerStopped(_logger, _definition.Queue);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(CancellationToken.None).ConfigureAwait(false);

        // The cancellation sources stay undisposed: an abandoned handler may still read its token.
        _lifetime.Dispose();
    }

    private async Task<Subscription> SubscribeAsync(CancellationToken cancellationToken)
    {
        var connection = await _connections.GetConsumeConnectionAsync(cancellationToken).ConfigureAwait(false);
        var channel = await connection.CreateChannelAsync(
            new CreateChannelOptions(
                publisherConfirmationsEnabled: false,
                publisherConfirmationTrackingEnabled: false,
                outstandingPublisherConfirmationsRateLimiter: null,
                consumerDispatchConcurrency: (ushort)Math.Clamp(_concurrency, 1, ushort.MaxValue)),
            cancellationToken).ConfigureAwait(false);
        // Acknowledgements are paced in real time (the stall delay is how long the broker waits for them), the
        // subscription's start is stamped on the registered clock with the consumer's states.
        var subscription = new Subscription(connection, channel, new AckTracker(new ChannelSettler(channel), _prefetch, TimeProvider.System, StallDelay), _connections.Time.GetUtcNow())
        {
            Offsets = _stream is null ? null : new StreamOffsetTracker(),
        };
        _slot.Subscribing(subscription);

        try
        {
            channel.CallbackExceptionAsync += (_, e) =>
            {
                var detail = e.Detail.TryGetValue("context", out var context) ? context?.ToString() ?? "no detail" : "no detail";
                Log.CallbackException(_logger, e.Exception, _definition.Queue, detail);
                return Task.CompletedTask;
            };
            channel.ChannelShutdownAsync += (_, reason) =>
            {
                // Runs on the connection's reading loop: only signal here. RabbitMQ.Client tells the channels of a lost
                // connection one after the other, each after the callbacks still running on it: the notice of a session
                // that RabbitMQ.Client already replaced (the channel is open again) is late, and the loss was reported
                // with the connection's.
                if (channel.IsOpen)
                {
                    return Task.CompletedTask;
                }

                if (reason.Initiator != ShutdownInitiator.Application || !connection.IsOpen)
                {
                    subscription.ReportLoss(new SubscriptionLoss(Describe(reason), ConnectionLost: !connection.IsOpen));
                }

                return Task.CompletedTask;
            };

            await channel.BasicQosAsync(0, _prefetch, global: false, cancellationToken).ConfigureAwait(false);
            // A cancel notice is the broker's only when it came on the current channel session: one queued on a session
            // lost since (reaching the consumer when a handler of that session returns, maybe after RabbitMQ.Client
            // recovered the connection and subscribed again) says nothing of the subscription now. The channel's
            // shutdown is reported by ChannelShutdownAsync above, never as a cancel.
            var consumer = new SessionConsumer(channel, delivery => OnReceivedAsync(subscription, delivery), session =>
            {
                if (!subscription.Admit(session))
                {
                    if (!subscription.IsRetired)
                    {
                        Log.StaleCancelIgnored(_logger, _definition.Queue);
                    }
                }
                else if (Volatile.Read(ref _stopping) == 0)
                {
                    // The channel stays open until the consumer closes it: deliveries of this session are still settled on it.
                    subscription.ReportLoss(new SubscriptionLoss("the broker cancelled the subscription (the queue was deleted, or the consumer was cancelled)", ConnectionLost: false, ChannelClosed: false));
                }
            });
            subscription.Consumer = consumer;
            Dictionary<string, object?>? arguments = null;
            if (_stream is not null)
            {
                // Resume after the last message settled (by an earlier subscription, or as stored), else start as configured.
                var start = Interlocked.Read(ref _resumeAfter) is >= 0 and var after ? StreamOffset.At(after + 1) : _stream.Start;
                arguments = new Dictionary<string, object?>(StringComparer.Ordinal) { [StreamConsumer.OffsetHeader] = start.ToArgument() };
                Log.StreamConsumerStarting(_logger, _definition.Queue, start.ToString());
            }

            subscription.ConsumerTag = await channel.BasicConsumeAsync(_definition.Queue, autoAck: false, consumerTag: string.Empty, noLocal: false, exclusive: false, arguments, consumer, cancellationToken).ConfigureAwait(false);
            subscription.StartFlushing(ex => Log.SettleFailed(_logger, _definition.Queue, 0, ex.Message));
            return subscription;
        }
        catch
        {
            await subscription.CloseAsync(TimeSpan.FromSeconds(1)).ConfigureAwait(false);
            throw;
        }
        finally
        {
            _slot.SubscribingEnded(subscription);
        }
    }

    /// <summary>
    /// The subscription's connection closed: reported now, not when RabbitMQ.Client tells this channel — it tells the
    /// channels of a connection one after the other, each after the handlers still running on it return, which may be
    /// after it recovered the connection (a handler of this channel returning meanwhile would take its delivery for one
    /// of the current session).
    /// </summary>
    private void OnConnectionLost(IConnection connection, ShutdownEventArgs reason)
    {
        var loss = new SubscriptionLoss($"{reason.Initiator} closed the connection: {reason.ReplyCode} {reason.ReplyText}".TrimEnd(), ConnectionLost: true);
        if (_slot.ConnectionLost(connection, loss, stopping: Volatile.Read(ref _stopping) == 1))
        {
            // Lost while restarting: said now, and that it is over when the next subscription is made.
            RecordError(loss.Cause);
            Log.ConsumerPaused(_logger, _definition.Queue, loss.Cause);
        }
    }

    /// <summary>Waits for the subscription to be lost, then lets RabbitMQ.Client recover it or replaces it with back-off.</summary>
    private async Task SuperviseAsync()
    {
        var delay = _restartDelay;
        var token = _lifetime.Token;
        while (!token.IsCancellationRequested)
        {
            var subscription = _slot.Current!;
            SubscriptionLoss loss;
            try
            {
                loss = await subscription.Lost.WaitAsync(token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            RecordError(loss.Cause);
            // A loss of the connection logged (ConsumerPaused) and not yet over (ConsumerResumed).
            var paused = false;
            if (loss.ConnectionLost)
            {
                SetState(ConsumerState.Restarting);
                if (!_slot.TakePauseLogged())
                {
                    Log.ConsumerPaused(_logger, _definition.Queue, loss.Cause);
                }

                paused = true;
                AbandonHung(subscription, loss.Cause);
                var resumed = false;
                var replace = false;
                while (!resumed && !replace && await WaitForRecoveryAsync(subscription, token).ConfigureAwait(false) && _stream is null)
                {
                    switch (subscription.Resume(out var again))
                    {
                        case ResumeOutcome.Resumed:
                            resumed = true;
                            break;
                        case ResumeOutcome.LostAgain when again!.ConnectionLost:
                            // A session RabbitMQ.Client recovered meanwhile was lost too: its own loss, logged once.
                            loss = again;
                            RecordError(loss.Cause);
                            Log.ConsumerPaused(_logger, _definition.Queue, loss.Cause);
                            AbandonHung(subscription, loss.Cause);
                            break;
                        case ResumeOutcome.LostAgain:
                            // The broker cancelled the subscription of a session recovered meanwhile (or closed its channel):
                            // replaced, as any such loss is.
                            loss = again!;
                            RecordError(loss.Cause);
                            replace = true;
                            break;
                        default:
                            // Closed again before the consumer resumed: still the loss logged, waited for again.
                            break;
                    }
                }

                if (resumed)
                {
                    SetState(ConsumerState.Running);
                    Log.ConsumerResumed(_logger, _definition.Queue);
                    continue;
                }

                if (token.IsCancellationRequested)
                {
                    return;
                }
            }
            else if (_slot.TakePauseLogged())
            {
                // The connection went while the consumer restarted, before this subscription was current: said then.
                paused = true;
            }
            else if (subscription.ConnectionLossSinceTaken is { } latest)
            {
                // The connection went too, after the loss taken (a broker cancel): said once, as for a current subscription.
                RecordError(latest.Cause);
                Log.ConsumerPaused(_logger, _definition.Queue, latest.Cause);
                paused = true;
            }

            if (_connections.Time.GetUtcNow() - subscription.StartedAt >= StablePeriod)
            {
                delay = _restartDelay;
            }

            Log.ConsumerLost(_logger, _definition.Queue, loss.Cause, delay);
            AbandonHung(subscription, loss.Cause);
            SetState(ConsumerState.Restarting);
            // A loss of the connection logged and not yet over is said to be over when the next subscription is made.
            _slot.GiveUp(subscription, paused);
            await subscription.CloseAsync(TimeSpan.FromSeconds(2)).ConfigureAwait(false);
            RememberOffset(subscription);
            while (true)
            {
                try
                {
                    await Task.Delay(delay, _connections.Time, token).ConfigureAwait(false);
                    if (_redeclare is not null)
                    {
                        try
                        {
                            await _redeclare(token).ConfigureAwait(false);
                        }
                        catch (Exception ex) when (ex is not OperationCanceledException)
                        {
                            Log.RedeclareFailed(_logger, _definition.Queue, ex.Message);
                        }
                    }

                    if (_slot.Commit(await SubscribeAsync(token).ConfigureAwait(false)))
                    {
                        Log.ConsumerResumed(_logger, _definition.Queue);
                    }

                    _restarts++;
                    _metrics.ConsumerRestarted(_definition.Queue);
                    SetState(ConsumerState.Running);
                    Log.ConsumerRestarted(_logger, _definition.Queue, _restarts);
                    delay = Min(delay * 2, MaxRestartDelay);
                    break;
                }
                catch (OperationCanceledException) when (token.IsCancellationRequested)
                {
                    return;
                }
                catch (Exception ex)
                {
                    delay = Min(delay * 2, MaxRestartDelay);
                    RecordError(ex.Message);
                    SetState(ConsumerState.Restarting);
                    Log.ConsumerRestartFailed(_logger, _definition.Queue, ex.Message, delay);
                }
            }
        }
    }

    /// <summary>
    /// True when RabbitMQ.Client brought the connection and this channel back; false when the channel stays closed on an
    /// open connection (or the broker closed it during recovery, e.g. its queue is gone), or when Warren gave the
    /// connection up (closed for good: the next subscription gets a new one).
    /// </summary>
    private async Task<bool> WaitForRecoveryAsync(Subscription subscription, CancellationToken token)
    {
        DateTimeOffset? connectionBackAt = null;
        while (!token.IsCancellationRequested)
        {
            if (!_connections.IsInUse(subscription.Connection))
            {
                return false;
            }

            if (subscription.Connection.IsOpen)
            {
                if (subscription.Channel.IsOpen)
                {
                    return true;
                }

                if (ChannelErrors.IsChannelError(subscription.Channel.CloseReason))
                {
                    return false;
                }

                connectionBackAt ??= DateTimeOffset.UtcNow;
                if (DateTimeOffset.UtcNow - connectionBackAt > RecoveryWait)
                {
                    return false;
                }
            }

            try
            {
                await Task.Delay(TimeSpan.FromMilliseconds(100), token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return false;
            }
        }

        return false;
    }

    private async Task CancelSubscriptionAsync(Subscription subscription, DateTimeOffset deadline, CancellationToken cancellationToken)
    {
        if (subscription.ConsumerTag is not { } tag || !subscription.Channel.IsOpen)
        {
            return;
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Max(Min(deadline - DateTimeOffset.UtcNow, TimeSpan.FromSeconds(5)), TimeSpan.FromMilliseconds(100)));
        try
        {
            await subscription.Channel.BasicCancelAsync(tag, noWait: false, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            // A closed channel delivers nothing more anyway.
            Log.ConsumerStopFailed(_logger, _definition.Queue, ex.Message);
        }
    }

    private async Task WaitForHandlersAsync(DateTimeOffset until, CancellationToken cancellationToken)
    {
        while (Volatile.Read(ref _inFlight) > 0 && DateTimeOffset.UtcNow < until && !cancellationToken.IsCancellationRequested)
        {
            await Task.Delay(DrainPoll, CancellationToken.None).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// The delivery callback. It returns to RabbitMQ.Client when the handling ends — or when a stop gives up on a
    /// handler that ignores cancellation: the client waits for its callbacks when the channel and the connection close,
    /// and one handler must not hold the application's stop. (Such a handler keeps running on its own; the message's
    /// <see cref="MessageContext.Body"/> is no longer valid for it.)
    /// </summary>
    private async Task OnReceivedAsync(Subscription subscription, BasicDeliverEventArgs delivery)
    {
        // With a timeout, the callback can be released early: a handler abandoned while hung must not hold RabbitMQ.Client's
        // dispatch of the lost channel session, whose shutdown (and its cancel notice to the consumer) waits for it.
        var release = _definition.HandlerTimeout is null ? null : new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var handling = HandleAsync(subscription, delivery, release);
        if (handling.IsCompleted)
        {
            await handling.ConfigureAwait(false);
            return;
        }

        try
        {
            if (release is null)
            {
                await handling.WaitAsync(_abandon.Token).ConfigureAwait(false);
            }
            else if (await Task.WhenAny(handling, release.Task).WaitAsync(_abandon.Token).ConfigureAwait(false) == handling)
            {
                await handling.ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (_abandon.IsCancellationRequested)
        {
            // Abandoned by the stop: the broker returns the message when the channel closes.
        }
    }

    private async Task HandleAsync(Subscription subscription, BasicDeliverEventArgs delivery, TaskCompletionSource? release)
    {
        subscription.Acks.Begin(delivery.DeliveryTag);
        var losses = subscription.Losses;
        Interlocked.Increment(ref _inFlight);
        try
        {
            if (subscription.IsRetired)
            {
                // Its channel is being closed: the broker returns the message to the queue.
                return;
            }

            if (!subscription.Admit(delivery.CancellationToken))
            {
                // Its session token is cancelled (RabbitMQ.Client shut the session down) or was current when the channel
                // closed, or the channel is closed now: queued in RabbitMQ.Client (behind running handlers, or only just),
                // it reaches the consumer after its channel session is gone, and the broker has it back. A loss after the
                // losses were read above is seen when the outcome is settled.
                if (_limiter.TryLog())
                {
                    Log.DeliveryOfLostSessionSkipped(_logger, _definition.Queue, SafeMessageId(delivery));
                }

                Forget(subscription, delivery);
                return;
            }

            if (Volatile.Read(ref _stopping) == 1)
            {
                // Prefetched but not started when the stop began: back to the queue now.
                await RejectAsync(subscription, delivery, requeue: true).ConfigureAwait(false);
                return;
            }

            _metrics.Consumed(_definition.Queue);
            var properties = delivery.BasicProperties;
            var streamOffset = _stream is not null ? ReadStreamOffset(delivery) : null;
            // Nothing is made when the application's logging keeps no scopes (see LogScopes).
            using var scope = _logScopes.BeginMessage(_logger, properties.MessageId, properties.Type, _definition.Queue, properties.CorrelationId);
            using var activity = WarrenTracing.StartProcess(_processSpanName, properties.Headers);
            if (activity is { IsAllDataRequested: true })
            {
                WarrenTracing.DescribeProcess(activity, _definition.Queue, delivery, _processDestinations);
                WarrenTracing.DescribeServer(activity, subscription.Endpoint.Current);
            }

            var started = Stopwatch.GetTimestamp();
            Verdict verdict;
            try
            {
                verdict = await ProcessAsync(subscription, losses, delivery, release).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                Log.ProcessingError(_logger, ex, _definition.Queue, SafeMessageId(delivery));
                verdict = new Verdict(DispatchOutcome.Requeue($"{ex.GetType().FullName}: {ex.Message}", ex), Interrupted: false);
            }

            var failed = !verdict.Interrupted && verdict.Outcome.Action != DispatchAction.Ack;
            var errorType = failed ? ErrorTypeOf(verdict.Outcome) : null;
            _metrics.Processed(_definition.Queue, errorType, started);
            var settled = verdict.Dropped ? Forget(subscription, delivery)
                : SessionLost(subscription, losses, delivery) ? DropOutcome(subscription, delivery, verdict)
                : await SettleAsync(subscription, losses, delivery, verdict).ConfigureAwait(false);
            if (subscription.Offsets is { } offsets && settled.Outcome is not ("interrupted" or "requeue" or "returned"))
            {
                offsets.Settle(delivery.DeliveryTag, streamOffset);
            }

            if (activity is { IsAllDataRequested: true })
            {
                WarrenTracing.EndProcess(activity, settled.Outcome, settled.DeadLetterReason, errorType, verdict.Outcome.Reason, verdict.Outcome.Exception);
            }
        }
        catch (Exception ex)
        {
            // Nothing may escape into RabbitMQ.Client: the delivery would stay unsettled on an open channel.
            Log.ProcessingError(_logger, ex, _definition.Queue, SafeMessageId(delivery));
            await RejectAsync(subscription, delivery, requeue: true).ConfigureAwait(false);
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }
    }

    /// <param name="Outcome">What the handler's attempt came to.</param>
    /// <param name="Interrupted">Cancelled by the stop: the message goes back without using a retry.</param>
    /// <param name="Dropped">A handler abandoned while hung returned after its channel session was gone: the broker has
    /// the message back, so nothing is settled or copied.</param>
    private readonly record struct Verdict(DispatchOutcome Outcome, bool Interrupted, bool Dropped = false);

    /// <summary>A handler reported as running past its timeout, and the channel session its delivery came on.</summary>
    private sealed record HungHandler(Subscription Subscription, string MessageId, TaskCompletionSource? Release);

    /// <summary>Dispatches with the policy's immediate retries; never throws for anything the handler or the message does.</summary>
    private async ValueTask<Verdict> ProcessAsync(Subscription subscription, int losses, BasicDeliverEventArgs delivery, TaskCompletionSource? release)
    {
        if (delivery.Body.Length > _maxMessageSize)
        {
            // Retrying cannot shrink it.
            return new Verdict(DispatchOutcome.DeadLetter($"The body is {delivery.Body.Length} bytes, over Warren:MaxMessageSize ({_maxMessageSize})."), false);
        }

        var verdict = await DispatchOnceAsync(subscription, losses, delivery, release).ConfigureAwait(false);
        for (var retry = 1; !verdict.Interrupted && !verdict.Dropped && verdict.Outcome.Action == DispatchAction.Requeue && Volatile.Read(ref _stopping) == 0; retry++)
        {
            var policy = verdict.Outcome.Policy ?? _policy;
            if (policy.IsDisabled || retry > policy.ImmediateRetries || verdict.Outcome.Exception is { } error && policy.IsNonRetryable?.Invoke(error) == true)
            {
                break;
            }

            _metrics.Retried(_definition.Queue, "immediate");
            verdict = await DispatchOnceAsync(subscription, losses, delivery, release).ConfigureAwait(false);
        }

        return verdict;
    }

    private async ValueTask<Verdict> DispatchOnceAsync(Subscription subscription, int losses, BasicDeliverEventArgs delivery, TaskCompletionSource? release)
    {
        using var timeout = _definition.HandlerTimeout is { } limit ? CancellationTokenSource.CreateLinkedTokenSource(_handlerCancellation.Token) : null;
        timeout?.CancelAfter(_definition.HandlerTimeout!.Value);
        var overrun = timeout is null ? null : WatchOverrun(subscription, losses, delivery, release);
        using var fired = overrun is null ? default : timeout!.Token.UnsafeRegister(static state => ((HandlerOverrunWatch)state!).TimedOut(), overrun);
        MessageContext? context = null;
        DispatchOutcome outcome;
        var returnedAfterTimeout = false;
        var closesReport = false;
        try
        {
            // The per-message scope is created when the handler (or its class, unless a singleton) first needs it.
            context = CreateContext(delivery, timeout?.Token ?? _handlerCancellation.Token);
            outcome = await _definition.Dispatcher.DispatchAsync(context).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            outcome = DispatchOutcome.Requeue($"{ex.GetType().FullName}: {ex.Message}", ex);
        }
        finally
        {
            // Whether the handler returned after its timeout fired is decided now, before its scope is disposed: a
            // slow disposal does not make a handler that returned in time late.
            returnedAfterTimeout = timeout is { IsCancellationRequested: true } && !_handlerCancellation.IsCancellationRequested;
            if (overrun?.Return() == true)
            {
                // Reported as running past its timeout: it has returned, and what follows (the overrun warning, a failure) says how.
                closesReport = true;
                _hung.TryRemove(overrun, out _);
                _statuses.HandlersPastTimeout(_definition.Queue, -1);
                _metrics.HandlersPastTimeout(_definition.Queue, -1);
            }

            if (context is not null)
            {
                try
                {
                    await context.DisposeScopeAsync().ConfigureAwait(false);
                }
                catch (Exception ex)
                {
                    Log.ProcessingError(_logger, ex, _definition.Queue, SafeMessageId(delivery));
                }

                // The dispatcher's task has completed: nothing of Warren's uses the context any more.
                _contexts.Return(context);
            }
        }

        if (overrun is { Abandoned: true })
        {
            // Given up while hung: its channel session is gone and the broker has the message back (redelivered, maybe
            // handled already), so this outcome is neither settled nor copied, and no line claims it was.
            Log.AbandonedHandlerReturned(_logger, _definition.Queue, SafeMessageId(delivery), outcome.Action == DispatchAction.Ack ? "normally" : "with a failure: " + (outcome.Reason ?? "no reason given"));
            return new Verdict(outcome, Interrupted: false, Dropped: true);
        }

        if (outcome.Action == DispatchAction.Ack)
        {
            if (returnedAfterTimeout)
            {
                // The timeout is cooperative: a handler that returns normally after its token fired (whether it went on
                // past the token or stopped at it) is not failed, and its success counts.
                Log.HandlerOverranTimeout(_logger, _definition.Queue, SafeMessageId(delivery), _definition.HandlerTimeout!.Value);
            }

            return new Verdict(outcome, false);
        }

        if (_handlerCancellation.IsCancellationRequested && outcome.Action == DispatchAction.Requeue)
        {
            // Cancelled by the stop: not the message's fault, so no retry is used and nothing is logged as an error.
            Log.InterruptedByStop(_logger, _definition.Queue, SafeMessageId(delivery));
            return new Verdict(outcome, Interrupted: true);
        }

        if (timeout is { IsCancellationRequested: true } && outcome.Exception is OperationCanceledException cancelled)
        {
            var timedOut = new TimeoutException($"The handler did not finish within {_definition.HandlerTimeout}.", cancelled);
            outcome = DispatchOutcome.Failed(timedOut.Message, timedOut, outcome.Policy);
        }

        // The failure of a handler reported as hung closes that report: it is always written, whatever the limiter allows.
        if (outcome.Action == DispatchAction.Requeue && outcome.Exception is { } failure && (closesReport || _limiter.TryLog()))
        {
            Log.HandlerFailed(_logger, failure, _definition.Queue, SafeMessageId(delivery), SafeType(delivery));
        }

        return new Verdict(outcome, false);
    }

    /// <summary>
    /// The watch on one handler call with a timeout: a handler still running a grace period after its timeout fired
    /// (not after a stop, which reports its own handlers) is logged once and counted until it returns.
    /// </summary>
    private HandlerOverrunWatch WatchOverrun(Subscription subscription, int losses, BasicDeliverEventArgs delivery, TaskCompletionSource? release)
    {
        var timeout = _definition.HandlerTimeout!.Value;
        HandlerOverrunWatch? watch = null;
        watch = new HandlerOverrunWatch(timeout, _handlerCancellation.Token, pastTimeout =>
        {
            var messageId = SafeMessageId(delivery);
            if (subscription.LostSince(losses))
            {
                // Its channel session is already gone: nothing of this consumer's current life is held.
                Log.HungHandlerAbandoned(_logger, _definition.Queue, messageId, "its channel closed while it ran");
                release?.TrySetResult();
                return false;
            }

            _hung[watch!] = new HungHandler(subscription, messageId, release);
            _statuses.HandlersPastTimeout(_definition.Queue, 1);
            _metrics.HandlersPastTimeout(_definition.Queue, 1);
            Log.HandlerStillRunningPastTimeout(_logger, _definition.Queue, messageId, pastTimeout, timeout);
            return true;
        });
        return watch;
    }

    /// <summary>
    /// Stops counting the handlers reported hung whose delivery came on <paramref name="subscription"/> (every one when
    /// null): their channel session is gone, the broker has their messages back, and they hold nothing of the consumer's
    /// current life. Each is logged; what it does when it returns is dropped.
    /// </summary>
    private void AbandonHung(Subscription? subscription, string cause)
    {
        foreach (var (watch, hung) in _hung)
        {
            if ((subscription is null || ReferenceEquals(hung.Subscription, subscription)) && watch.Abandon())
            {
                _hung.TryRemove(watch, out _);
                _statuses.HandlersPastTimeout(_definition.Queue, -1);
                _metrics.HandlersPastTimeout(_definition.Queue, -1);
                Log.HungHandlerAbandoned(_logger, _definition.Queue, hung.MessageId, cause);
                hung.Release?.TrySetResult();
            }
        }
    }

    private MessageContext CreateContext(BasicDeliverEventArgs delivery, CancellationToken cancellationToken)
    {
        var properties = delivery.BasicProperties;
        var headers = properties.Headers;
        DateTimeOffset? timestamp = null;
        if (properties.IsTimestampPresent())
        {
            timestamp = AmqpHeaders.ReadTimestamp(properties.Timestamp.UnixTime);
            if (timestamp is null)
            {
                ReportUnreadable(delivery, "timestamp", properties.Timestamp.UnixTime.ToString(System.Globalization.CultureInfo.InvariantCulture));
            }
        }

        long deliveryCount = 0;
        switch (AmqpHeaders.TryReadInteger(headers, "x-delivery-count", out var count))
        {
            case HeaderRead.Valid when count >= 0:
                deliveryCount = count;
                break;
            case HeaderRead.Valid or HeaderRead.Invalid:
                ReportUnreadable(delivery, "x-delivery-count header", AmqpHeaders.AsText(headers!["x-delivery-count"]) ?? "null");
                break;
        }

        var retryCount = 0;
        switch (AmqpHeaders.TryReadInteger(headers, RetryPolicy.RetriesHeader, out var retries))
        {
            case HeaderRead.Valid when retries is >= 0 and <= int.MaxValue:
                retryCount = (int)retries;
                break;
            case HeaderRead.Valid or HeaderRead.Invalid:
                ReportUnreadable(delivery, RetryPolicy.RetriesHeader + " header", AmqpHeaders.AsText(headers![RetryPolicy.RetriesHeader]) ?? "null");
                break;
        }

        // Only a dispatcher that keeps no context gets reused ones; any other may give its context to code that keeps it.
        var reuse = _definition.Dispatcher is IReleasesMessageContext;
        var context = reuse ? _contexts.Rent() : new MessageContext(_definition.Queue, default, _lifetimes, default);
        if (!reuse)
        {
            context.MarkShared();
        }

        context.MaxDecodedBytes = _maxMessageSize;
        context.Reuse(
            delivery.Body,
            cancellationToken,
            delivery.Exchange,
            delivery.RoutingKey,
            properties,
            headers,
            timestamp,
            delivery.Redelivered,
            delivery.DeliveryTag,
            _stream is not null ? ReadStreamOffset(delivery) : null,
            deliveryCount,
            retryCount);
        return context;
    }

    private void ReportUnreadable(BasicDeliverEventArgs delivery, string property, string value)
    {
        if (_reportedProperties.TryAdd(property, 0))
        {
            Log.UnreadableProperty(_logger, _definition.Queue, SafeMessageId(delivery), property, FailureCopy.Truncate(value, 200));
        }
    }

    /// <summary>What was done with a delivery: <c>warren.outcome</c> of its process span, and the dead-letter reason.</summary>
    private readonly record struct Settled(string Outcome, string? DeadLetterReason = null);

    private async ValueTask<Settled> SettleAsync(Subscription subscription, int losses, BasicDeliverEventArgs delivery, Verdict verdict)
    {
        var outcome = verdict.Outcome;
        if (verdict.Interrupted)
        {
            await RejectAsync(subscription, delivery, requeue: true).ConfigureAwait(false);
            return new Settled("interrupted");
        }

        if (outcome.Action == DispatchAction.Ack)
        {
            await AckAsync(subscription, delivery).ConfigureAwait(false);
            return new Settled("ack");
        }

        var policy = outcome.Policy is { } own ? (_stream is not null ? WithoutDelayedRetries(own, null) : own) : _policy;
        var reason = outcome.Reason ?? "no reason given";
        if (policy.IsDisabled && _stream is not null)
        {
            // A stream keeps the message and cannot requeue it: with no dead-letter target it is skipped, loudly.
            _metrics.DeadLettered(_definition.Queue, DeadLetterReasons.Rejected);
            Log.StreamMessageSkipped(_logger, _definition.Queue, SafeMessageId(delivery), ReadStreamOffset(delivery)?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "unknown", reason);
            await AckAsync(subscription, delivery).ConfigureAwait(false);
            return new Settled("skipped", DeadLetterReasons.Rejected);
        }

        if (policy.IsDisabled)
        {
            if (outcome.Action == DispatchAction.Requeue)
            {
                if (_limiter.TryLog())
                {
                    Log.RequeuedAfterDelay(_logger, _definition.Queue, SafeMessageId(delivery), _requeueDelay, reason);
                }

                RequeueLater(subscription, delivery);
                return new Settled("requeue");
            }

            await RejectWithoutTargetAsync(subscription, delivery, reason).ConfigureAwait(false);
            return new Settled("rejected", DeadLetterReasons.Rejected);
        }

        if (SessionLost(subscription, losses, delivery))
        {
            // The channel session it came on is gone (closed, or recovered by RabbitMQ.Client) and the broker has the
            // message back: a copy now would duplicate it.
            return DropOutcome(subscription, delivery, verdict);
        }

        FailureHandling handling;
        try
        {
            handling = await _failures.HandleAsync(delivery, outcome, policy).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            Log.ProcessingError(_logger, ex, _definition.Queue, SafeMessageId(delivery));
            handling = new FailureHandling(FailureResult.CopyFailed);
        }

        switch (handling.Result)
        {
            case FailureResult.Retried:
                _metrics.Retried(_definition.Queue, "delayed");
                await AckAsync(subscription, delivery, now: true).ConfigureAwait(false);
                return new Settled("retry");
            case FailureResult.DeadLettered:
                _metrics.DeadLettered(_definition.Queue, handling.DeadLetterReason!);
                await AckAsync(subscription, delivery, now: true).ConfigureAwait(false);
                return new Settled("dead_letter", handling.DeadLetterReason);
            case FailureResult.NoDeadLetterExchange:
                await RejectWithoutTargetAsync(subscription, delivery, reason).ConfigureAwait(false);
                return new Settled("rejected", DeadLetterReasons.Rejected);
            default:
                RequeueLater(subscription, delivery);
                return new Settled("requeue");
        }
    }

    /// <summary>
    /// True when the channel session a delivery came on is gone: the subscription was lost since the delivery arrived
    /// (at <paramref name="losses"/>), its session is one lost before (see <see cref="Subscription.IsLostSession"/>), or
    /// the channel is closed now (see <see cref="Subscription.CanSettle"/>).
    /// </summary>
    private static bool SessionLost(Subscription subscription, int losses, BasicDeliverEventArgs delivery) =>
        !subscription.CanSettle(losses, delivery.CancellationToken);

    /// <summary>
    /// The outcome of a handler that returned after the channel session of its delivery was lost: the broker has the
    /// message back (redelivered, maybe handled already), so nothing is acknowledged, retried or dead-lettered for it, and
    /// a line says so instead of claiming any of it.
    /// </summary>
    private Settled DropOutcome(Subscription subscription, BasicDeliverEventArgs delivery, Verdict verdict)
    {
        var outcome = verdict.Interrupted ? "interrupted by the stop"
            : verdict.Outcome.Action == DispatchAction.Ack ? "normally"
            : "with a failure: " + (verdict.Outcome.Reason ?? "no reason given");
        if (_limiter.TryLog())
        {
            Log.OutcomeOfLostSessionDropped(_logger, _definition.Queue, SafeMessageId(delivery), outcome);
        }

        return Forget(subscription, delivery);
    }

    /// <summary>
    /// A delivery of a channel session that is gone: nothing is sent for it. On a channel RabbitMQ.Client recovered,
    /// its tag is marked handled so that it stops holding back the acknowledgements of later deliveries (the client
    /// drops an acknowledgement of a tag from before the recovery, and the broker has the message back).
    /// </summary>
    private static Settled Forget(Subscription subscription, BasicDeliverEventArgs delivery)
    {
        if (!subscription.IsRetired)
        {
            subscription.Acks.Complete(delivery.DeliveryTag);
        }

        return new Settled("returned");
    }

    /// <summary>
    /// Acknowledges a handled delivery with the next batch — or at once with <paramref name="now"/>, when the message was
    /// copied (for a retry, or dead-lettered): the original must not come back beside its copy if the channel closes meanwhile.
    /// </summary>
    private async ValueTask AckAsync(Subscription subscription, BasicDeliverEventArgs delivery, bool now = false)
    {
        try
        {
            // While stopping, ack at once: the channel closes soon and a handled message must not come back.
            var force = now || Volatile.Read(ref _stopping) == 1;
            if (subscription.Acks.Complete(delivery.DeliveryTag) || force)
            {
                await subscription.Acks.FlushAsync(force).ConfigureAwait(false);
            }
        }
        catch (Exception ex)
        {
            Log.SettleFailed(_logger, _definition.Queue, delivery.DeliveryTag, ex.Message);
        }
    }

    private async ValueTask RejectWithoutTargetAsync(Subscription subscription, BasicDeliverEventArgs delivery, string reason)
    {
        _metrics.DeadLettered(_definition.Queue, DeadLetterReasons.Rejected);
        if (_limiter.TryLog())
        {
            Log.RejectedWithoutRequeue(_logger, _definition.Queue, SafeMessageId(delivery), reason);
        }

        await RejectAsync(subscription, delivery, requeue: false).ConfigureAwait(false);
    }

    private async ValueTask RejectAsync(Subscription subscription, BasicDeliverEventArgs delivery, bool requeue)
    {
        try
        {
            await ReleaseAsync(subscription, delivery.DeliveryTag, requeue).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            // The channel went: the broker returns the message to the queue (at-least-once).
            Log.SettleFailed(_logger, _definition.Queue, delivery.DeliveryTag, ex.Message);
        }
    }

    /// <summary>Returns the message to the queue after the requeue delay, without holding a handler slot meanwhile.</summary>
    private void RequeueLater(Subscription subscription, BasicDeliverEventArgs delivery)
    {
        _metrics.Retried(_definition.Queue, "requeue");
        var tag = delivery.DeliveryTag;
        var token = _delayedRequeues.Token;
        var task = Task.Run(async () =>
        {
            try
            {
                await Task.Delay(_requeueDelay, _connections.Time, token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // Stopping: requeue now.
            }

            try
            {
                await ReleaseAsync(subscription, tag, requeue: true).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                Log.SettleFailed(_logger, _definition.Queue, tag, ex.Message);
            }
        });
        _pendingRequeues.TryAdd(task, 0);
        _ = task.ContinueWith(static (t, state) => ((ConcurrentDictionary<Task, byte>)state!).TryRemove(t, out _), _pendingRequeues, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    /// <summary>
    /// Rejects a delivery; on a stream, acknowledges it instead: a stream keeps every message and an acknowledgement only
    /// returns credit, so nothing is lost — the stream offset of a delivery released this way is not recorded as handled,
    /// so a stored offset stays before it and the next start reads it again.
    /// </summary>
    private async Task ReleaseAsync(Subscription subscription, ulong deliveryTag, bool requeue)
    {
        if (_stream is null)
        {
            await subscription.Acks.RejectAsync(deliveryTag, requeue).ConfigureAwait(false);
            return;
        }

        subscription.Acks.Complete(deliveryTag);
        await subscription.Acks.FlushAsync(force: true).ConfigureAwait(false);
    }

    private static long? ReadStreamOffset(BasicDeliverEventArgs delivery) =>
        AmqpHeaders.TryReadInteger(delivery.BasicProperties.Headers, StreamConsumer.OffsetHeader, out var offset) == HeaderRead.Valid ? offset : null;

    /// <summary>A stream takes no delayed retries: a retry copy would be appended to the stream for every reader.</summary>
    private RetryPolicy WithoutDelayedRetries(RetryPolicy policy, ILogger? logger)
    {
        if (policy.IsDisabled || policy.MaxRetries == 0)
        {
            return policy;
        }

        if (logger is not null)
        {
            Log.StreamRetriesIgnored(logger, _definition.Queue, policy.MaxRetries);
        }

        return new RetryPolicy
        {
            ImmediateRetries = policy.ImmediateRetries,
            DeadLetterExchange = policy.DeadLetterExchange,
            DeadLetterRoutingKey = policy.DeadLetterRoutingKey,
            IsNonRetryable = policy.IsNonRetryable,
            RetryQueuePrefix = policy.RetryQueuePrefix,
        };
    }

    /// <summary>The offset of the last message settled such that all before it are, over every subscription so far.</summary>
    private long? LatestOffset() => _slot.Current?.Offsets?.Watermark ?? (Interlocked.Read(ref _resumeAfter) is >= 0 and var after ? after : null);

    private void RememberOffset(Subscription subscription)
    {
        if (subscription.Offsets?.Watermark is { } watermark)
        {
            Interlocked.Exchange(ref _resumeAfter, watermark);
        }
    }

    private async Task SaveOffsetsAsync()
    {
        using var timer = new PeriodicTimer(_offsetSaveInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(_lifetime.Token).ConfigureAwait(false))
            {
                await SaveOffsetAsync(_lifetime.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping: the stop saves once more after the last settlement.
        }
    }

    private async Task SaveOffsetAsync(CancellationToken cancellationToken)
    {
        if (_offsetStore is null || LatestOffset() is not { } offset || offset == _savedOffset)
        {
            return;
        }

        try
        {
            await _offsetStore.SaveAsync(_definition.Queue, offset, cancellationToken).ConfigureAwait(false);
            _savedOffset = offset;
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            Log.StreamOffsetSaveFailed(_logger, ex, _definition.Queue, offset);
        }
    }

    private void RecordError(string error)
    {
        _lastError = error;
        _lastErrorAt = _connections.Time.GetUtcNow();
    }

    /// <remarks>A state set again (a failed restart attempt while restarting) keeps the time it was entered: liveness
    /// measures how long the consumer has been down, not since its last attempt. Stamped on the clock registered in DI
    /// (the connections' <see cref="WarrenConnections.Time"/>), as the connections' states and the start's are.</remarks>
    private void SetState(ConsumerState state)
    {
        var since = _statuses.Get(_definition.Queue) is { } current && current.State == state ? current.Since : _connections.Time.GetUtcNow();
        _statuses.Set(new ConsumerStatus(_definition.Queue, state, _restarts, _lastError, _lastErrorAt, since));
    }

    /// <summary>The <c>error.type</c> of a failed delivery: its exception's type, else what the dispatcher decided.</summary>
    private static string ErrorTypeOf(DispatchOutcome outcome) =>
        outcome.Exception is { } exception ? WarrenTracing.ErrorTypeOf(exception)
        : outcome.Action == DispatchAction.DeadLetter ? DeadLetterReasons.Unprocessable
        : "failed";

    private static string Describe(ShutdownEventArgs reason) =>
        $"{reason.Initiator} closed the channel: {reason.ReplyCode} {reason.ReplyText}".TrimEnd();

    /// <summary>
    /// The message id for log lines, or for a message without one "without a message id (delivery tag N)": the
    /// templates read "Message {MessageId} from queue …" and "on message {MessageId}".
    /// </summary>
    internal static string SafeMessageId(BasicDeliverEventArgs delivery) =>
        delivery.BasicProperties.MessageId is { Length: > 0 } id
            ? id
            : $"without a message id (delivery tag {delivery.DeliveryTag.ToString(System.Globalization.CultureInfo.InvariantCulture)})";

    private static string? SafeType(BasicDeliverEventArgs delivery) => delivery.BasicProperties.Type;

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;
}
