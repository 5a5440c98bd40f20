using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using System.Threading;
using CsCheck;
using RabbitMQ.Client;
using Xunit;

namespace Warren.Tests.Consuming;

/// <summary>
/// The channel-session bookkeeping of a consumer (<see cref="Subscription"/>, <see cref="SubscriptionSlot"/>) under random
/// interleavings of deliveries, handler outcomes, broker cancels, connection losses, RabbitMQ.Client's late shutdown notices,
/// recoveries, resumes and restarts. The test plays RabbitMQ.Client and the broker (which channel session is open) and the
/// consumer's supervisor (the order of its steps in <c>QueueConsumer.SuperviseAsync</c>); the decisions are the real code's.
/// </summary>
public sealed class SessionStateMachineTests
{
    private const int Cases = 600;

    private enum Op
    {
        Deliver,
        Start,
        Finish,
        DropConnection,
        ShutdownNotice,
        Recover,
        BrokerCancel,
        CancelNotice,
        Supervise,
    }

    [Fact]
    public void Every_delivery_is_settled_at_most_once_never_on_a_lost_session_and_every_loss_is_logged_once()
    {
        var gen = Gen.Select(Gen.Int[0, 8], Gen.Int[0, 1000]).Array[1, 120];
        Property.ForAll(
            gen,
            Cases,
            ops => new Model().Run(ops.Select(o => ((Op)o.Item1, o.Item2)).ToArray()),
            ops => string.Join(" ", ops.Select(o => $"{(Op)o.Item1}:{o.Item2}")));
        Assert.Equal(Cases, Property.LastCount);
    }

    [Fact]
    public void A_connection_loss_while_the_consumer_restarts_is_logged_once_and_its_end_once()
    {
        // Broker cancel, taken (restart); the connection drops before the new subscription is made, and recovers.
        var model = new Model();
        model.Run([(Op.Deliver, 0), (Op.BrokerCancel, 0), (Op.CancelNotice, 0), (Op.Supervise, 0), (Op.DropConnection, 0), (Op.Supervise, 0), (Op.Recover, 0), (Op.Supervise, 0), (Op.Supervise, 0)]);
        Assert.Equal(["loss#1"], model.Paused);
        Assert.Equal(1, model.Resumed);
    }

    [Fact]
    public void A_resume_finding_the_channel_closed_again_logs_the_loss_once()
    {
        // The consumer takes the loss; the channel is recovered, then closed again before the consumer resumes.
        var model = new Model();
        model.Run([(Op.Deliver, 0), (Op.Start, 0), (Op.DropConnection, 0), (Op.Supervise, 0), (Op.Recover, 0), (Op.DropConnection, 0), (Op.Supervise, 0), (Op.Recover, 0), (Op.Supervise, 0)]);
        Assert.Equal(["loss#1"], model.Paused);
        Assert.Equal(1, model.Resumed);
    }

    [Fact]
    public void The_first_delivery_of_a_session_starting_after_its_loss_is_neither_settled_nor_copied()
    {
        var model = new Model();
        model.Run([(Op.Deliver, 0), (Op.DropConnection, 0), (Op.Start, 0), (Op.Recover, 0), (Op.Finish, 0), (Op.Supervise, 0), (Op.Supervise, 0)]);
        Assert.Equal(0, model.Settlements);
    }

    /// <summary>
    /// The broker and RabbitMQ.Client (one connection, channel sessions), the consumer's supervisor, and the checks.
    /// </summary>
    private sealed class Model
    {
        private readonly FakeConnection _connection = (FakeConnection)(object)DispatchProxy.Create<IConnection, FakeConnection>();
        private readonly SubscriptionSlot _slot = new();
        private readonly List<Session> _sessions = [];
        private readonly List<Sub> _subs = [];
        private readonly List<Delivery> _deliveries = [];
        private readonly List<Session> _cancels = [];
        private readonly List<int> _unlogged = [];
        private readonly List<string> _trace = [];
        private Supervisor _state = Supervisor.Running;
        private Sub? _subscribing;
        private Sub? _supervised;
        private bool _paused;
        // A loss of the connection the consumer must say (it was not already paused): from it to the next resumption,
        // at least one loss of this period is logged (several losses before the supervisor runs are one pause).
        private bool _outstanding;
        private int _periodStart;
        private bool _loggedInPeriod;
        private int _lossCount;

        public Model()
        {
            var first = NewSub();
            _slot.Subscribing(first.Subscription);
            _slot.SubscribingEnded(first.Subscription);
            _slot.Start(first.Subscription);
            _supervised = first;
        }

        private enum Supervisor
        {
            Running,
            Paused,
            Restarting,
        }

        public List<string> Paused { get; } = [];

        public int Resumed { get; private set; }

        public int Settlements { get; private set; }

        public void Run((Op Op, int Arg)[] ops)
        {
            foreach (var (op, arg) in ops)
            {
                Step(op, arg);
            }

            // Quiesce: every late notice arrives, the connection is back, the supervisor runs until it waits.
            foreach (var session in _sessions.Where(s => !s.NoticeDone && !s.Live).ToList())
            {
                Notice(session);
            }

            Step(Op.Recover, 0);
            for (var i = 0; i < 8; i++)
            {
                Step(Op.Supervise, 0);
            }

            var ids = Paused.Select(LossId).ToList();
            Check(ids.Distinct().Count() == ids.Count, "a loss was logged more than once: " + string.Join(", ", Paused));
            Check(_unlogged.Count == 0, "a loss was not logged: loss#" + string.Join(", loss#", _unlogged));
            Check(!_outstanding || _loggedInPeriod, $"a loss was not logged: loss#{_periodStart}");
            Check(Resumed <= Paused.Count, "more resumptions than losses logged");
        }

        private void Step(Op op, int arg)
        {
            _trace.Add($"{op}:{arg}");
            switch (op)
            {
                case Op.Deliver:
                    if ((Live(_slot.Current) ?? Live(_subscribing)) is { Cancelled: false } session)
                    {
                        _deliveries.Add(new Delivery(_deliveries.Count, session));
                    }

                    break;
                case Op.Start:
                    if (Pick(_deliveries.Where(d => d.State == DeliveryState.Queued && MayRun(d.Session)).ToList(), arg) is { } queued)
                    {
                        Start(queued);
                    }

                    break;
                case Op.Finish:
                    if (Pick(_deliveries.Where(d => d.State == DeliveryState.Running).ToList(), arg) is { } running)
                    {
                        Finish(running);
                    }

                    break;
                case Op.DropConnection:
                    Drop();
                    break;
                case Op.ShutdownNotice:
                    if (Pick(_sessions.Where(s => !s.Live && !s.NoticeDone).ToList(), arg) is { } lost)
                    {
                        Notice(lost);
                    }

                    break;
                case Op.Recover:
                    Recover();
                    break;
                case Op.BrokerCancel:
                    if (Live(_slot.Current) is { Cancelled: false } current)
                    {
                        current.Cancelled = true;
                        _cancels.Add(current);
                    }

                    break;
                case Op.CancelNotice:
                    if (Pick(_cancels.Where(MayRun).ToList(), arg) is { } cancelled)
                    {
                        _cancels.Remove(cancelled);
                        CancelNotice(cancelled);
                    }

                    break;
                default:
                    Supervise();
                    break;
            }
        }

        /// <summary>
        /// RabbitMQ.Client runs a queued callback (delivery, cancel) of a lost session before recovering its channel, or
        /// after shutting the session down, or behind a running callback of that session (admitted before the loss); a
        /// first callback of a session that waits past the recovery with no callback of its session running (a starved
        /// thread pool) is the case <see cref="Subscription.Admit"/> documents as not told, and is not played.
        /// </summary>
        private static bool MayRun(Session session) =>
            session.Live || !session.Owner.Channel.Open || session.Token.IsCancellationRequested || session.Noted || session.Owner.Subscription.IsRetired;

        private void Start(Delivery delivery)
        {
            var subscription = delivery.Session.Owner.Subscription;
            if (subscription.IsRetired)
            {
                delivery.State = DeliveryState.Done;
                return;
            }

            delivery.Losses = subscription.Losses;
            if (!subscription.Admit(delivery.Session.Token.Token))
            {
                Check(!delivery.Session.Live, $"delivery {delivery.Id} of the live session was not admitted: it would be acknowledged unhandled");
                delivery.State = DeliveryState.Done;
                return;
            }

            if (delivery.Session.Live)
            {
                delivery.Session.Noted = true;
            }

            delivery.State = DeliveryState.Running;
        }

        private void Finish(Delivery delivery)
        {
            delivery.State = DeliveryState.Done;
            if (delivery.Session.Owner.Subscription.CanSettle(delivery.Losses, delivery.Session.Token.Token))
            {
                Check(delivery.Session.Live, $"delivery {delivery.Id} was settled (or copied) on a lost session");
                Check(delivery.Settlements == 0, $"delivery {delivery.Id} was settled twice");
                delivery.Settlements++;
                Settlements++;
            }
            else
            {
                Check(!delivery.Session.Live, $"the outcome of delivery {delivery.Id} was dropped on its live session: it would stay unsettled");
            }
        }

        private void Drop()
        {
            if (!_connection.Open)
            {
                return;
            }

            _connection.Open = false;
            var k = ++_lossCount;
            foreach (var session in _sessions.Where(s => s.Live))
            {
                session.Live = false;
                session.LossId = k;
                session.Owner.Channel.Open = false;
            }

            if (!_outstanding)
            {
                _outstanding = true;
                _periodStart = k;
                _loggedInPeriod = false;
            }

            if (_slot.ConnectionLost(_connection.Proxy, new SubscriptionLoss($"loss#{k}", ConnectionLost: true), stopping: false))
            {
                LogPaused($"loss#{k}");
            }
        }

        /// <summary>RabbitMQ.Client shuts a session down: its token is cancelled, then the channel's shutdown handler runs.</summary>
        private void Notice(Session session)
        {
            session.NoticeDone = true;
            session.Token.Cancel();
            if (session.LossId > 0 && !session.Owner.Channel.Open)
            {
                session.Owner.Subscription.ReportLoss(new SubscriptionLoss($"loss#{session.LossId} (the channel's notice)", ConnectionLost: !_connection.Open));
            }
        }

        private void Recover()
        {
            if (_connection.Open)
            {
                return;
            }

            _connection.Open = true;
            foreach (var sub in new[] { _slot.Current, _subscribing?.Subscription }.OfType<Subscription>().Distinct().Select(s => Owner(s)))
            {
                sub.Channel.Open = true;
                NewSession(sub);
            }
        }

        private void CancelNotice(Session session)
        {
            var subscription = session.Owner.Subscription;
            if (!subscription.Admit(session.Token.Token))
            {
                Check(!session.Live, "the cancel of the live session was taken for a stale one");
            }
            else
            {
                Check(session.Live, "the cancel of a lost session was taken for the current subscription's");
                subscription.ReportLoss(new SubscriptionLoss("the broker cancelled the subscription", ConnectionLost: false, ChannelClosed: false));
            }
        }

        /// <summary>One step of QueueConsumer.SuperviseAsync, in its order.</summary>
        private void Supervise()
        {
            switch (_state)
            {
                case Supervisor.Running:
                    if (_slot.Current is not { } current || !current.Lost.IsCompleted)
                    {
                        return;
                    }

                    _supervised = Owner(current);
                    var loss = current.Lost.Result;
                    _paused = false;
                    if (loss.ConnectionLost)
                    {
                        if (!_slot.TakePauseLogged())
                        {
                            LogPaused(loss.Cause);
                        }

                        _paused = true;
                        _state = Supervisor.Paused;
                        return;
                    }

                    if (_slot.TakePauseLogged())
                    {
                        _paused = true;
                    }
                    else if (current.ConnectionLossSinceTaken is { } latest)
                    {
                        LogPaused(latest.Cause);
                        _paused = true;
                    }

                    GiveUp(_supervised);
                    return;
                case Supervisor.Paused:
                    var paused = _supervised!;
                    if (!_connection.Open || !paused.Channel.Open)
                    {
                        return;
                    }

                    switch (paused.Subscription.Resume(out var again))
                    {
                        case ResumeOutcome.Resumed:
                            LogResumed();
                            _state = Supervisor.Running;
                            break;
                        case ResumeOutcome.LostAgain when again!.ConnectionLost:
                            LogPaused(again.Cause);
                            break;
                        case ResumeOutcome.LostAgain:
                            GiveUp(paused);
                            break;
                    }

                    return;
                default:
                    if (!_connection.Open)
                    {
                        return;
                    }

                    if (_subscribing is null)
                    {
                        _subscribing = NewSub();
                        _slot.Subscribing(_subscribing.Subscription);
                        return;
                    }

                    var made = _subscribing;
                    _slot.SubscribingEnded(made.Subscription);
                    _subscribing = null;
                    if (_slot.Commit(made.Subscription))
                    {
                        LogResumed();
                    }

                    _state = Supervisor.Running;
                    return;
            }
        }

        private void GiveUp(Sub sub)
        {
            _slot.GiveUp(sub.Subscription, _paused);
            sub.Subscription.Retire();
            sub.Channel.Open = false;
            foreach (var session in _sessions.Where(s => s.Owner == sub && s.Live))
            {
                // Closed by the consumer: the broker takes its unsettled messages back; its notice reports nothing.
                session.Live = false;
                session.NoticeDone = true;
                session.Token.Cancel();
            }

            _state = Supervisor.Restarting;
        }

        private void LogPaused(string cause)
        {
            _trace.Add($"[71 {cause}]");
            Paused.Add(cause);
            if (_outstanding && LossId(cause) >= _periodStart)
            {
                _loggedInPeriod = true;
            }
        }

        private void LogResumed()
        {
            _trace.Add("[72]");
            Resumed++;
            if (_outstanding && !_loggedInPeriod)
            {
                _unlogged.Add(_periodStart);
            }

            _outstanding = false;
        }

        private Sub NewSub()
        {
            var channel = (FakeChannel)(object)DispatchProxy.Create<IChannel, FakeChannel>();
            channel.Open = _connection.Open;
            var subscription = new Subscription(_connection.Proxy, channel.Proxy, new AckTracker(new FakeBroker(), 10, TimeProvider.System, TimeSpan.FromSeconds(1)), DateTimeOffset.UtcNow);
            var sub = new Sub(subscription, channel);
            _subs.Add(sub);
            if (channel.Open)
            {
                NewSession(sub);
            }

            return sub;
        }

        private Sub Owner(Subscription subscription) => _subs.Single(s => s.Subscription == subscription);

        private void NewSession(Sub sub)
        {
            var session = new Session(sub) { Live = true };
            _sessions.Add(session);
            sub.Current = session;
        }

        private Session? Live(Subscription? subscription) =>
            subscription is null ? null : Owner(subscription).Current is { Live: true } session ? session : null;

        private Session? Live(Sub? sub) => sub is null ? null : Live(sub.Subscription);

        private static T? Pick<T>(List<T> items, int arg)
            where T : class => items.Count == 0 ? null : items[arg % items.Count];

        private static int LossId(string cause) =>
            System.Text.RegularExpressions.Regex.Match(cause, @"^loss#(\d+)") is { Success: true } match ? int.Parse(match.Groups[1].Value, provider: null) : throw new InvalidOperationException("not a loss: " + cause);

        private void Check(bool condition, string what)
        {
            if (!condition)
            {
                throw new InvalidOperationException($"{what}{Environment.NewLine}trace: {string.Join(" ", _trace)}");
            }
        }
    }

    private sealed class Sub(Subscription subscription, FakeChannel channel)
    {
        public Subscription Subscription { get; } = subscription;

        public FakeChannel Channel { get; } = channel;

        public Session? Current { get; set; }
    }

    private sealed class Session(Sub owner)
    {
        public Sub Owner { get; } = owner;

        public CancellationTokenSource Token { get; } = new();

        public bool Live { get; set; }

        /// <summary>A delivery of it was admitted while it was live.</summary>
        public bool Noted { get; set; }

        public bool Cancelled { get; set; }

        public int LossId { get; set; }

        public bool NoticeDone { get; set; }
    }

    private enum DeliveryState
    {
        Queued,
        Running,
        Done,
    }

    private sealed class Delivery(int id, Session session)
    {
        public int Id { get; } = id;

        public Session Session { get; } = session;

        public DeliveryState State { get; set; }

        public int Losses { get; set; }

        public int Settlements { get; set; }
    }

    /// <summary>A channel whose only state is whether it is open.</summary>
    public class FakeChannel : DispatchProxy
    {
        public bool Open { get; set; } = true;

        internal IChannel Proxy => (IChannel)(object)this;

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args) =>
            targetMethod?.Name == "get_IsOpen" ? Open : throw new NotSupportedException(targetMethod?.Name);
    }

    /// <summary>A connection with no known endpoint whose only state is whether it is open.</summary>
    public class FakeConnection : DispatchProxy
    {
        public bool Open { get; set; } = true;

        internal IConnection Proxy => (IConnection)(object)this;

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args) => targetMethod?.Name switch
        {
            "get_Endpoint" => null,
            "get_IsOpen" => Open,
            _ => throw new NotSupportedException(targetMethod?.Name),
        };
    }
}
