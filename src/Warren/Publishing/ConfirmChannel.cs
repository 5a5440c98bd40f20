using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using RabbitMQ.Client.Exceptions;

namespace Warren;

/// <summary>
/// A publishing channel in confirm mode that tracks confirmations itself. Publishes are written one at a time, in
/// call order (so a batch keeps its order on the broker), while their confirmations are awaited concurrently: the
/// broker's acks (often <c>multiple</c>) complete every publish up to their tag. Returns of mandatory messages are
/// matched by the message id Warren made for the publish (<see cref="MessageIds"/>), or, for a publish whose id the
/// caller chose, by a sequence header, each through an index (no look through the pending publishes); a lost channel
/// fails every pending publish with the shutdown reason.
/// </summary>
/// <remarks>
/// A recovered channel numbers its publishes from 1 again, so a number alone does not name a publish across a
/// recovery. Each publish is tied to the incarnation of the channel it was sent on (its <see cref="Pending.Epoch"/>):
/// a send whose number is not above the last one sent (the numbering restarted) begins a new epoch and fails the
/// publishes of the earlier ones with <see cref="PublishInterruptedException"/> at once, whether or not their channel's
/// shutdown was processed yet. RabbitMQ.Client raises acks, nacks, returns and the shutdown with the client channel of
/// one incarnation as the sender: the first answer of an epoch binds its sender to it, and answers or a shutdown from
/// the sender of an epoch that is over settle nothing of the current one.
/// </remarks>
/// <remarks>
/// Per publish this costs one completion object and nothing else on the confirmation path: the publish timeout is a
/// deadline kept with the pending publish and enforced by one timer per channel that runs only while publishes are
/// pending (so no timer or linked cancellation source per publish), and acks take the publishes they cover out of the
/// bookkeeping under its lock into a reused per-thread list and complete them after releasing it, so that publishes
/// being registered meanwhile do not spin on the lock.
/// </remarks>
internal sealed class ConfirmChannel : IAsyncDisposable
{
    /// <summary>
    /// Carries the publish sequence number so a returned message can be matched to its publish, on mandatory publishes
    /// whose message id the caller chose (an id Warren made identifies the publish by itself, so those carry no header).
    /// </summary>
    public const string SequenceHeader = "x-warren-publish-seq";

    private static readonly TimeSpan MinSweep = TimeSpan.FromMilliseconds(20);
    private static readonly TimeSpan MaxSweep = TimeSpan.FromSeconds(1);

    /// <summary>The publishes an ack or nack settles, taken out under the lock and settled after it (see <see cref="Take"/>).</summary>
    [ThreadStatic]
    private static List<Pending>? t_settled;

    private readonly IChannel _channel;
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private readonly object _gate = new();

    /// <summary>
    /// The publishes waiting for the broker's answer, in sequence order and indexed by sequence number and by the counter
    /// of the message id Warren made (how a return names its publish), under <see cref="_gate"/>.
    /// </summary>
    private readonly PendingConfirms _pending = new();
    private readonly Dictionary<string, object?> _lentHeaders = new(2, StringComparer.Ordinal);

    /// <summary>
    /// The boxed value of the sequence header, one per channel and set in place for each send: the client encodes the
    /// headers into the frame inside <c>BasicPublishAsync</c>, under the send lock, so no publish sees another's number,
    /// and none keeps it (the header is taken out of the caller's headers after the send). No box per publish.
    /// </summary>
    private readonly object _sequenceBox = 0L;

    /// <summary>
    /// The <c>traceparent</c> of the message being sent, as its UTF-8 bytes, written in place for each send into the
    /// lent headers, for the same reasons as <see cref="_sequenceBox"/>: no id string and no header table per publish.
    /// </summary>
    private readonly byte[] _traceParent = TraceContext.NewTraceParentBuffer();

    /// <summary>The <c>message-id</c> of the message being sent when the publish left it to the channel (see <see cref="MessageIdBuffer"/>).</summary>
    private readonly MessageIdBuffer _messageId = new();
    private readonly ITimer _sweeper;
    private readonly TimeSpan _sweepInterval;
    private readonly TimeProvider _time;
    private bool _sweeping;

    /// <summary>The incarnation of the channel the next publish is sent on, under <see cref="_gate"/>.</summary>
    private long _epoch;

    /// <summary>The client channel that raised the answers of the current epoch (null until its first one), under <see cref="_gate"/>.</summary>
    private object? _epochSender;

    /// <summary>The senders of epochs that are over: whatever they raise settles nothing (under <see cref="_gate"/>).</summary>
    private readonly ConditionalWeakTable<object, object?> _staleSenders = [];

    /// <summary>The number of the last publish sent in the current epoch (0 for none), under the send lock.</summary>
    private ulong _lastSent;

    /// <summary>Why the current epoch's channel closed, once its shutdown was processed: the next send begins a new epoch.</summary>
    private ShutdownEventArgs? _lostReason;

    internal ConfirmChannel(IChannel channel, TimeSpan publishTimeout, TimeProvider time)
    {
        _channel = channel;
        _time = time;
        // A tenth of the timeout, within [20 ms, 1 s]: a publish fails at most that long after its deadline.
        _sweepInterval = TimeSpan.FromTicks(Math.Clamp(publishTimeout.Ticks / 10, MinSweep.Ticks, MaxSweep.Ticks));
        _sweeper = time.CreateTimer(static state => ((ConfirmChannel)state!).Sweep(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        channel.BasicAcksAsync += OnAckAsync;
        channel.BasicNacksAsync += OnNackAsync;
        channel.BasicReturnAsync += OnReturnAsync;
        channel.ChannelShutdownAsync += OnShutdownAsync;
    }

    public IChannel Channel => _channel;

    /// <summary>Publishes waiting for their confirmation (for tests).</summary>
    internal int PendingCount
    {
        get
        {
            lock (_gate)
            {
                return _pending.Count;
            }
        }
    }

    /// <summary>Publishes a return can still be matched to by their message id (for tests: never more than <see cref="PendingCount"/>).</summary>
    internal int ReturnableCount
    {
        get
        {
            lock (_gate)
            {
                return _pending.ReturnableCount;
            }
        }
    }

    public static async Task<ConfirmChannel> OpenAsync(IConnection connection, TimeSpan publishTimeout, TimeProvider time, CancellationToken cancellationToken)
    {
        var channel = await connection.CreateChannelAsync(
            new CreateChannelOptions(
                publisherConfirmationsEnabled: true,
                publisherConfirmationTrackingEnabled: false,
                outstandingPublisherConfirmationsRateLimiter: null,
                consumerDispatchConcurrency: null),
            cancellationToken).ConfigureAwait(false);
        return new ConfirmChannel(channel, publishTimeout, time);
    }

    /// <summary>Writes the message and waits for its confirmation until <paramref name="deadline"/> (a timestamp of the
    /// channel's <see cref="TimeProvider"/>). Fails with the typed publish exceptions,
    /// <see cref="ConfirmTimeoutException"/> past the deadline, or <see cref="PublishInterruptedException"/> when the
    /// channel goes before the broker answered.</summary>
    public async Task PublishAsync(string exchange, string routingKey, bool mandatory, BasicProperties properties, ReadOnlyMemory<byte> body, ulong messageId, ActivityContext trace, long deadline, CancellationToken cancellationToken)
    {
        var pending = await SendAsync(exchange, routingKey, mandatory, properties, body, messageId, trace, deadline, cancellationToken).ConfigureAwait(false);
        await WaitAsync(pending, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Writes the message and registers it for confirmation; the returned publish completes when the broker confirms
    /// it (see <see cref="WaitAsync"/>). Completes synchronously when the channel is free and the client takes the
    /// frame at once, which is the common case. The W3C context <paramref name="trace"/>, when not default, goes into the
    /// message's <c>traceparent</c>/<c>tracestate</c> headers: into the caller's headers when there are any (where it
    /// stays, as a string), else into headers lent for the send only, with the <c>traceparent</c> as this channel's
    /// reused bytes. A non-zero <paramref name="messageId"/> (a counter of <see cref="MessageIds"/>) is the message's id,
    /// written for the send into this channel's <see cref="MessageIdBuffer"/>; the properties' own <c>MessageId</c> must
    /// then be null, and is null again afterwards. A mandatory publish with such an id carries no sequence header: a
    /// return of it is recognised by the id.
    /// </summary>
    public async ValueTask<Pending> SendAsync(string exchange, string routingKey, bool mandatory, BasicProperties properties, ReadOnlyMemory<byte> body, ulong messageId, ActivityContext trace, long deadline, CancellationToken cancellationToken)
    {
        var pending = new Pending(exchange, routingKey, deadline);
        var lent = false;
        var numbered = false;
        var clientTraced = false;
        await _sendLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (messageId != 0)
            {
                // RabbitMQ.Client's publish span, when listened to, keeps the string: it gets one of its own (below).
                clientTraced = ClientPublishTracing.IsListened;
                properties.MessageId = _messageId.Write(messageId);
            }

            var sequence = await _channel.GetNextPublishSequenceNumberAsync(cancellationToken).ConfigureAwait(false);
            pending.Sequence = sequence;
            List<Pending>? stale = null;
            ShutdownEventArgs? staleReason = null;
            if (properties.Headers is null)
            {
                // Lent for the send only (the client writes the headers into the frame before BasicPublishAsync
                // completes, under the send lock): no dictionary per publish for the sequence header, nor the empty
                // one RabbitMQ.Client would create on a confirming channel.
                _lentHeaders.Clear();
                properties.Headers = _lentHeaders;
                lent = true;
                if (trace != default)
                {
                    TraceContext.Inject(trace, _lentHeaders, _traceParent);
                }
            }
            else if (trace != default)
            {
                TraceContext.Inject(trace, properties.Headers);
            }

            if (mandatory && messageId != 0)
            {
                // The returned message's id names the publish (see OnReturnAsync): no header, nothing more on the wire.
                // Headers copied from a received message (a forwarded RawHeaders) may hold an earlier publish's number,
                // which would name another publish on a return: it does not go out.
                pending.MessageIdCounter = messageId;
                if (!lent)
                {
                    properties.Headers?.Remove(SequenceHeader);
                }
            }
            else if (mandatory)
            {
                Unsafe.Unbox<long>(_sequenceBox) = (long)sequence;
                properties.Headers[SequenceHeader] = _sequenceBox;
                numbered = true;
            }

            lock (_gate)
            {
                // The shutdown handler runs after the channel reports closed and fails what is registered by then:
                // registering on a channel already closed would leave this publish waiting for nothing.
                if (!_channel.IsOpen)
                {
                    throw new AlreadyClosedException(_channel.CloseReason ?? new ShutdownEventArgs(ShutdownInitiator.Library, 0, "channel closed"));
                }

                if (_lostReason is not null || (_lastSent != 0 && sequence <= _lastSent))
                {
                    (stale, staleReason) = BeginEpoch();
                }

                pending.Epoch = _epoch;
                _pending.Add(pending);

                if (!_sweeping)
                {
                    _sweeping = true;
                    _sweeper.Change(_sweepInterval, _sweepInterval);
                }
            }

            FailAll(stale, staleReason);
            await _channel.BasicPublishAsync(exchange, routingKey, mandatory, properties, body, cancellationToken).ConfigureAwait(false);

            // Only a number the client took counts: a send that failed before may leave its number to the next one.
            _lastSent = sequence;
        }
        catch
        {
            Forget(pending);
            throw;
        }
        finally
        {
            if (messageId != 0)
            {
                properties.MessageId = null;
                if (clientTraced || ClientPublishTracing.IsListened)
                {
                    // The client's span may hold the string: it keeps this id, the next send writes into a new one.
                    _messageId.Retire();
                }
            }

            if (lent)
            {
                properties.Headers = null;
            }
            else if (numbered)
            {
                // The box is set again by the next send: the caller's headers must not keep it.
                properties.Headers!.Remove(SequenceHeader);
            }

            _sendLock.Release();
        }

        return pending;
    }

    /// <summary>True while a send holds the channel (it is writing, or the client is waiting for room to write).</summary>
    public bool IsSending => _sendLock.CurrentCount == 0;

    /// <summary>
    /// Completes when no send holds the channel any more (sends already waiting for it go first): what a caller that
    /// publishes many messages in a row waits for when <see cref="IsSending"/>, instead of queueing every further
    /// publish behind the channel. Each publish queued there is resumed on the thread pool on its own when the one
    /// before it releases the channel; waiting here once costs one such resumption for the whole run of publishes the
    /// caller then sends without waiting. Sends nothing and changes no order: the sends before it are already holding or
    /// waiting for the channel.
    /// </summary>
    public ValueTask WhenSendFreeAsync(CancellationToken cancellationToken)
    {
        var wait = _sendLock.WaitAsync(cancellationToken);
        if (wait.IsCompletedSuccessfully)
        {
            _sendLock.Release();
            return ValueTask.CompletedTask;
        }

        return AwaitAndRelease(wait);

        async ValueTask AwaitAndRelease(Task wait)
        {
            await wait.ConfigureAwait(false);
            _sendLock.Release();
        }
    }

    /// <summary>Waits for the confirmation of a publish sent by <see cref="SendAsync"/>.</summary>
    public async ValueTask WaitAsync(Pending pending, CancellationToken cancellationToken)
    {
        if (pending.Task.IsCompletedSuccessfully)
        {
            return;
        }

        // Cancellation completes the pending publish itself: no extra waiting task per publish.
        using var registration = cancellationToken.CanBeCanceled
            ? cancellationToken.UnsafeRegister(static (state, token) => ((Pending)state!).TrySetCanceled(token), pending)
            : default;
        try
        {
            await pending.Task.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            Forget(pending);
            throw;
        }
    }

    /// <summary>Closes the channel. The send lock is left undisposed: publishes still waiting for it must get it and
    /// fail on the closed channel (and be retried), not wait forever.</summary>
    public async ValueTask DisposeAsync()
    {
        await ChannelClosing.CloseQuietlyAsync(_channel).ConfigureAwait(false);
        await _sweeper.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>Stops tracking a publish whose caller gave up waiting for it (or whose send failed).</summary>
    internal void Forget(Pending pending)
    {
        lock (_gate)
        {
            _pending.Forget(pending);
        }
    }

    /// <summary>Fails the publishes past their deadline; stops itself when nothing is pending.</summary>
    private void Sweep()
    {
        var now = _time.GetTimestamp();
        lock (_gate)
        {
            if (_pending.Count == 0)
            {
                _sweeping = false;
                _sweeper.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
                return;
            }

            if (_pending.TakeExpired(now) is not { } expired)
            {
                return;
            }

            foreach (var pending in expired)
            {
                pending.Fail(new ConfirmTimeoutException());
            }
        }
    }

    private Task OnAckAsync(object sender, BasicAckEventArgs e)
    {
        var settled = Take(sender, e.DeliveryTag, e.Multiple);
        try
        {
            // Completions run their continuations asynchronously: no caller code runs here.
            foreach (var pending in settled)
            {
                if (pending.Returned is { } returned)
                {
                    pending.Fail(new UnroutableMessageException(pending.Exchange, pending.RoutingKey, returned));
                }
                else
                {
                    pending.Succeed();
                }
            }
        }
        finally
        {
            settled.Clear();
        }

        return Task.CompletedTask;
    }

    private Task OnNackAsync(object sender, BasicNackEventArgs e)
    {
        var settled = Take(sender, e.DeliveryTag, e.Multiple);
        try
        {
            foreach (var pending in settled)
            {
                pending.Fail(new PublishRejectedException(pending.Exchange, pending.RoutingKey));
            }
        }
        finally
        {
            settled.Clear();
        }

        return Task.CompletedTask;
    }

    private Task OnReturnAsync(object sender, BasicReturnEventArgs e)
    {
        // The broker sends basic.return before the ack of the same message: remember it for the ack.
        var sequence = AmqpHeaders.ReadLong(e.BasicProperties.Headers, SequenceHeader);
        var returned = $"{e.ReplyCode} {e.ReplyText}";
        var counter = MessageIds.TryReadCounter(e.BasicProperties.MessageId, out var read) ? read : 0;
        lock (_gate)
        {
            if (EpochOf(sender) is var epoch && epoch >= 0 && _pending.FindReturned(epoch, sequence, counter) is { } pending)
            {
                pending.Returned = returned;
            }
        }

        return Task.CompletedTask;
    }

    private Task OnShutdownAsync(object sender, ShutdownEventArgs reason)
    {
        List<Pending>? failed = null;
        lock (_gate)
        {
            // With the channel closed, nothing pending can be confirmed any more: it all fails. A shutdown processed
            // late, once the channel is open again after its recovery, fails only the epoch its sender answered for:
            // the publishes since the recovery (a new epoch, whose first send failed those of the earlier ones) stay.
            // Publishes of a lost incarnation that never answered, with nothing sent since the recovery, wait for the
            // next send, which fails them, or their deadline.
            var stale = _channel.IsOpen && !ReferenceEquals(sender, _epochSender);
            _staleSenders.AddOrUpdate(sender, null);
            if (!stale)
            {
                failed = _pending.TakeAll();
                if (_epochSender is not null)
                {
                    _staleSenders.AddOrUpdate(_epochSender, null);
                }

                _epochSender = null;
                _lostReason = reason;
            }
        }

        FailAll(failed, reason);
        return Task.CompletedTask;
    }

    /// <summary>
    /// Begins a new epoch (the channel recovered: its numbering restarted, or its loss was processed) under
    /// <see cref="_gate"/>; returns the earlier epochs' publishes, which the caller fails with the reason returned once
    /// the lock is released.
    /// </summary>
    private (List<Pending>? Stale, ShutdownEventArgs Reason) BeginEpoch()
    {
        if (_epochSender is not null)
        {
            _staleSenders.AddOrUpdate(_epochSender, null);
        }

        var reason = _lostReason ?? new ShutdownEventArgs(ShutdownInitiator.Library, 0, "the channel recovered and numbers its publishes anew; the confirmation of a publish sent before is lost");
        _epoch++;
        _epochSender = null;
        _lastSent = 0;
        _lostReason = null;
        return (_pending.TakeBefore(_epoch), reason);
    }

    private static void FailAll(List<Pending>? failed, ShutdownEventArgs? reason)
    {
        if (failed is null)
        {
            return;
        }

        foreach (var pending in failed)
        {
            pending.Fail(new PublishInterruptedException(reason!));
        }
    }

    /// <summary>
    /// The epoch whose answers <paramref name="sender"/> raises, under <see cref="_gate"/>; -1 for the sender of an epoch
    /// that is over. The first sender to answer in an epoch is bound to it; another one afterwards is of an earlier epoch
    /// (a later one's answers follow its publishes, and its first publish begins a new epoch).
    /// </summary>
    private long EpochOf(object sender)
    {
        if (ReferenceEquals(sender, _epochSender))
        {
            return _epoch;
        }

        if (_epochSender is null && !_staleSenders.TryGetValue(sender, out _))
        {
            _epochSender = sender;
            return _epoch;
        }

        _staleSenders.AddOrUpdate(sender, null);
        return -1;
    }

    /// <summary>
    /// Removes the publishes an ack or nack covers, under <see cref="_gate"/>, into this thread's list, which the caller
    /// settles after the lock is released and then clears: completing hundreds of publishes of a <c>multiple</c> ack
    /// (each queues its continuation) while holding the lock kept the publishes being sent waiting for it. A
    /// <c>multiple</c> one costs what it settles (see <see cref="PendingConfirms"/>), not the span of sequence numbers
    /// since the last one.
    /// </summary>
    private List<Pending> Take(object sender, ulong tag, bool multiple)
    {
        var settled = t_settled ??= new List<Pending>(64);
        lock (_gate)
        {
            if (EpochOf(sender) is var epoch && epoch >= 0)
            {
                _pending.Take(epoch, tag, multiple, settled);
            }
        }

        return settled;
    }

    /// <summary>One publish awaiting its confirmation: the completion itself, with what a failure names.</summary>
    internal sealed class Pending(string exchange, string routingKey, long deadline) : TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)
    {
        public string Exchange { get; } = exchange;

        public string RoutingKey { get; } = routingKey;

        /// <summary>When the publish times out, as a timestamp of the channel's <see cref="TimeProvider"/>.</summary>
        public long Deadline { get; } = deadline;

        public ulong Sequence { get; set; }

        /// <summary>The incarnation of the channel it was sent on: only that incarnation's answers settle it.</summary>
        public long Epoch { get; set; }

        /// <summary>The counter of the message id Warren made for a mandatory publish (0 when the caller chose the id): how its return is recognised.</summary>
        public ulong MessageIdCounter { get; set; }

        public string? Returned { get; set; }

        /// <summary>The publish before this one in <see cref="PendingConfirms"/>'s sequence order, while listed there.</summary>
        internal Pending? Previous { get; set; }

        /// <summary>The publish after this one in <see cref="PendingConfirms"/>'s sequence order, while listed there.</summary>
        internal Pending? Next { get; set; }

        /// <summary>Waiting in a <see cref="PendingConfirms"/>.</summary>
        internal bool Listed { get; set; }

        public void Succeed() => TrySetResult();

        public void Fail(Exception exception) => TrySetException(exception);
    }
}

/// <summary>The broker did not confirm a publish before its deadline (<see cref="WarrenOptions.PublishTimeout"/>).</summary>
internal sealed class ConfirmTimeoutException() : Exception("The broker did not confirm the publish in time.");

/// <summary>
/// The publishing channel closed after the message was sent and before the broker confirmed it; <see cref="Reason"/> says
/// why. The broker may or may not have routed the message. (A publish that could not be sent at all fails with
/// RabbitMQ.Client's <c>AlreadyClosedException</c> instead.)
/// </summary>
internal sealed class PublishInterruptedException(ShutdownEventArgs reason)
    : Exception($"The publishing channel closed before the broker confirmed the message: {reason.ReplyCode} {reason.ReplyText}")
{
    public ShutdownEventArgs Reason { get; } = reason;
}
