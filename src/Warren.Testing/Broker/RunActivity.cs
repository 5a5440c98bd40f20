using System.Collections.Generic;
using System.Threading;

namespace Warren.Testing;

/// <summary>
/// Tells whether code of one broker's application is running, so that the test harness's stall time counts only the
/// time its own run does nothing, however busy the rest of the process is (other test classes run in parallel). The
/// harness's action and every callback the broker dispatches run with this object in an <see cref="AsyncLocal{T}"/>,
/// which flows to everything they start and await; the value's change callback, fired when a thread starts or stops
/// running code whose execution context carries it, counts the threads running that code and the times one started.
/// A thread blocked in a wait (<c>.Wait()</c> on a task of the virtual clock) is counted as waiting, not working.
/// </summary>
internal sealed class RunActivity
{
    private static readonly AsyncLocal<RunActivity?> Current = new(static args =>
    {
        // Runs on every switch of a thread to or from a context carrying a value: kept to a list update under a lock.
        args.PreviousValue?.Leave();
        args.CurrentValue?.Enter();
    });

    private readonly object _gate = new();
    private readonly List<Thread> _threads = [];
    private long _entries;

    /// <summary>How many times a thread started running this application's code (a continuation resumed, a callback began).</summary>
    public long Entries => Interlocked.Read(ref _entries);

    /// <summary>True while a thread runs this application's code and is not blocked in a wait.</summary>
    public bool IsWorking
    {
        get
        {
            lock (_gate)
            {
                foreach (var thread in _threads)
                {
                    if ((thread.ThreadState & ThreadState.WaitSleepJoin) == 0)
                    {
                        return true;
                    }
                }

                return false;
            }
        }
    }

    /// <summary>Threads running this application's code now, blocked ones included.</summary>
    public int Threads
    {
        get
        {
            lock (_gate)
            {
                return _threads.Count;
            }
        }
    }

    /// <summary>Marks the code that runs from here on in the current execution context (and all it starts) as this application's.</summary>
    public void Join() => Current.Value = this;

    private void Enter()
    {
        var thread = Thread.CurrentThread;
        lock (_gate)
        {
            _threads.Add(thread);
        }

        Interlocked.Increment(ref _entries);
    }

    private void Leave()
    {
        var thread = Thread.CurrentThread;
        lock (_gate)
        {
            // The most recent entry first: a thread is in the list at most once per activity.
            var at = _threads.LastIndexOf(thread);
            if (at >= 0)
            {
                _threads.RemoveAt(at);
            }
        }
    }
}
