using System;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Warren;

/// <summary>
/// Declares the delay topology the first time this process publishes a delayed message, and asks the consumer host to
/// start relaying due messages (<see cref="DelayRelay"/>) if it does not already.
/// </summary>
/// <remarks>
/// The publish waits for the declaration (one round trip, see <see cref="DelayTopology.DeclareAsync"/>), not for the
/// relay: the message it sends becomes due one second later at the earliest, and the relay's start (its own retry
/// topology, a channel, a consumer: a dozen round trips) goes on meanwhile. A start that fails is logged (event 124) and
/// tried again by the next delayed publish.
/// </remarks>
internal sealed class DelayedDelivery(WarrenConnections connections, ILogger<DelayedDelivery>? logger = null)
{
    private readonly SemaphoreSlim _lock = new(1, 1);
    private readonly ILogger _logger = (ILogger?)logger ?? NullLogger.Instance;
    private volatile bool _declared;
    private volatile bool _relayStarted;
    private int _relayStarting;

    /// <summary>Set by the consumer host: starts the relay consumer (idempotent).</summary>
    public Func<CancellationToken, Task>? StartRelay { get; set; }

    /// <summary>The relay's start begun by the last delayed publish, if any (for tests).</summary>
    internal Task RelayStart { get; private set; } = Task.CompletedTask;

    /// <summary>Declares the delay topology once (again after a failure) and has the relay started.</summary>
    public async ValueTask EnsureAsync(CancellationToken cancellationToken)
    {
        if (!_declared)
        {
            await _lock.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                if (!_declared)
                {
                    var connection = await connections.GetPublishConnectionAsync(cancellationToken).ConfigureAwait(false);
                    await DelayTopology.DeclareAsync(connection, cancellationToken).ConfigureAwait(false);
                    _declared = true;
                }
            }
            finally
            {
                _lock.Release();
            }
        }

        if (!_relayStarted && StartRelay is { } start && Interlocked.CompareExchange(ref _relayStarting, 1, 0) == 0)
        {
            RelayStart = StartRelayAsync(start);
        }
    }

    private async Task StartRelayAsync(Func<CancellationToken, Task> start)
    {
        try
        {
            // Off the publish: the caller's token is not this start's.
            await Task.Yield();
            await start(CancellationToken.None).ConfigureAwait(false);
            _relayStarted = true;
        }
        catch (Exception ex)
        {
            Log.DelayRelayNotStarted(_logger, ex, DelayTopology.DueQueue, ex.Message);
        }
        finally
        {
            Volatile.Write(ref _relayStarting, 0);
        }
    }
}
