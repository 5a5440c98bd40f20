using System;
using Microsoft.Extensions.Logging;

namespace Warren;

/// <summary>
/// Bounds a consumer's failure logs: at most <c>limit</c> lines per window (the first ones with their stack trace);
/// the rest are counted and the count is logged when the next window opens (at the next failure) or the consumer
/// stops, with the time since the first suppressed line.
/// A message failing thousands of times a second cannot flood the log.
/// </summary>
internal sealed class FailureLogLimiter(string queue, ILogger logger, TimeProvider time, int limit = 10, TimeSpan? window = null)
{
    private readonly TimeSpan _window = window ?? TimeSpan.FromSeconds(10);
    private readonly object _gate = new();
    private long _windowStart = time.GetTimestamp();
    private int _written;
    private int _suppressed;
    private long _firstSuppressed;

    /// <summary>True when this failure may be logged; false when it is counted instead.</summary>
    public bool TryLog()
    {
        int suppressed;
        TimeSpan elapsed;
        lock (_gate)
        {
            var now = time.GetTimestamp();
            suppressed = 0;
            elapsed = TimeSpan.Zero;
            if (time.GetElapsedTime(_windowStart, now) >= _window)
            {
                (suppressed, elapsed) = TakeSuppressed(now);
                _windowStart = now;
                _written = 0;
            }

            if (_written >= limit)
            {
                if (_suppressed++ == 0)
                {
                    _firstSuppressed = now;
                }

                return false;
            }

            _written++;
        }

        if (suppressed > 0)
        {
            Log.FailuresSuppressed(logger, queue, suppressed, elapsed, limit, _window);
        }

        return true;
    }

    /// <summary>Logs the count of suppressed lines, if any (at stop).</summary>
    public void Flush()
    {
        int suppressed;
        TimeSpan elapsed;
        lock (_gate)
        {
            (suppressed, elapsed) = TakeSuppressed(time.GetTimestamp());
        }

        if (suppressed > 0)
        {
            Log.FailuresSuppressed(logger, queue, suppressed, elapsed, limit, _window);
        }
    }

    /// <summary>The suppressed lines counted so far and the time since the first of them, in whole seconds rounded up; resets the count.</summary>
    private (int Count, TimeSpan Elapsed) TakeSuppressed(long now)
    {
        var count = _suppressed;
        _suppressed = 0;
        if (count == 0)
        {
            return (0, TimeSpan.Zero);
        }

        var elapsed = time.GetElapsedTime(_firstSuppressed, now);
        return (count, TimeSpan.FromSeconds(Math.Max(1, Math.Ceiling(elapsed.TotalSeconds))));
    }
}
