using System;
using System.Collections.Generic;
using System.Threading;

namespace Warren.Testing;

/// <summary>
/// A clock that moves only when told to: <see cref="Advance"/> by a span, or <see cref="AdvanceToNextTimer"/> to the
/// next timer that is due. Timers created on it (<c>Task.Delay(span, clock)</c>, a <c>CancellationTokenSource</c>
/// with a delay, the broker's message expiries) fire in due order as the clock passes them, on the thread that
/// advances it. The test harness advances it whenever the broker has nothing left to do, so a retry delayed by two
/// minutes runs at once, in the order real time would have run it.
/// </summary>
public sealed class VirtualClock : TimeProvider
{
    private readonly object _gate = new();
    private readonly List<VirtualTimer> _timers = [];
    private readonly SemaphoreSlim _advancing = new(1, 1);
    private DateTimeOffset _now;
    private long _sequence;

    /// <summary>A clock that starts at <paramref name="start"/> (the current UTC time when null).</summary>
    public VirtualClock(DateTimeOffset? start = null)
    {
        _now = start ?? DateTimeOffset.UtcNow;
    }

    /// <summary>Raised after the clock moved (with the new time), outside any lock.</summary>
    public event Action<DateTimeOffset>? Advanced;

    /// <summary>When the earliest pending one-shot timer is due; null when none is pending.</summary>
    public DateTimeOffset? NextDue
    {
        get
        {
            lock (_gate)
            {
                DateTimeOffset? next = null;
                foreach (var timer in _timers)
                {
                    if (timer.Period == Timeout.InfiniteTimeSpan && (next is null || timer.Due < next))
                    {
                        next = timer.Due;
                    }
                }

                return next;
            }
        }
    }

    /// <summary>How many timers are pending (periodic ones included).</summary>
    public int PendingTimers
    {
        get
        {
            lock (_gate)
            {
                return _timers.Count;
            }
        }
    }

    /// <inheritdoc/>
    public override DateTimeOffset GetUtcNow()
    {
        lock (_gate)
        {
            return _now;
        }
    }

    /// <inheritdoc/>
    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    /// <inheritdoc/>
    public override long GetTimestamp()
    {
        lock (_gate)
        {
            return _now.UtcTicks;
        }
    }

    /// <inheritdoc/>
    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        ArgumentNullException.ThrowIfNull(callback);
        var timer = new VirtualTimer(this, callback, state);
        timer.Change(dueTime, period);
        return timer;
    }

    /// <summary>Moves the clock forward by <paramref name="by"/>, firing every timer due on the way, in order.</summary>
    public void Advance(TimeSpan by)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(by, TimeSpan.Zero);
        AdvanceTo(GetUtcNow() + by);
    }

    /// <summary>
    /// Moves the clock to the earliest pending one-shot timer (not beyond <paramref name="limit"/>) and fires what is due
    /// then. Returns false, without moving, when no one-shot timer is pending before the limit.
    /// </summary>
    public bool AdvanceToNextTimer(DateTimeOffset? limit = null)
    {
        if (NextDue is not { } next || (limit is { } l && next > l))
        {
            return false;
        }

        AdvanceTo(next);
        return true;
    }

    /// <summary>Moves the clock to <paramref name="target"/> (never backwards), firing due timers in order.</summary>
    public void AdvanceTo(DateTimeOffset target)
    {
        _advancing.Wait();
        try
        {
            while (true)
            {
                VirtualTimer? due = null;
                lock (_gate)
                {
                    foreach (var timer in _timers)
                    {
                        if (timer.Due <= target && (due is null || timer.Due < due.Due || (timer.Due == due.Due && timer.Order < due.Order)))
                        {
                            due = timer;
                        }
                    }

                    if (due is null)
                    {
                        if (target > _now)
                        {
                            _now = target;
                        }

                        break;
                    }

                    if (due.Due > _now)
                    {
                        _now = due.Due;
                    }

                    if (due.Period == Timeout.InfiniteTimeSpan)
                    {
                        _timers.Remove(due);
                    }
                    else
                    {
                        due.Due = _now + (due.Period <= TimeSpan.Zero ? TimeSpan.FromTicks(1) : due.Period);
                        due.Order = ++_sequence;
                    }
                }

                due.Fire();
            }
        }
        finally
        {
            _advancing.Release();
        }

        Advanced?.Invoke(GetUtcNow());
    }

    private void Schedule(VirtualTimer timer, TimeSpan dueTime, TimeSpan period)
    {
        lock (_gate)
        {
            _timers.Remove(timer);
            if (dueTime == Timeout.InfiniteTimeSpan)
            {
                return;
            }

            timer.Due = _now + (dueTime < TimeSpan.Zero ? TimeSpan.Zero : dueTime);
            timer.Period = period;
            timer.Order = ++_sequence;
            _timers.Add(timer);
        }
    }

    private void Cancel(VirtualTimer timer)
    {
        lock (_gate)
        {
            _timers.Remove(timer);
        }
    }

    private sealed class VirtualTimer(VirtualClock clock, TimerCallback callback, object? state) : ITimer
    {
        public DateTimeOffset Due { get; set; }

        public TimeSpan Period { get; set; } = Timeout.InfiniteTimeSpan;

        public long Order { get; set; }

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            clock.Schedule(this, dueTime, period);
            return true;
        }

        public void Fire() => callback(state);

        public void Dispose() => clock.Cancel(this);

        public System.Threading.Tasks.ValueTask DisposeAsync()
        {
            clock.Cancel(this);
            return default;
        }
    }
}
