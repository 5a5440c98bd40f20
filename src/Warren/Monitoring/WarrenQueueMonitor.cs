using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace Warren;

/// <summary>
/// Reads queue depths without the management plugin: a passive declare on a throwaway channel of the consuming
/// connection answers with the queue's ready-message and consumer counts. The application's own queues and dead-letter
/// queues are read every <see cref="WarrenMonitoringOptions.QueueDepthInterval"/> (feeding the
/// <c>warren.queue.messages.ready</c> and <c>warren.queue.consumers</c> gauges and the backlog warning); any queue can be
/// read on demand with <see cref="GetDepthAsync"/>. Registered by <c>AddWarren</c>; inject it.
/// </summary>
public sealed class WarrenQueueMonitor
{
    private static readonly TimeSpan ReadTimeout = TimeSpan.FromSeconds(10);

    private readonly WarrenConnections _connections;
    private readonly WarrenMonitoringOptions _options;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, WarrenQueueKind> _watched = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, QueueDepth> _depths = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, DateTimeOffset> _warnedAt = new(StringComparer.Ordinal);
    private int _connectionUnavailable;

    /// <summary>Created by DI.</summary>
    public WarrenQueueMonitor(WarrenConnections connections, IOptions<WarrenMonitoringOptions> options, ILogger<WarrenQueueMonitor> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _connections = connections;
        _options = options.Value;
        _logger = logger;
        foreach (var queue in _options.Queues)
        {
            Watch(queue, WarrenQueueKind.Work);
        }
    }

    /// <summary>The last depth read of every watched queue, ordered by name (empty until the first reading).</summary>
    public IReadOnlyList<QueueDepth> Depths => _depths.Values.OrderBy(d => d.Queue, StringComparer.Ordinal).ToArray();

    /// <summary>The queues read periodically: the consumed queues, their dead-letter queues and <see cref="WarrenMonitoringOptions.Queues"/>.</summary>
    public IReadOnlyCollection<string> WatchedQueues => _watched.Keys.Order(StringComparer.Ordinal).ToArray();

    /// <summary>
    /// Reads a queue's ready-message and consumer counts now. A queue that does not exist gives
    /// <see cref="QueueDepth.Exists"/> false; a broker that cannot be reached throws.
    /// </summary>
    public async Task<QueueDepth> GetDepthAsync(string queue, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(queue);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(ReadTimeout);
        var connection = await _connections.GetConsumeConnectionAsync(timeout.Token).ConfigureAwait(false);
        return await ReadAsync(connection, queue, timeout.Token).ConfigureAwait(false);
    }

    private async Task<QueueDepth> ReadAsync(IConnection connection, string queue, CancellationToken cancellationToken)
    {
        var kind = KindOf(queue);

        // A passive declare of a missing queue closes its channel (404): never on a channel anything else uses.
        var channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        try
        {
            var ok = await channel.QueueDeclarePassiveAsync(queue, cancellationToken).ConfigureAwait(false);
            return new QueueDepth(queue, kind, true, ok.MessageCount, ok.ConsumerCount, DateTimeOffset.UtcNow);
        }
        catch (OperationInterruptedException ex) when (ex.ShutdownReason is { ReplyCode: 404 })
        {
            return new QueueDepth(queue, kind, false, 0, 0, DateTimeOffset.UtcNow);
        }
        finally
        {
            await ChannelClosing.CloseQuietlyAsync(channel).ConfigureAwait(false);
        }
    }

    /// <summary>What a watched queue is to the application (work when it is not watched).</summary>
    internal WarrenQueueKind KindOf(string queue) => _watched.TryGetValue(queue, out var kind) ? kind : WarrenQueueKind.Work;

    /// <summary>Adds a queue to the ones read periodically.</summary>
    internal void Watch(string queue, WarrenQueueKind kind) => _watched.TryAdd(queue, kind);

    /// <summary>
    /// Reads every watched queue once, keeps the depths and logs backlogs above their threshold. Without an open
    /// connection nothing can be read: that is logged once when it starts (not once per queue and reading) and once when
    /// the readings resume, and the depths are dropped meanwhile.
    /// </summary>
    internal async Task SampleAsync(CancellationToken cancellationToken)
    {
        var queues = WatchedQueues;
        if (queues.Count == 0)
        {
            return;
        }

        IConnection connection;
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(ReadTimeout);
            connection = await _connections.GetConsumeConnectionAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            Unreadable(queues.Count, ex.Message);
            return;
        }

        foreach (var queue in queues)
        {
            if (!connection.IsOpen)
            {
                Unreadable(queues.Count, connection.CloseReason is { } reason ? $"the connection is closed ({reason.ReplyText})" : "the connection is closed");
                return;
            }

            QueueDepth depth;
            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                timeout.CancelAfter(ReadTimeout);
                depth = await ReadAsync(connection, queue, timeout.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                if (!connection.IsOpen)
                {
                    Unreadable(queues.Count, ex.Message);
                    return;
                }

                Log.QueueDepthUnreadable(_logger, queue, ex.Message);
                _depths.TryRemove(queue, out _);
                continue;
            }

            if (Interlocked.Exchange(ref _connectionUnavailable, 0) == 1)
            {
                Log.QueueDepthsReadableAgain(_logger, queues.Count);
            }

            _depths[queue] = depth;
            CheckBacklog(depth);
        }
    }

    /// <summary>No depth can be read for want of a connection: logged once until a reading succeeds again.</summary>
    private void Unreadable(int queues, string reason)
    {
        _depths.Clear();
        if (Interlocked.Exchange(ref _connectionUnavailable, 1) == 0)
        {
            Log.QueueDepthsUnreadable(_logger, queues, reason);
        }
    }

    private void CheckBacklog(QueueDepth depth)
    {
        var threshold = _options.BacklogThresholds.TryGetValue(depth.Queue, out var own) ? own : _options.BacklogWarningThreshold;
        if (threshold is not { } limit || depth.Kind == WarrenQueueKind.DeadLetter && !_options.BacklogThresholds.ContainsKey(depth.Queue))
        {
            // Dead-letter queues are watched by their own health-check threshold, not by the backlog warning.
            return;
        }

        if (depth.ReadyMessages > limit)
        {
            var now = depth.ReadAt;
            if (!_warnedAt.TryGetValue(depth.Queue, out var last) || now - last >= _options.BacklogWarningRepeat)
            {
                _warnedAt[depth.Queue] = now;
                Log.QueueBacklog(_logger, depth.Queue, depth.ReadyMessages, limit, depth.Consumers);
            }
        }
        else if (_warnedAt.TryRemove(depth.Queue, out _))
        {
            Log.QueueBacklogCleared(_logger, depth.Queue, depth.ReadyMessages, limit);
        }
    }
}
