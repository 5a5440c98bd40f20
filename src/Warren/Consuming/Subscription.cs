using System;
using System.Threading;
using System.Threading.Tasks;
using RabbitMQ.Client;

namespace Warren;

/// <summary>Why a subscription stopped delivering.</summary>
/// <param name="Cause">The broker's or client's reason, for the log and the consumer status.</param>
/// <param name="ConnectionLost">The whole connection went (RabbitMQ.Client recovers it with its channels); otherwise only this channel or subscription did.</param>
/// <param name="ChannelClosed">The channel session is gone (the broker has its unsettled messages back); false for a broker
/// cancel, which leaves the channel open: its deliveries are still settled on it until the consumer closes it.</param>
internal sealed record SubscriptionLoss(string Cause, bool ConnectionLost, bool ChannelClosed = true);

/// <summary>What <see cref="Subscription.Resume"/> found.</summary>
internal enum ResumeOutcome
{
    /// <summary>The channel is open again and no loss came since the one taken: the consumer is running again.</summary>
    Resumed,

    /// <summary>The channel is closed again: still the loss taken, the consumer waits for the recovery again.</summary>
    StillClosed,

    /// <summary>A further loss was recorded since the one taken: the consumer takes it (it is logged once, as its own).</summary>
    LostAgain,
}

/// <summary>
/// One channel of the consuming connection with one subscription on it, and its acknowledgement bookkeeping. It
/// reports its loss (channel closed, subscription cancelled by the broker) once through <see cref="Lost"/>; after the
/// consumer retires it, deliveries still arriving on it are left to the broker.
/// </summary>
internal sealed class Subscription
{
    private static readonly TimeSpan FlushInterval = TimeSpan.FromMilliseconds(10);
    private readonly CancellationTokenSource _flushStop = new();
    private readonly object _gate = new();
    private TaskCompletionSource<SubscriptionLoss> _lost = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task _flushLoop = Task.CompletedTask;
    private volatile bool _retired;
    private int _losses;
    private int _reports;
    private int _reportsTaken;
    private SubscriptionLoss? _latest;
    private SubscriptionLoss? _connectionLossSince;
    private bool _sessionLive = true;
    private CancellationToken _lastSession;
    private CancellationToken[] _lostSessions = [];

    /// <summary>A subscription started at <paramref name="startedAt"/>: now, on the consumer's clock (the <see cref="TimeProvider"/> registered in DI).</summary>
    public Subscription(IConnection connection, IChannel channel, AckTracker acks, DateTimeOffset startedAt)
    {
        Connection = connection;
        Endpoint = new ConnectionEndpoint(connection);
        Channel = channel;
        Acks = acks;
        StartedAt = startedAt;
    }

    public IConnection Connection { get; }

    /// <summary>The connection's endpoint for the spans of its deliveries, following the connection's recovery to another node.</summary>
    public ConnectionEndpoint Endpoint { get; }

    public IChannel Channel { get; }

    public AckTracker Acks { get; }

    public SessionConsumer? Consumer { get; set; }

    /// <summary>For a stream consumer: the offset below which every delivery of this subscription is settled.</summary>
    public StreamOffsetTracker? Offsets { get; init; }

    public string? ConsumerTag { get; set; }

    public DateTimeOffset StartedAt { get; }

    /// <summary>Set once the consumer has given this subscription up (replaced or stopped): nothing more is settled through it.</summary>
    public bool IsRetired => _retired;

    /// <summary>
    /// How many times the subscription was lost so far (a connection RabbitMQ.Client recovered keeps the subscription):
    /// a delivery that arrived before a loss belongs to a channel session that is gone, and the broker has its message back.
    /// </summary>
    public int Losses => Volatile.Read(ref _losses);

    /// <summary>True when a delivery that arrived while <see cref="Losses"/> was <paramref name="losses"/> lost its channel session since.</summary>
    public bool LostSince(int losses) => _retired || Volatile.Read(ref _losses) != losses;

    /// <summary>
    /// The first loss of the connection recorded after the loss the consumer took (<see cref="Lost"/>), if any: when the
    /// consumer took a broker cancel, the connection went too before it replaced the subscription, and it says so.
    /// </summary>
    public SubscriptionLoss? ConnectionLossSinceTaken
    {
        get
        {
            lock (_gate)
            {
                return _connectionLossSince;
            }
        }
    }

    public Task<SubscriptionLoss> Lost
    {
        get
        {
            lock (_gate)
            {
                return _lost.Task;
            }
        }
    }

    /// <summary>
    /// Admits a delivery's callback, noting the channel session it came on: RabbitMQ.Client passes each callback the
    /// cancellation token of its session's dispatcher, one per session (a channel it recovers gets a new one), cancelled when
    /// it shuts that session down — which, for a lost connection, it does channel after channel, each only after the
    /// callbacks running on the one before. False when the session is gone: its token is lost (see
    /// <see cref="IsLostSession"/>), or the channel or its connection is closed now — a delivery that starts then came on a
    /// session that was open before and is not any more (the first delivery of a session starting after the loss was
    /// reported, before the client shut the session down), so its token is recorded lost. A delivery admitted here is
    /// one of the current session: an outcome is still checked with <see cref="CanSettle"/>, for a loss since.
    /// </summary>
    /// <remarks>
    /// One case is not told: a session's first delivery whose callback starts only after RabbitMQ.Client has also
    /// recovered the channel (at least <c>NetworkRecoveryInterval</c> after the loss) and before it shut that session down.
    /// A delivery waits that long only behind running callbacks of its session — and those were admitted before the loss,
    /// so the session was recorded lost with them — or on a starved thread pool.
    /// </remarks>
    public bool Admit(CancellationToken session)
    {
        lock (_gate)
        {
            if (IsLostSession(session))
            {
                return false;
            }

            if (!Channel.IsOpen || !Connection.IsOpen)
            {
                Volatile.Write(ref _lostSessions, [.. Array.FindAll(_lostSessions, t => !t.IsCancellationRequested), session]);
                return false;
            }

            _lastSession = session;
            _sessionLive = true;
            return true;
        }
    }

    /// <summary>
    /// True when the outcome of a delivery admitted while <see cref="Losses"/> was <paramref name="losses"/>, on
    /// <paramref name="session"/>, may still be settled (or copied for a retry): the subscription is not retired, no loss
    /// came since, its session is not lost, and the channel and its connection are open — a closed channel gives every
    /// message not settled on it back to the broker, whether or not its notice has reached the consumer yet.
    /// </summary>
    public bool CanSettle(int losses, CancellationToken session) =>
        !LostSince(losses) && !IsLostSession(session) && Channel.IsOpen && Connection.IsOpen;

    /// <summary>
    /// True when <paramref name="session"/> (a callback's token) belongs to a channel session that is gone: RabbitMQ.Client
    /// shut it down, or it was current when this subscription was lost (RabbitMQ.Client may not have told it yet).
    /// </summary>
    public bool IsLostSession(CancellationToken session)
    {
        if (session.IsCancellationRequested)
        {
            return true;
        }

        foreach (var lost in Volatile.Read(ref _lostSessions))
        {
            if (lost == session)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Reports a loss to the consumer. Every loss that closed a channel session is recorded (its session token, the
    /// <see cref="Losses"/> count), also one reported before the consumer took the previous one; a further notice of the
    /// same loss (no delivery came on a new session and the consumer did not resume since) records nothing. A broker
    /// cancel, which leaves the channel open, records no lost session.
    /// </summary>
    public void ReportLoss(SubscriptionLoss loss)
    {
        if (_retired)
        {
            return;
        }

        lock (_gate)
        {
            if (loss.ChannelClosed && !_sessionLive)
            {
                // Another notice of the loss already recorded (the channel's after its connection's): no session came since.
                _lost.TrySetResult(loss);
                return;
            }

            if (loss.ChannelClosed)
            {
                _sessionLive = false;
                // The session deliveries came on so far is gone; sessions RabbitMQ.Client shut down since are told by their token.
                if (_lastSession.CanBeCanceled && !_lastSession.IsCancellationRequested && !IsLostSession(_lastSession))
                {
                    Volatile.Write(ref _lostSessions, [.. Array.FindAll(_lostSessions, t => !t.IsCancellationRequested), _lastSession]);
                }

                Interlocked.Increment(ref _losses);
            }

            _latest = loss;
            _reports++;
            if (_lost.TrySetResult(loss))
            {
                _reportsTaken = _reports;
            }
            else if (loss.ConnectionLost)
            {
                _connectionLossSince ??= loss;
            }
        }
    }

    /// <summary>
    /// After RabbitMQ.Client recovered the connection with this channel: watch for the next loss. <see cref="ResumeOutcome.StillClosed"/>
    /// when the channel is closed again (the loss taken is not over: nothing is reported again, the consumer waits on);
    /// <see cref="ResumeOutcome.LostAgain"/> with a loss recorded since the one the consumer took (a session that came and
    /// went meanwhile), which the consumer now takes; else <see cref="ResumeOutcome.Resumed"/>.
    /// </summary>
    public ResumeOutcome Resume(out SubscriptionLoss? again)
    {
        again = null;
        lock (_gate)
        {
            if (!_lost.Task.IsCompleted)
            {
                return ResumeOutcome.Resumed;
            }

            if (!Channel.IsOpen || !Connection.IsOpen)
            {
                return ResumeOutcome.StillClosed;
            }

            _connectionLossSince = null;
            if (_reports != _reportsTaken)
            {
                _reportsTaken = _reports;
                again = _latest;
                return ResumeOutcome.LostAgain;
            }

            // A new channel session: its loss is a new one, even before any delivery came on it.
            _lost = new TaskCompletionSource<SubscriptionLoss>(TaskCreationOptions.RunContinuationsAsynchronously);
            _sessionLive = true;
            return ResumeOutcome.Resumed;
        }
    }

    public void Retire() => _retired = true;

    /// <summary>Acks handled deliveries every few milliseconds, so acks never wait for a batch to fill.</summary>
    public void StartFlushing(Action<Exception> onError)
    {
        _flushLoop = Task.Run(async () =>
        {
            using var timer = new PeriodicTimer(FlushInterval);
            try
            {
                while (await timer.WaitForNextTickAsync(_flushStop.Token).ConfigureAwait(false))
                {
                    try
                    {
                        await Acks.FlushAsync().ConfigureAwait(false);
                    }
                    catch (Exception ex)
                    {
                        onError(ex);
                    }
                }
            }
            catch (OperationCanceledException)
            {
                // Stopped.
            }
        });
    }

    public async Task StopFlushingAsync()
    {
        await _flushStop.CancelAsync().ConfigureAwait(false);
        await _flushLoop.ConfigureAwait(false);
    }

    /// <summary>
    /// Closes the channel; RabbitMQ.Client waits for running delivery callbacks when closing, so at most
    /// <paramref name="wait"/>: the broker returns whatever was not settled to the queue either way.
    /// </summary>
    public async Task CloseAsync(TimeSpan wait)
    {
        Retire();
        await StopFlushingAsync().ConfigureAwait(false);
        using var timeout = new CancellationTokenSource(wait);
        if (Channel.IsOpen)
        {
            // Handled deliveries waiting for the next batch are acknowledged while the channel is open (after a broker
            // cancel it is): closing it first would give them back to the broker as unsettled.
            try
            {
                await Acks.FlushAsync(force: true).WaitAsync(timeout.Token).ConfigureAwait(false);
            }
            catch (Exception)
            {
                // Closed meanwhile: the broker returns them.
            }
        }

        try
        {
            if (Channel.IsOpen)
            {
                await Channel.CloseAsync(timeout.Token).ConfigureAwait(false);
            }
        }
        catch (Exception)
        {
            // Closed with its connection, or still waiting for handlers that ignore cancellation: gone for the broker.
        }

        try
        {
            await Channel.DisposeAsync().ConfigureAwait(false);
        }
        catch (Exception)
        {
            // Disposal of a channel that is already gone.
        }

        _flushStop.Dispose();
    }
}
