using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;

namespace Warren.Tests.Consuming;

/// <summary>
/// The broker's side of one consumer channel, for acknowledgement bookkeeping tests: it knows which deliveries are
/// unsettled and what the application did with each, and fails like the broker (406 unknown delivery tag) — and more
/// strictly, on any multiple ack that covers a delivery the application has not handled.
/// </summary>
internal sealed class FakeBroker : IDeliverySettler
{
    private readonly object _gate = new();
    private readonly SortedSet<ulong> _unsettled = [];
    private readonly HashSet<ulong> _handled = [];
    private readonly HashSet<ulong> _rejected = [];
    private readonly Dictionary<ulong, int> _settlements = [];

    public ulong Delivered { get; private set; }

    /// <summary>Runs after each ack or nack has reached the broker, before the send completes (a slow socket).</summary>
    public Func<Task>? AfterSend { get; init; }

    public int MultipleAcks { get; private set; }

    public int SingleAcks { get; private set; }

    public int Unsettled
    {
        get
        {
            lock (_gate)
            {
                return _unsettled.Count;
            }
        }
    }

    /// <summary>Handled by the application but not yet acknowledged to the broker.</summary>
    public int HandledUnacked
    {
        get
        {
            lock (_gate)
            {
                return _unsettled.Count(_handled.Contains);
            }
        }
    }

    public ulong Deliver()
    {
        lock (_gate)
        {
            var tag = ++Delivered;
            _unsettled.Add(tag);
            return tag;
        }
    }

    /// <summary>The application finished handling the delivery successfully (before telling the tracker).</summary>
    public void MarkHandled(ulong tag)
    {
        lock (_gate)
        {
            _handled.Add(tag);
        }
    }

    /// <summary>The application decided to reject the delivery (before telling the tracker).</summary>
    public void MarkRejected(ulong tag)
    {
        lock (_gate)
        {
            _rejected.Add(tag);
        }
    }

    public ValueTask AckAsync(ulong deliveryTag, bool multiple)
    {
        lock (_gate)
        {
            if (!_unsettled.Contains(deliveryTag))
            {
                throw new InvalidOperationException($"406 PRECONDITION_FAILED: ack{(multiple ? " multiple" : string.Empty)} names unknown delivery tag {deliveryTag} (never delivered or already settled).");
            }

            var covered = multiple ? _unsettled.GetViewBetween(1, deliveryTag).ToList() : [deliveryTag];
            foreach (var tag in covered)
            {
                if (!_handled.Contains(tag))
                {
                    var what = _rejected.Contains(tag) ? "being rejected" : "not handled yet";
                    throw new InvalidOperationException($"ack{(multiple ? " multiple" : string.Empty)} {deliveryTag} covers delivery {tag}, which is {what}.");
                }

                Settle(tag);
            }

            if (multiple)
            {
                MultipleAcks++;
            }
            else
            {
                SingleAcks++;
            }
        }

        return AfterSend is { } after ? new ValueTask(after()) : ValueTask.CompletedTask;
    }

    public ValueTask NackAsync(ulong deliveryTag, bool requeue)
    {
        lock (_gate)
        {
            if (!_unsettled.Contains(deliveryTag))
            {
                throw new InvalidOperationException($"406 PRECONDITION_FAILED: nack names unknown delivery tag {deliveryTag} (never delivered or already settled).");
            }

            if (!_rejected.Contains(deliveryTag))
            {
                throw new InvalidOperationException($"nack {deliveryTag} for a delivery the application did not reject.");
            }

            Settle(deliveryTag);
        }

        return AfterSend is { } after ? new ValueTask(after()) : ValueTask.CompletedTask;
    }

    /// <summary>Every delivered tag settled exactly once, and nothing left unsettled.</summary>
    public void AssertAllSettledOnce()
    {
        lock (_gate)
        {
            if (_unsettled.Count > 0)
            {
                throw new InvalidOperationException($"Unsettled deliveries left: {string.Join(", ", _unsettled)}.");
            }

            for (ulong tag = 1; tag <= Delivered; tag++)
            {
                var count = _settlements.GetValueOrDefault(tag);
                if (count != 1)
                {
                    throw new InvalidOperationException($"Delivery {tag} was settled {count} times.");
                }
            }
        }
    }

    private void Settle(ulong tag)
    {
        _unsettled.Remove(tag);
        _settlements[tag] = _settlements.GetValueOrDefault(tag) + 1;
    }
}

/// <summary>A clock moved by the test.</summary>
internal sealed class ManualTime : TimeProvider
{
    private long _ticks;

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override long GetTimestamp() => _ticks;

    public void Advance(TimeSpan by) => _ticks += by.Ticks;
}
