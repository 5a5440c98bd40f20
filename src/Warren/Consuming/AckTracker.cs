using System;
using System.Collections.Generic;
using System.IO;
using System.Threading;
using System.Threading.Tasks;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace Warren;

/// <summary>Sends acknowledgements for one consumer channel (the real channel, or a fake in tests).</summary>
internal interface IDeliverySettler
{
    ValueTask AckAsync(ulong deliveryTag, bool multiple);

    ValueTask NackAsync(ulong deliveryTag, bool requeue);
}

/// <summary>The consumer channel as an <see cref="IDeliverySettler"/>.</summary>
internal sealed class ChannelSettler(IChannel channel) : IDeliverySettler
{
    public ValueTask AckAsync(ulong deliveryTag, bool multiple) => channel.BasicAckAsync(deliveryTag, multiple);

    public ValueTask NackAsync(ulong deliveryTag, bool requeue) => channel.BasicNackAsync(deliveryTag, multiple: false, requeue);
}

/// <summary>
/// The acknowledgement bookkeeping of one consumer channel. Delivery tags on a channel are consecutive; each is
/// <see cref="Begin">begun</see> when its callback starts and ends handled (<see cref="Complete"/>, to be acked) or
/// rejected (<see cref="RejectAsync"/>, sent at once). Handled tags are acked with one <c>multiple</c> ack up to the
/// highest tag below which every tag is handled or already settled — so a multiple ack never covers a delivery still
/// being handled, one not yet seen, or one being rejected, and never names a settled tag (the broker's 406). A tag
/// that blocks the watermark (a slow handler) does not block the others: once it has blocked handled tags for
/// <c>stallDelay</c>, or they fill half the prefetch window, those are acked one by one. All sends are serialized, so
/// a multiple ack computed after a rejection is sent after it.
/// </summary>
internal sealed class AckTracker
{
    private enum State : byte
    {
        InFlight,
        Handled,
        Rejecting,
        Settled,
    }

    private readonly IDeliverySettler _settler;
    private readonly TimeProvider _time;
    private readonly TimeSpan _stallDelay;
    private readonly int _threshold;
    private readonly int _stallCount;
    private readonly object _gate = new();
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private readonly Dictionary<ulong, State> _states = [];
    private ulong _floor;
    private int _pending;
    private ulong _blocker;
    private long _blockedSince;

    public AckTracker(IDeliverySettler settler, ushort prefetch, TimeProvider time, TimeSpan stallDelay)
    {
        _settler = settler;
        _time = time;
        _stallDelay = stallDelay;
        _threshold = Math.Max(1, prefetch / 4);
        _stallCount = Math.Max(_threshold, prefetch / 2);
    }

    /// <summary>Handled deliveries waiting for their ack.</summary>
    public int Pending
    {
        get
        {
            lock (_gate)
            {
                return _pending;
            }
        }
    }

    /// <summary>A delivery's callback started: no multiple ack covers it until it is settled.</summary>
    public void Begin(ulong deliveryTag)
    {
        lock (_gate)
        {
            if (deliveryTag > _floor)
            {
                _states[deliveryTag] = State.InFlight;
            }
        }
    }

    /// <summary>A delivery was handled: it is acked with the next flush. True when enough are waiting to flush now.</summary>
    public bool Complete(ulong deliveryTag)
    {
        lock (_gate)
        {
            if (deliveryTag <= _floor || !_states.TryGetValue(deliveryTag, out var state) || state != State.InFlight)
            {
                return false;
            }

            _states[deliveryTag] = State.Handled;
            return ++_pending >= _threshold;
        }
    }

    /// <summary>Rejects a delivery now, with or without requeue. Throws what the channel throws; the tag is settled either way.</summary>
    public async Task RejectAsync(ulong deliveryTag, bool requeue)
    {
        lock (_gate)
        {
            if (deliveryTag <= _floor || !_states.TryGetValue(deliveryTag, out var state) || state != State.InFlight)
            {
                return;
            }

            _states[deliveryTag] = State.Rejecting;
        }

        await _sendLock.WaitAsync().ConfigureAwait(false);
        try
        {
            await _settler.NackAsync(deliveryTag, requeue).ConfigureAwait(false);
        }
        finally
        {
            lock (_gate)
            {
                _states[deliveryTag] = State.Settled;
            }

            _sendLock.Release();
        }
    }

    /// <summary>
    /// Acks what can be acked: one multiple ack for the settled prefix, single acks above a tag that has blocked for
    /// the stall delay (or always, with <paramref name="force"/>). Sends that fail because the channel is gone are
    /// dropped: the broker requeues what a closed channel had not settled. Returns how many deliveries were acked.
    /// </summary>
    public async Task<int> FlushAsync(bool force = false)
    {
        lock (_gate)
        {
            if (_pending == 0)
            {
                return 0;
            }
        }

        await _sendLock.WaitAsync().ConfigureAwait(false);
        try
        {
            var (multipleTo, singles) = Collect(force);
            var acked = 0;
            if (multipleTo > 0)
            {
                acked += await SendAsync(multipleTo, multiple: true).ConfigureAwait(false);
            }

            if (singles is not null)
            {
                foreach (var tag in singles)
                {
                    acked += await SendAsync(tag, multiple: false).ConfigureAwait(false);
                }
            }

            return acked;
        }
        finally
        {
            _sendLock.Release();
        }
    }

    private (ulong MultipleTo, List<ulong>? Singles) Collect(bool force)
    {
        lock (_gate)
        {
            var tag = _floor + 1;
            ulong multipleTo = 0;
            while (_states.TryGetValue(tag, out var state) && state is State.Handled or State.Settled)
            {
                if (state == State.Handled)
                {
                    multipleTo = tag;
                    _pending--;
                }

                _states.Remove(tag);
                tag++;
            }

            _floor = tag - 1;
            if (_pending == 0)
            {
                _blocker = 0;
                return (multipleTo, null);
            }

            // Handled deliveries above a tag that is still running, being rejected, or not yet seen.
            var now = _time.GetTimestamp();
            if (_blocker != tag)
            {
                _blocker = tag;
                _blockedSince = now;
            }

            if (!force && _pending < _stallCount && _time.GetElapsedTime(_blockedSince, now) < _stallDelay)
            {
                return (multipleTo, null);
            }

            var singles = new List<ulong>(_pending);
            foreach (var (t, state) in _states)
            {
                if (state == State.Handled)
                {
                    singles.Add(t);
                }
            }

            foreach (var t in singles)
            {
                _states[t] = State.Settled;
            }

            _pending = 0;
            singles.Sort();
            return (multipleTo, singles);
        }
    }

    private async ValueTask<int> SendAsync(ulong tag, bool multiple)
    {
        try
        {
            await _settler.AckAsync(tag, multiple).ConfigureAwait(false);
            return 1;
        }
        catch (Exception ex) when (ex is OperationInterruptedException or IOException or ObjectDisposedException)
        {
            return 0;
        }
    }
}
