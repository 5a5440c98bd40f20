using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Warren.Testing;

/// <summary>
/// Runs flows of a Warren application against the <see cref="InMemoryBroker"/> and tells when they are over. A tracked
/// run starts an action (publish, call a proxy, call your own service), lets time pass whenever nothing else can
/// happen (virtual time), and completes once the action has finished and the broker is quiet: no callback running, no
/// message waiting for a consumer with room, no delivery unacknowledged. It returns the run's
/// <see cref="TrackedSession"/>: what was published, consumed, retried, dead-lettered, returned, and assertions that
/// print the whole flow when they fail. A run that does not become quiet within the timeout fails with
/// <see cref="WarrenHarnessTimeoutException"/> naming what is still pending.
/// </summary>
public sealed partial class WarrenTestHarness : IAsyncDisposable
{
    /// <summary>How often the stall time checks whether the application is idle.</summary>
    private static readonly TimeSpan IdleSlice = TimeSpan.FromMilliseconds(25);

    /// <summary>How long (real time) a due virtual timer may wait for something running, without a broker change, before the harness warns.</summary>
    private static readonly TimeSpan HeldTimerWarning = TimeSpan.FromSeconds(2);

    private readonly WarrenTestHarnessOptions _options;
    private readonly HarnessLog? _log;
    private readonly ILogger _logger;
    private IHost? _host;

    /// <summary>Created by DI (<see cref="WarrenTestHarnessServiceCollectionExtensions.AddWarrenTestHarness"/>).</summary>
    public WarrenTestHarness(InMemoryBroker broker, TimeProvider time, IServiceProvider services, IOptions<WarrenTestHarnessOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Broker = broker;
        Time = time;
        Services = services;
        _options = options.Value;
        _log = services.GetService<HarnessLog>();
        _logger = services.GetService<ILoggerFactory>()?.CreateLogger<WarrenTestHarness>() ?? NullLogger<WarrenTestHarness>.Instance;
        Contracts = services.GetService<MessageContracts>() ?? new MessageContracts();
    }

    /// <summary>The application's route table, which typed assertions use to recognise a message's contract.</summary>
    private MessageContracts Contracts { get; }

    /// <summary>The in-memory broker the application talks to.</summary>
    public InMemoryBroker Broker { get; }

    /// <summary>The clock of the broker and of Warren's waits.</summary>
    public TimeProvider Time { get; }

    /// <summary>The virtual clock, when the harness uses one (the default); advance it yourself with <see cref="VirtualClock.Advance"/>.</summary>
    public VirtualClock? Clock => Time as VirtualClock;

    /// <summary>The application's services.</summary>
    public IServiceProvider Services { get; }

    /// <summary>Everything that happened on the broker since it started.</summary>
    public MessageFlow History => new(Broker.Journal, Contracts, [.. _options.JsonContexts], _log?.Since(0) ?? []);

    /// <summary>
    /// Builds and starts a host with your registrations and the harness (<c>AddWarrenTestHarness</c> is called for you):
    /// Warren declares the topology on the in-memory broker and starts the consumers. Dispose the harness to stop it.
    /// </summary>
    public static async Task<WarrenTestHarness> StartAsync(Action<IServiceCollection> configureServices, Action<WarrenTestHarnessOptions>? configure = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(configureServices);
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        configureServices(builder.Services);
        builder.Services.AddWarrenTestHarness(configure);
        var host = builder.Build();
        await host.StartAsync(cancellationToken).ConfigureAwait(false);
        var harness = host.Services.GetRequiredService<WarrenTestHarness>();
        harness._host = host;
        return harness;
    }

    /// <summary>Runs <paramref name="action"/> and waits until the system is quiet; rethrows what the action threw once it is.</summary>
    [OverloadResolutionPriority(1)]
    public async Task<TrackedSession> RunAsync(Func<Task> action, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(action);
        var (session, task) = await TrackAsync(action, timeout).ConfigureAwait(false);

        // Rethrows the action's own exception (a cancellation included) now that the system is quiet.
        await task.ConfigureAwait(false);
        return session;
    }

    /// <summary>Runs <paramref name="action"/>, waits until the system is quiet, and returns the session with the action's result.</summary>
    [OverloadResolutionPriority(1)]
    public async Task<TrackedSession<TResult>> RunAsync<TResult>(Func<Task<TResult>> action, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(action);
        var result = default(TResult)!;
        var session = await RunAsync(
            async () =>
            {
                result = await action().ConfigureAwait(false);
            },
            timeout).ConfigureAwait(false);
        return new TrackedSession<TResult>(session, result);
    }

    /// <summary>Resolves <typeparamref name="TService"/> (a publisher interface, an RPC proxy, your own service) in a scope and runs <paramref name="action"/> with it.</summary>
    [OverloadResolutionPriority(1)]
    public Task<TrackedSession> RunAsync<TService>(Func<TService, Task> action, TimeSpan? timeout = null)
        where TService : notnull
    {
        ArgumentNullException.ThrowIfNull(action);
        return RunAsync(async () =>
        {
            await using var scope = Services.CreateAsyncScope();
            await action(scope.ServiceProvider.GetRequiredService<TService>()).ConfigureAwait(false);
        }, timeout);
    }

    /// <summary>
    /// Resolves <typeparamref name="TService"/> in a scope and runs <paramref name="action"/> with it (an RPC proxy's call,
    /// a method of your own service); the session's <see cref="TrackedSession{TResult}.Result"/> holds what it returned.
    /// </summary>
    [OverloadResolutionPriority(1)]
    public Task<TrackedSession<TResult>> RunAsync<TService, TResult>(Func<TService, Task<TResult>> action, TimeSpan? timeout = null)
        where TService : notnull
    {
        ArgumentNullException.ThrowIfNull(action);
        return RunAsync(async () =>
        {
            await using var scope = Services.CreateAsyncScope();
            return await action(scope.ServiceProvider.GetRequiredService<TService>()).ConfigureAwait(false);
        }, timeout);
    }

    /// <summary>Runs <paramref name="action"/> without rethrowing its failure: the session's <see cref="TrackedRun.Exception"/> holds it.</summary>
    [OverloadResolutionPriority(1)]
    public async Task<TrackedRun> TryRunAsync(Func<Task> action, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(action);
        var (session, task) = await TrackAsync(action, timeout).ConfigureAwait(false);
        Exception? failure = null;
        try
        {
            await task.ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            failure = ex;
        }

        return new TrackedRun(session, failure);
    }

    // The ValueTask overloads take what a [Publisher] interface's methods and RPC proxies return. The Task overloads
    // carry a higher overload resolution priority: a lambda fitting both (an async lambda, one that only throws) would
    // otherwise be ambiguous (CS0121); with it, such lambdas bind to the Task overloads as they always did.

    /// <summary>Runs <paramref name="action"/> and waits until the system is quiet; rethrows what the action threw once it is.</summary>
    public Task<TrackedSession> RunAsync(Func<ValueTask> action, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(action);
        return RunAsync(() => action().AsTask(), timeout);
    }

    /// <summary>Runs <paramref name="action"/>, waits until the system is quiet, and returns the session with the action's result.</summary>
    public Task<TrackedSession<TResult>> RunAsync<TResult>(Func<ValueTask<TResult>> action, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(action);
        return RunAsync(() => action().AsTask(), timeout);
    }

    /// <summary>
    /// Resolves <typeparamref name="TService"/> (a publisher interface, an RPC proxy, your own service) in a scope and
    /// runs <paramref name="action"/> with it: <c>RunAsync&lt;IUserEvents&gt;(users =&gt; users.Created(...))</c>.
    /// </summary>
    public Task<TrackedSession> RunAsync<TService>(Func<TService, ValueTask> action, TimeSpan? timeout = null)
        where TService : notnull
    {
        ArgumentNullException.ThrowIfNull(action);
        return RunAsync<TService>(service => action(service).AsTask(), timeout);
    }

    /// <summary>
    /// Resolves <typeparamref name="TService"/> in a scope and runs <paramref name="action"/> with it (an RPC proxy's call);
    /// the session's <see cref="TrackedSession{TResult}.Result"/> holds what it returned.
    /// </summary>
    public Task<TrackedSession<TResult>> RunAsync<TService, TResult>(Func<TService, ValueTask<TResult>> action, TimeSpan? timeout = null)
        where TService : notnull
    {
        ArgumentNullException.ThrowIfNull(action);
        return RunAsync<TService, TResult>(service => action(service).AsTask(), timeout);
    }

    /// <summary>Runs <paramref name="action"/> without rethrowing its failure: the session's <see cref="TrackedRun.Exception"/> holds it.</summary>
    public Task<TrackedRun> TryRunAsync(Func<ValueTask> action, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(action);
        return TryRunAsync(() => action().AsTask(), timeout);
    }

    /// <summary>Publishes <paramref name="message"/> with <see cref="IPublisher"/> and waits until the system is quiet.</summary>
    public Task<TrackedSession> PublishAsync<T>(T message, PublishOptions? options = null, TimeSpan? timeout = null) =>
        RunAsync(() => Services.GetRequiredService<IPublisher>().PublishAsync(message, options).AsTask(), timeout);

    /// <summary>Waits until the system is quiet (letting virtual time pass) and returns what happened meanwhile.</summary>
    public Task<TrackedSession> WaitForQuietAsync(TimeSpan? timeout = null) => RunAsync(() => Task.CompletedTask, timeout);

    /// <summary>
    /// Waits until <paramref name="condition"/> holds, letting virtual time pass whenever nothing else happens (or
    /// handlers have stalled for <see cref="WarrenTestHarnessOptions.StallTime"/>), and returns what happened meanwhile.
    /// </summary>
    public async Task<TrackedSession> WaitUntilAsync(Func<bool> condition, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(condition);
        var (session, _) = await TrackAsync(() => Task.CompletedTask, timeout, condition).ConfigureAwait(false);
        return session;
    }

    /// <summary>Stops the host the harness started (<see cref="StartAsync"/>); a harness from your own host leaves it alone.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_host is { } host)
        {
            _host = null;
            await host.StopAsync().ConfigureAwait(false);
            host.Dispose();
        }
    }

    private async Task<(TrackedSession Session, Task Action)> TrackAsync(Func<Task> action, TimeSpan? timeout, Func<bool>? until = null)
    {
        var limit = timeout ?? _options.Timeout;
        var start = Broker.LastSequence;
        var logStart = _log?.Position ?? 0;
        using var deadline = new CancellationTokenSource(limit);
        var task = Task.Run(() =>
        {
            // The action, and all it starts and awaits, is the application's code: the stall time counts only while
            // none of it runs (see ChangesWithinIdleTimeAsync).
            Broker.Activity.Join();
            return action();
        });
        var horizon = Time.GetUtcNow() + _options.VirtualTimeLimit;

        // Why the last look did not end the run, for the timeout's message when nothing else is pending at the deadline
        // (the state changed as the time ran out), and what the pending list cannot show (a broker that kept changing, a
        // due timer the clock was not moved to).
        var why = "nothing was looked at yet";
        string? note = null;
        var lookedAfterDeadline = false;

        // A due timer the clock is held from (something runs) with no change on the broker: since when, to warn once
        // when that lasts long in real time (a handler or the action waiting on the real clock).
        DateTimeOffset? heldTimer = null;
        var heldSequence = 0L;
        var heldSince = 0L;
        var warnedHeld = false;
        while (true)
        {
            var changed = Broker.WaitForChangeAsync(CancellationToken.None);
            var activity = Broker.GetActivity();
            var running = !task.IsCompleted;
            var next = Clock?.NextDue;
            var timerDue = next is { } due && due <= horizon;
            if (until is not null && until())
            {
                break;
            }

            // What the waits below wake on: a change on the broker, and the action's end (which may touch nothing on the
            // broker: an RPC call ends with its reply handled, after the last change). The state changes too when the
            // timer seen due goes away (an RPC deadline disposed) or the awaited condition comes to hold.
            var wake = running ? Task.WhenAny(changed, task) : changed;
            bool Moved() => (until is not null && until()) || Clock?.NextDue != next;
            if (until is null && !running && activity.IsQuiet && !timerDue)
            {
                var lastSeen = Broker.LastSequence;
                if (!await ChangesWithinAsync(wake, _options.SettleTime).ConfigureAwait(false) && Broker.GetActivity().IsQuiet)
                {
                    break;
                }

                why = "the broker was quiet, but changed within the settle time";
                note = $"the broker kept changing within the settle time ({_options.SettleTime.TotalMilliseconds:0.#} ms); last change: {DescribeLastChange(lastSeen)}";
                if (!deadline.IsCancellationRequested)
                {
                    continue;
                }

                throw new WarrenHarnessTimeoutException(DescribePending(limit, task, start, logStart, until, why, note));
            }

            note = null;
            why = running ? "the action had not finished"
                : !activity.IsQuiet ? string.Join("; ", activity.Active.Concat(activity.Unsettled))
                : "the condition did not hold";
            if (timerDue)
            {
                // Nothing runs (or handlers, or the action itself, have been waiting without any change for longer
                // than the stall time: they may be waiting on the clock themselves): let the settle time pass, then
                // move the clock to the next timer. An action still running counts as running: on a loaded machine
                // its next step (the publish of an RPC request whose deadline is already a timer) can be later than
                // the settle time, and moving the clock then would expire what is about to happen. The stall time is
                // counted only while the application's code (the action, the broker's callbacks, what they started) does
                // nothing (see ChangesWithinIdleTimeAsync), whatever the rest of the process does: a handler or an
                // action still working, or waiting for a thread on a starved machine, is not stalled, however long it
                // takes in real time. The action's end, or the timer's going, is a change: the loop looks again at
                // once instead of waiting for a broker change that may never come.
                var idle = activity.Active.Count == 0 && !running;
                if (!idle && (heldTimer != next || heldSequence != Broker.LastSequence))
                {
                    heldTimer = next;
                    heldSequence = Broker.LastSequence;
                    heldSince = Stopwatch.GetTimestamp();
                }

                var changedMeanwhile = idle
                    ? await ChangesWithinAsync(wake, _options.SettleTime).ConfigureAwait(false) || Moved()
                    : await ChangesWithinIdleTimeAsync(wake, _options.StallTime, Moved, deadline.Token).ConfigureAwait(false);
                if (!idle && !warnedHeld && heldTimer == next && Stopwatch.GetElapsedTime(heldSince) >= HeldTimerWarning)
                {
                    warnedHeld = true;
                    var holders = string.Join("; ", running ? activity.Active.Prepend("the action") : activity.Active);
                    LogTimerHeld(_logger, Describe(next!.Value), Stopwatch.GetElapsedTime(heldSince).TotalSeconds, holders);
                }
                if (!changedMeanwhile && !deadline.IsCancellationRequested
                    && (!idle || Broker.GetActivity().Active.Count == 0))
                {
                    Clock!.AdvanceToNextTimer(horizon);
                }

                if (!deadline.IsCancellationRequested)
                {
                    continue;
                }

                if (changedMeanwhile && !lookedAfterDeadline)
                {
                    // The state changed as the time ran out (the action ended, its deadline timer went): one more look,
                    // and a run quiet now ends well instead of timing out with nothing pending.
                    lookedAfterDeadline = true;
                    continue;
                }

                if (!changedMeanwhile && !idle)
                {
                    note = $"a virtual timer due at {Describe(next!.Value)} was not moved to: the application (the action, the handlers) never did nothing for the stall time ({_options.StallTime.TotalMilliseconds:0.#} ms) without a change on the broker";
                }
            }

            if (deadline.IsCancellationRequested)
            {
                throw new WarrenHarnessTimeoutException(DescribePending(limit, task, start, logStart, until, why, note));
            }

            try
            {
                // A running action may start a virtual timer without touching the broker (a Task.Delay on the clock):
                // with a clock of ours, look again after the settle time instead of only on a change or its end.
                var look = !running ? Task.Delay(20, deadline.Token)
                    : Clock is null ? task
                    : Task.WhenAny(task, Task.Delay(_options.SettleTime, deadline.Token));
                await Task.WhenAny(changed, look, Task.Delay(Timeout.Infinite, deadline.Token)).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // Checked at the top of the loop: a run quiet at its deadline still ends well.
            }
        }

        var session = new TrackedSession(Broker.JournalSince(start), Contracts, [.. _options.JsonContexts], _log?.Since(logStart) ?? []);
        return (session, task);
    }

    private static async Task<bool> ChangesWithinAsync(Task changed, TimeSpan wait)
    {
        using var cancel = new CancellationTokenSource();
        var delay = Task.Delay(wait, cancel.Token);
        var first = await Task.WhenAny(changed, delay).ConfigureAwait(false);
        await cancel.CancelAsync().ConfigureAwait(false);
        return first == changed;
    }

    /// <summary>
    /// True when <paramref name="changed"/> completes, or <paramref name="moved"/> turns true (looked at after each slice),
    /// before this harness's application has done nothing for <paramref name="stall"/>.
    /// The stall time is made of slices of <see cref="IdleSlice"/>, each counted only when, during it, no thread started
    /// running the application's code (the action, the callbacks the broker dispatched, and all they start and await:
    /// see <see cref="RunActivity"/>), none was still running it unless blocked in a wait, and a probe queued to the
    /// thread pool as the slice began got a thread before it ended (a continuation of the application waiting for a
    /// thread on a starved pool, queued before the probe, is not idle: the resumption of an RPC caller whose reply has
    /// arrived, the next step of a server handler). A slice that ends late (this loop was starved too) counts for at
    /// most two slices. What other code of the process does (test classes running in parallel) does not count: only a
    /// pool too starved to run a work item within a slice holds the clock for everyone. A handler or action awaiting the
    /// virtual clock, or blocked on it, leaves the application idle, and the clock moves after the stall time.
    /// </summary>
    private async Task<bool> ChangesWithinIdleTimeAsync(Task changed, TimeSpan stall, Func<bool> moved, CancellationToken deadline)
    {
        var activity = Broker.Activity;
        var idle = TimeSpan.Zero;
        var last = Stopwatch.GetTimestamp();
        var entries = activity.Entries;
        while (idle < stall && !deadline.IsCancellationRequested)
        {
            var slice = stall - idle < IdleSlice ? stall - idle : IdleSlice;
            var probe = PoolProbe.Post();
            if (await ChangesWithinAsync(changed, slice).ConfigureAwait(false) || moved())
            {
                return true;
            }

            var now = Stopwatch.GetTimestamp();
            var elapsed = Stopwatch.GetElapsedTime(last, now);
            var seen = activity.Entries;
            var working = seen != entries || activity.IsWorking || !probe.Ran;
            last = now;
            entries = seen;
            if (!working)
            {
                idle += elapsed < slice * 2 ? elapsed : slice * 2;
            }
        }

        return false;
    }

    /// <summary>A work item on the thread pool's global queue that records when it got a thread.</summary>
    private sealed class PoolProbe
    {
        private volatile bool _ran;

        public bool Ran => _ran;

        public static PoolProbe Post()
        {
            var probe = new PoolProbe();
            ThreadPool.UnsafeQueueUserWorkItem(static p => p._ran = true, probe, preferLocal: false);
            return probe;
        }
    }

    private string DescribePending(TimeSpan limit, Task action, long start, long logStart, Func<bool>? until, string why, string? note)
    {
        var text = new StringBuilder();
        text.Append(until is null
            ? $"The system was not quiet after {limit.TotalSeconds:0.###} s (real time). Still pending:"
            : $"The condition did not hold after {limit.TotalSeconds:0.###} s (real time). Meanwhile:").AppendLine();
        var lines = 0;
        if (!action.IsCompleted)
        {
            text.AppendLine("  - the action has not finished (is it waiting for something that never comes?)");
            lines++;
        }

        var activity = Broker.GetActivity();
        foreach (var line in activity.Active.Concat(activity.Unsettled))
        {
            text.Append("  - ").AppendLine(line);
            lines++;
        }

        if (Clock is { NextDue: { } due })
        {
            text.Append($"  - the next virtual timer is due at {Describe(due)}").AppendLine();
            lines++;
        }

        // What the list above cannot show (the broker kept changing, a due timer not moved to), and what the last look
        // saw when nothing is pending any more (the state changed as the time ran out): the message always says why.
        if (note is not null)
        {
            text.Append("  - ").AppendLine(note);
        }
        else if (lines == 0)
        {
            text.Append("  - nothing now; the last look before the deadline saw: ").AppendLine(why);
        }

        text.AppendLine();
        text.Append(new MessageFlow(Broker.JournalSince(start), Contracts, [.. _options.JsonContexts], _log?.Since(logStart) ?? []).Describe());
        return text.ToString();
    }

    /// <summary>A virtual time as its distance from the clock's now, then in full.</summary>
    [LoggerMessage(128, LogLevel.Warning, "The virtual timer due at {Timer} waited {Seconds:0.#} s of real time, with no change on the broker, for what was running ({Running}). If it waits on the real clock (Task.Delay without the TimeProvider, Thread.Sleep), outcomes that depend on this timer (an RPC deadline, a retry delay) vary from run to run: wait on the TimeProvider from DI instead.")]
    private static partial void LogTimerHeld(ILogger logger, string timer, double seconds, string running);

    private string Describe(DateTimeOffset due)
    {
        var now = Time.GetUtcNow();
        return $"+{(due - now).TotalSeconds:0.###} s virtual ({due:O}, clock at {now:O})";
    }

    /// <summary>The broker's last recorded event, and how many came since <paramref name="since"/>.</summary>
    private string DescribeLastChange(long since)
    {
        var journal = Broker.JournalSince(since);
        if (journal.Count == 0)
        {
            return "a callback finishing or a channel operation, which records no event";
        }

        var last = journal[^1];
        var where = last.Queue is { } queue ? $" queue '{queue}'"
            : last.Queues.Count > 0 ? $" to queue(s) {string.Join(", ", last.Queues.Select(q => $"'{q}'"))}"
            : string.Empty;
        var who = last.Connection is { } connection ? $" on connection '{connection}'" : string.Empty;
        return $"{last.Kind}{where}{who} (event {last.Sequence}; {journal.Count} event(s) during the settle time)";
    }
}

/// <summary>A tracked run whose failure was kept, not thrown.</summary>
/// <param name="Session">What happened.</param>
/// <param name="Exception">What the action threw, or null.</param>
public sealed record TrackedRun(TrackedSession Session, Exception? Exception);
