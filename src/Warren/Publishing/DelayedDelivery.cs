using System;
using System.Threading;
using System.Threading.Tasks;

namespace Warren;

/// <summary>
/// Declares the delay topology the first time this process publishes a delayed message, and asks the consumer host to
/// start relaying due messages (<see cref="DelayRelay"/>) if it does not already.
/// </summary>
internal sealed class DelayedDelivery(WarrenConnections connections)
{
    private readonly SemaphoreSlim _lock = new(1, 1);
    private volatile bool _declared;

    /// <summary>Set by the consumer host: starts the relay consumer (idempotent).</summary>
    public Func<CancellationToken, Task>? StartRelay { get; set; }

    /// <summary>Declares the delay topology once (again after a failure) and starts the relay.</summary>
    public async ValueTask EnsureAsync(CancellationToken cancellationToken)
    {
        if (_declared)
        {
            return;
        }

        await _lock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_declared)
            {
                return;
            }

            var connection = await connections.GetPublishConnectionAsync(cancellationToken).ConfigureAwait(false);
            await DelayTopology.DeclareAsync(connection, cancellationToken).ConfigureAwait(false);
            if (StartRelay is { } start)
            {
                await start(cancellationToken).ConfigureAwait(false);
            }

            _declared = true;
        }
        finally
        {
            _lock.Release();
        }
    }
}
