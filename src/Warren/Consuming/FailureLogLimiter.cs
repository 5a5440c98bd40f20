using System;
using Microsoft.Extensions.Logging;

namespace Warren;

/// <summary>
/// Bounds a consumer's failure logs: at most <c>limit</c> lines per window (the first ones with their stack trace);
/// the rest are counted and the count is logged when the next window opens or the consumer stops. A message failing
/// thousands of times a second cannot flood the log.
/// </summary>
internal sealed class FailureLogLimiter(string queue, ILogger logger, TimeProvider time, int limit = 10, TimeSpan? window = null)
{
    private readonly TimeSpan _window = window ?? TimeSpan.FromSeconds(10);
    private readonly object _gate = new();
    private long _windowStart = time.GetTimestamp();
    private int _written;
    private int _suppressed;

    /// <summary>True when this failure may be logged; false when it is counted instead.</summary>
    public bool TryLog()
    {
        int suppressed;
        lock (_gate)
        {
            var now = time.GetTimestamp();
            suppressed = 0;
            if (time.GetElapsedTime(_windowStart, now) >= _window)
            {
                suppressed = _suppressed;
                _windowStart = now;
                _written = 0;
                _suppressed = 0;
            }

            if (_written >= limit)
            {
                _suppressed++;
                return false;
            }

            _written++;
        }

        if (suppressed > 0)
        {
            Log.FailuresSuppressed(logger, queue, suppressed, _window, limit);
        }

        return true;
    }

    /// <summary>Logs the count of suppressed lines, if any (at stop).</summary>
    public void Flush()
    {
        int suppressed;
        lock (_gate)
        {
            suppressed = _suppressed;
            _suppressed = 0;
        }

        if (suppressed > 0)
        {
            Log.FailuresSuppressed(logger, queue, suppressed, _window, limit);
        }
    }
}
