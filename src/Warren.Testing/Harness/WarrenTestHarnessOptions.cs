using System;
using System.Collections.Generic;
using System.Text.Json.Serialization;

namespace Warren.Testing;

/// <summary>How the test harness runs.</summary>
public sealed class WarrenTestHarnessOptions
{
    /// <summary>
    /// Virtual time (the default): the broker and Warren's own waits (retry-queue TTLs, message expiry, RPC deadlines,
    /// requeue delays) run on a <see cref="VirtualClock"/> that jumps to the next timer whenever nothing else is
    /// happening, so a flow with two-minute retry delays finishes in milliseconds. False: the system clock.
    /// </summary>
    public bool UseVirtualTime { get; set; } = true;

    /// <summary>A clock of your own (a <c>FakeTimeProvider</c> you advance yourself); overrides <see cref="UseVirtualTime"/>.</summary>
    public TimeProvider? TimeProvider { get; set; }

    /// <summary>How long (real time) a tracked run may take before it fails, naming what is still pending. Default 10 s.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How long (real time) the broker must stay idle before the system counts as quiet, or before virtual time may move:
    /// room for application code that continues after an await. Default 25 ms.
    /// </summary>
    public TimeSpan SettleTime { get; set; } = TimeSpan.FromMilliseconds(25);

    /// <summary>
    /// With virtual time: how far one tracked run may move the clock. Timers due later (a message that would expire in
    /// a day) are left pending and the run ends. Default 1 hour: far beyond retry delays, short of long queue TTLs.
    /// </summary>
    public TimeSpan VirtualTimeLimit { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// With virtual time: how long handlers (or the tracked action) may go without any change on the broker, while the
    /// process does nothing else, before the clock is moved anyway, for handlers that themselves wait on the clock
    /// (<c>Task.Delay(span, timeProvider)</c>) or for an RPC deadline. Only idle time counts: while a work item waits for
    /// a thread of the pool (a continuation on a starved machine) or the process uses a tenth of a core or more (a handler
    /// working, the JIT compiling), the application is making progress and the clock stays. Default 500 ms.
    /// </summary>
    public TimeSpan StallTime { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// Serialization metadata for types without a message contract (RPC requests and replies): typed inspection looks
    /// here after the contracts. Add your application's <see cref="JsonSerializerContext"/>.
    /// </summary>
    public IList<JsonSerializerContext> JsonContexts { get; } = [];
}
