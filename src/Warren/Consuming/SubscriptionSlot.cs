using System.Threading;
using RabbitMQ.Client;

namespace Warren;

/// <summary>
/// A consumer's current subscription, the one being made, and whether a loss of the connection is logged and not yet
/// over: which subscription a lost connection is reported to, and when the consumer says it lost its connection
/// (ConsumerPaused) and that it is back (ConsumerResumed) — once per loss, also while it restarts.
/// </summary>
/// <remarks>
/// While the consumer restarts (between giving a subscription up and making its replacement current) there is no current
/// subscription: the subscription being made, if any, records a loss of the connection, and the loss is logged once — the
/// channel given up is retired and says nothing, and its own notice may come only after the recovery.
/// </remarks>
internal sealed class SubscriptionSlot
{
    private readonly object _gate = new();
    private Subscription? _current;
    private Subscription? _subscribing;
    private IConnection? _restartingOn;
    private bool _paused;
    private bool _pauseLoggedForCurrent;

    public Subscription? Current => Volatile.Read(ref _current);

    /// <summary>The first subscription, made at the start.</summary>
    public void Start(Subscription subscription)
    {
        lock (_gate)
        {
            Volatile.Write(ref _current, subscription);
        }
    }

    /// <summary>
    /// The connection was lost. Reported to the subscription on it (the current one, else the one being made). True when
    /// the caller logs the loss now (ConsumerPaused): the consumer is restarting on that connection and had not said so.
    /// </summary>
    public bool ConnectionLost(IConnection connection, SubscriptionLoss loss, bool stopping)
    {
        lock (_gate)
        {
            if (_current is { } subscription)
            {
                if (ReferenceEquals(subscription.Connection, connection))
                {
                    subscription.ReportLoss(loss);
                }

                return false;
            }

            if (_subscribing is { } making && ReferenceEquals(making.Connection, connection))
            {
                making.ReportLoss(loss);
            }

            if (!ReferenceEquals(_restartingOn, connection) || stopping || _paused)
            {
                return false;
            }

            _paused = true;
            return true;
        }
    }

    /// <summary>A subscription is being made: a loss of its connection from now on is its own, though it is not current yet.</summary>
    public void Subscribing(Subscription subscription)
    {
        lock (_gate)
        {
            _subscribing = subscription;
        }
    }

    public void SubscribingEnded(Subscription subscription)
    {
        lock (_gate)
        {
            if (ReferenceEquals(_subscribing, subscription))
            {
                _subscribing = null;
            }
        }
    }

    /// <summary>
    /// The consumer gives <paramref name="subscription"/> up to replace it. <paramref name="paused"/>: a loss of the
    /// connection was logged and is not over; the consumer says it is when the replacement subscribes.
    /// </summary>
    public void GiveUp(Subscription subscription, bool paused)
    {
        lock (_gate)
        {
            Volatile.Write(ref _current, null);
            _restartingOn = subscription.Connection;
            _paused = paused;
        }
    }

    /// <summary>
    /// Makes the replacement current. True when the caller logs that the consumer is back (ConsumerResumed): a loss
    /// logged while restarting is over — unless the replacement's own session was lost with it, which the supervisor
    /// takes next without logging it again (see <see cref="TakePauseLogged"/>).
    /// </summary>
    public bool Commit(Subscription subscription)
    {
        lock (_gate)
        {
            Volatile.Write(ref _current, subscription);
            _restartingOn = null;
            var resumed = _paused && !subscription.Lost.IsCompleted;
            _pauseLoggedForCurrent = _paused && !resumed;
            _paused = false;
            return resumed;
        }
    }

    /// <summary>True (once) when the loss the supervisor takes now was logged already, while the consumer restarted.</summary>
    public bool TakePauseLogged()
    {
        lock (_gate)
        {
            var logged = _pauseLoggedForCurrent;
            _pauseLoggedForCurrent = false;
            return logged;
        }
    }
}
