using System;
using System.Diagnostics;
using System.Threading;
using System.Threading.Tasks;

namespace Warren;

/// <summary>
/// Watches one handler call that has a <c>HandlerTimeout</c>: when its timeout token fires and the handler has not
/// returned within <see cref="GraceFor"/>, it is reported once as running past its timeout (a warning, the consumer's
/// status and the <c>warren.consumer.handlers_past_timeout</c> metric) until it returns. Nothing runs unless the
/// timeout fires: the watch waits on the timeout's own token (one registration), and only a fired timeout starts the
/// grace delay.
/// </summary>
internal sealed class HandlerOverrunWatch
{
    /// <summary>The shortest grace: a handler that stops at its token (cleanup, a rollback, a loaded machine) is not reported as hung.</summary>
    internal static readonly TimeSpan MinGrace = TimeSpan.FromSeconds(1);

    /// <summary>The longest grace: after a long timeout the report does not wait as long again.</summary>
    internal static readonly TimeSpan MaxGrace = TimeSpan.FromSeconds(5);

    private readonly Lock _gate = new();
    private readonly Func<TimeSpan, bool> _report;
    private readonly CancellationToken _stopping;
    private readonly TimeSpan _grace;
    private long _firedAt;
    private bool _reported;
    private bool _returned;
    private bool _abandoned;

    /// <param name="timeout">The handler's timeout.</param>
    /// <param name="stopping">Fires when the consumer stops: its timeout token then fires too, and the stop reports its own handlers.</param>
    /// <param name="report">
    /// Called at most once, with how long the handler has run past its timeout, when it is still running after the grace;
    /// returns false when the handler is given up at once instead of counted (its channel is already gone).
    /// </param>
    public HandlerOverrunWatch(TimeSpan timeout, CancellationToken stopping, Func<TimeSpan, bool> report)
    {
        _grace = GraceFor(timeout);
        _stopping = stopping;
        _report = report;
    }

    /// <summary>How long after its timeout fired a handler that has not returned is reported: the timeout itself, at least <see cref="MinGrace"/>, at most <see cref="MaxGrace"/>.</summary>
    internal static TimeSpan GraceFor(TimeSpan timeout) => timeout < MinGrace ? MinGrace : timeout > MaxGrace ? MaxGrace : timeout;

    /// <summary>The timeout token fired: report the handler if it is still running after the grace.</summary>
    public void TimedOut()
    {
        if (_stopping.IsCancellationRequested)
        {
            return;
        }

        _firedAt = Stopwatch.GetTimestamp();
        _ = ReportAfterGraceAsync();
    }

    /// <summary>
    /// True once the handler was given up while reported (its channel closed, or the consumer stopped, before it
    /// returned): it is no longer counted, and its message went back to the queue with its channel.
    /// </summary>
    public bool Abandoned
    {
        get
        {
            lock (_gate)
            {
                return _abandoned;
            }
        }
    }

    /// <summary>The handler returned; true when it was still counted as reported (the caller then clears what the report counted).</summary>
    public bool Return()
    {
        // Uncontended unless the report runs at this very moment: the report and the return are each other's only rivals.
        lock (_gate)
        {
            _returned = true;
            return _reported && !_abandoned;
        }
    }

    /// <summary>
    /// Gives up a reported handler that has not returned (its channel is gone): true when it was counted, and the
    /// caller then clears the count; from then on <see cref="Return"/> returns false.
    /// </summary>
    public bool Abandon()
    {
        lock (_gate)
        {
            if (!_reported || _returned || _abandoned)
            {
                return false;
            }

            _abandoned = true;
            return true;
        }
    }

    private async Task ReportAfterGraceAsync()
    {
        await Task.Delay(_grace).ConfigureAwait(false);
        lock (_gate)
        {
            // Counted and logged under the lock, so a handler returning now is uncounted only after it was counted.
            if (_returned || _stopping.IsCancellationRequested)
            {
                return;
            }

            _reported = true;
            _abandoned = !_report(Stopwatch.GetElapsedTime(_firedAt));
        }
    }
}
