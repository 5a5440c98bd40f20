using System;
using System.Threading;
using System.Threading.Tasks;

namespace Warren;

/// <summary>How the application starts when the broker cannot be reached (<c>Warren:StartMode</c>).</summary>
public enum WarrenStartMode
{
    /// <summary>
    /// The default. Starting the host connects, declares the topology and subscribes every consumer before the host's
    /// next hosted service starts; if the broker cannot be reached within <see cref="WarrenOptions.ConnectTimeout"/> (or
    /// refuses the credentials or the TLS certificate) the host fails to start. A service that is up is connected.
    /// </summary>
    FailFast,

    /// <summary>
    /// Starting the host returns at once; Warren connects in the background, retrying with back-off (up to 30 s apart)
    /// for as long as the application runs, then declares the topology and starts the consumers. Publishes made before
    /// that wait for it within <see cref="WarrenOptions.PublishTimeout"/>. <see cref="WarrenStartup"/> tells where it is.
    /// For orchestrators where the broker may come up after the application.
    /// </summary>
    Background,
}

/// <summary>Where Warren's start is.</summary>
public enum WarrenStartupState
{
    /// <summary>The host has not started Warren yet.</summary>
    NotStarted,

    /// <summary>Connecting, declaring the topology and starting consumers (in the background: retrying until the broker answers).</summary>
    Starting,

    /// <summary>Connected, topology declared, every consumer subscribed.</summary>
    Ready,

    /// <summary>The host stopped Warren.</summary>
    Stopped,
}

/// <summary>
/// Warren's start-up state, for health checks and for code that must wait for the broker (registered by <c>AddWarren</c>;
/// inject it). With <see cref="WarrenStartMode.Background"/> it is where the host's start no longer waits.
/// </summary>
public sealed class WarrenStartup
{
    private readonly Lock _gate = new();
    private readonly TimeProvider _clock;
    private TaskCompletionSource _ready = NewSource();
    private bool _gating;
    private (string Step, DateTimeOffset At)? _lastProgress;
    private string? _step;
    private (string Error, DateTimeOffset At, string? Step)? _lastFailure;

    /// <summary>Creates the start-up state (<c>AddWarren</c> registers one; inject it rather than creating your own).</summary>
    public WarrenStartup()
        : this(TimeProvider.System)
    {
    }

    /// <summary>With the clock of its timestamps (tests).</summary>
    internal WarrenStartup(TimeProvider clock)
    {
        _clock = clock;
    }

    /// <summary>Where the start is.</summary>
    public WarrenStartupState State { get; private set; } = WarrenStartupState.NotStarted;

    /// <summary>True once connected, with the topology declared and every consumer subscribed.</summary>
    public bool IsReady => State == WarrenStartupState.Ready;

    /// <summary>Why the last attempt of the current start failed (null if none did), e.g. the broker refusing connections; cleared when a new start begins.</summary>
    public string? LastError { get; private set; }

    /// <summary>When <see cref="LastError"/> happened.</summary>
    public DateTimeOffset? LastErrorAt { get; private set; }

    /// <summary>
    /// Completes when Warren is ready. Throws <see cref="WarrenConnectionException"/> if the host stops Warren first, and
    /// <see cref="OperationCanceledException"/> when <paramref name="cancellationToken"/> fires.
    /// </summary>
    public Task WaitUntilReadyAsync(CancellationToken cancellationToken = default)
    {
        Task ready;
        lock (_gate)
        {
            ready = _ready.Task;
        }

        return ready.WaitAsync(cancellationToken);
    }

    /// <summary>When the host last began starting Warren (<see cref="WarrenStartupState.Starting"/>).</summary>
    internal DateTimeOffset? StartedAt { get; private set; }

    /// <summary>
    /// The last sign of life of the start under way: it began, an attempt began or failed, a connection attempt was
    /// made, the topology was declared, a consumer started. The liveness check fails when this is too old while starting.
    /// Unlike <see cref="LastFailure"/>'s step, it may be a marker ("an attempt failed"), not a step of the start.
    /// </summary>
    internal (string Step, DateTimeOffset At)? LastProgress
    {
        get
        {
            // A struct of two words written from the start's thread: read whole, under the lock it is written under.
            lock (_gate)
            {
                return _lastProgress;
            }
        }
    }

    /// <summary>
    /// <see cref="LastError"/> and <see cref="LastErrorAt"/> read together, with the step that was under way when the
    /// attempt failed (the last step reported since the attempt began or the previous failure; null when it failed
    /// before reaching any): one consistent snapshot, taken under the lock they are written under. Never a marker
    /// ("the start began", "attempt 2 began", "an attempt failed").
    /// </summary>
    internal (string Error, DateTimeOffset At, string? Step)? LastFailure
    {
        get
        {
            lock (_gate)
            {
                return _lastFailure;
            }
        }
    }

    /// <summary>
    /// The step the current attempt is in (or last finished), null before it reached one and after a failure: what a
    /// publish waiting for the start was waiting on.
    /// </summary>
    internal string? CurrentStep
    {
        get
        {
            lock (_gate)
            {
                return _step;
            }
        }
    }

    /// <summary>Now, on the clock of the timestamps above.</summary>
    internal DateTimeOffset Now => _clock.GetUtcNow();

    /// <summary>The exception behind <see cref="LastError"/>, for the inner exception of a publish that timed out waiting.</summary>
    internal Exception? LastException { get; private set; }

    /// <summary>
    /// What a publish waits for: nothing unless a background start is under way (a host that was never started, or one
    /// that fails fast, publishes as it always did).
    /// </summary>
    internal Task? PublishGate
    {
        get
        {
            lock (_gate)
            {
                return _gating && !_ready.Task.IsCompleted ? _ready.Task : null;
            }
        }
    }

    internal void Begin(bool gatePublishes)
    {
        lock (_gate)
        {
            if (_ready.Task.IsCompleted)
            {
                _ready = NewSource();
            }

            _gating = gatePublishes;
            StartedAt = _clock.GetUtcNow();
            _lastProgress = ("the start began", StartedAt.Value);
            _step = null;

            // A new start: what failed in the previous one is no longer news.
            LastError = null;
            LastErrorAt = null;
            LastException = null;
            _lastFailure = null;
            State = WarrenStartupState.Starting;
        }
    }

    internal void Fail(Exception exception)
    {
        lock (_gate)
        {
            LastException = exception;
            LastError = exception.Message;
            LastErrorAt = _clock.GetUtcNow();
            _lastFailure = (LastError, LastErrorAt.Value, _step);

            // A failure ends the step it happened in: a later failure with no step since reached none.
            _step = null;
            if (State == WarrenStartupState.Starting)
            {
                _lastProgress = ("an attempt failed", LastErrorAt.Value);
            }
        }
    }

    /// <summary>
    /// Records a step of the start under way (ignored once it is over): something the start does or did on the broker
    /// ("declaring the topology", "opening the publish connection"), named by readiness when the start fails in it.
    /// </summary>
    internal void Progress(string step)
    {
        lock (_gate)
        {
            if (State == WarrenStartupState.Starting)
            {
                _step = step;
                _lastProgress = (step, _clock.GetUtcNow());
            }
        }
    }

    /// <summary>
    /// Records that attempt <paramref name="attempt"/> of a background start began: a sign of life for the liveness
    /// check, not a step (the attempt has reached none yet).
    /// </summary>
    internal void AttemptBegan(int attempt)
    {
        lock (_gate)
        {
            if (State == WarrenStartupState.Starting)
            {
                _step = null;
                _lastProgress = ($"attempt {attempt} began", _clock.GetUtcNow());
            }
        }
    }

    internal void Ready()
    {
        lock (_gate)
        {
            State = WarrenStartupState.Ready;
            _ready.TrySetResult();
        }
    }

    internal void Stop()
    {
        lock (_gate)
        {
            State = WarrenStartupState.Stopped;
            _ready.TrySetException(new WarrenConnectionException(
                "Warren was stopped before it reached the broker" + (LastError is null ? "." : $" (last failure: {LastError})."),
                LastException ?? new OperationCanceledException("Warren was stopped.")));
        }
    }

    private static TaskCompletionSource NewSource()
    {
        var source = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        // A stop before the broker was reached faults it; nobody need be waiting.
        source.Task.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        return source;
    }
}
