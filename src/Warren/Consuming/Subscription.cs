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
    /// Notes the channel session a delivery came on: RabbitMQ.Client passes each callback the cancellation token of its
    /// session's dispatcher, one per session (a channel it recovers gets a new one), cancelled when it shuts that session
    /// down — which, for a lost connection, it does channel after channel, each only after the callbacks running on it.
    /// A token already lost is not noted: a late delivery of a lost session must not stand for the current one.
    /// </summary>
    public void NoteSession(CancellationToken session)
    {
        if (_lastSession == session)
        {
            return;
        }

        lock (_gate)
        {
            if (!IsLostSession(session))
            {
                _lastSession = session;
                _sessionLive = true;
            }
        }
    }

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
        }
    }

    /// <summary>
    /// After RabbitMQ.Client recovered the connection with this channel: watch for the next loss. A loss reported since the
    /// one the consumer took, or a channel closed again, is reported again at once.
    /// </summary>
    public void Resume()
    {
        lock (_gate)
        {
            if (!_lost.Task.IsCompleted)
            {
                return;
            }

            _lost = new TaskCompletionSource<SubscriptionLoss>(TaskCreationOptions.RunContinuationsAsynchronously);
            if (Channel.IsOpen)
            {
                // A new channel session: its loss is a new one, even before any delivery came on it.
                _sessionLive = true;
            }

            if (_latest is { } latest && (_reports != _reportsTaken || !Channel.IsOpen))
            {
                _lost.TrySetResult(latest);
                _reportsTaken = _reports;
            }
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
