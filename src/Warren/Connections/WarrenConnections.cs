using System;
using System.ComponentModel;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using RabbitMQ.Client.Exceptions;

namespace Warren;

/// <summary>
/// The application's two connections, publishing and consuming, opened on first use with RabbitMQ.Client's automatic
/// connection and topology recovery. Their state changes are logged, raised through <see cref="ConnectionChanged"/> and
/// kept in <see cref="GetStatus"/>. A connection RabbitMQ.Client will not bring back (closed outside Warren, access
/// refused, or its automatic recovery failing attempt after attempt) is given up: the next use opens a new one.
/// </summary>
/// <remarks>
/// Topology recovery failures of single entities are not fatal: a queue, exchange, binding or consumer the broker
/// refuses to re-declare (a classic queue whose node is down: 404; changed arguments: 406) is logged and skipped, and
/// recovery of the connection and its other channels goes on. Warren's consumers re-declare their own topology when
/// they subscribe again. Without this, RabbitMQ.Client aborts and retries the whole recovery for as long as that node
/// stays down, and nothing on the connection works meanwhile.
/// </remarks>
public sealed class WarrenConnections : IAsyncDisposable
{
    /// <summary>After this many recovery attempts in a row that failed once connected (RabbitMQ.Client's 541 FailedAutoRecovery), the connection is given up.</summary>
    private const int MaxFailedRecoveries = 3;

    /// <summary>
    /// During an outage the first failed recovery attempt is logged at Warning, then at most one every this long (saying how
    /// many were not logged meanwhile); the others are logged at Debug. <see cref="ConnectionChanged"/> reports each one.
    /// </summary>
    internal static readonly TimeSpan RecoveryFailureLogInterval = TimeSpan.FromSeconds(60);

    private readonly WarrenOptions _options;
    private readonly ILogger _logger;
    private readonly Lazy<ConnectionSettings> _settings;
    private readonly IReadOnlyList<ConnectionFactoryCallback> _factoryCallbacks;
    private readonly IConnectionSource? _source;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private IConnection? _publish;
    private IConnection? _consume;
    private bool _disposed;
    private ConnectFailure? _lastConnectFailure;
    private int _opening = -1;
    private readonly ConnectFailure?[] _lastConnectFailureOf = new ConnectFailure?[2];
    private readonly RoleState[] _states;

    /// <summary>Creates the connection holder; nothing is opened until first use. Applications get it from DI (<c>AddWarren</c>) instead.</summary>
    /// <param name="options">Where to connect and how.</param>
    /// <param name="logger">Where connection changes are logged.</param>
    /// <param name="source">Opens the connections instead of RabbitMQ.Client (the in-memory broker of <c>Warren.Testing</c>); null to connect to RabbitMQ.</param>
    /// <param name="timeProvider">The clock of Warren's own waits (RPC deadlines, requeue delays, consumer restarts); the system clock when null.</param>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public WarrenConnections(IOptions<WarrenOptions> options, ILogger<WarrenConnections> logger, IConnectionSource? source = null, TimeProvider? timeProvider = null)
        : this(options, logger, [], source, timeProvider)
    {
    }

    /// <summary>Created by DI with the callbacks registered through <see cref="WarrenBuilder.ConfigureConnectionFactory"/>.</summary>
    internal WarrenConnections(IOptions<WarrenOptions> options, ILogger<WarrenConnections> logger, IEnumerable<ConnectionFactoryCallback> factoryCallbacks, IConnectionSource? source = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Value;
        _logger = logger;
        _factoryCallbacks = [.. factoryCallbacks];
        _source = source;
        Time = timeProvider ?? TimeProvider.System;
        _states = [new(ConnectionRole.Publish, Time), new(ConnectionRole.Consume, Time)];
        _settings = new Lazy<ConnectionSettings>(() => ConnectionSettings.From(_options));
    }

    /// <summary>
    /// Raised on every state change of either connection (opened, lost, recovered, blocked, unblocked, closed), on
    /// RabbitMQ.Client's threads: keep subscribers short. An exception a subscriber throws is logged and goes no further.
    /// </summary>
    public event Action<ConnectionEvent>? ConnectionChanged;

    /// <summary>
    /// Raised on RabbitMQ.Client's thread as soon as a connection in use closes other than by Warren (before RabbitMQ.Client
    /// tells its channels, which it does one after the other, each after the consumer callbacks still running on it), with
    /// the reason: what ran on its channels belongs to channel sessions that are gone.
    /// </summary>
    internal event Action<IConnection, ShutdownEventArgs>? Lost;

    /// <summary>Raised before each attempt to open a connection (each retry within one too), for the start's liveness.</summary>
    internal event Action<ConnectionRole>? ConnectAttempted;

    /// <summary>The clock RPC deadlines, requeue delays and consumer restart delays run on: the <see cref="TimeProvider"/> registered in DI, else the system clock.</summary>
    internal TimeProvider Time { get; }

    /// <summary>The options the connections were made with (the RPC client reads <see cref="WarrenOptions.MaxMessageSize"/> from them).</summary>
    internal WarrenOptions Options => _options;

    /// <summary>True while the broker has blocked the publishing connection (a resource alarm).</summary>
    public bool IsPublishingBlocked { get; private set; }

    /// <summary>Where the connection of <paramref name="role"/> is: opened, open, blocked, recovering, given up or closed.</summary>
    public WarrenConnectionStatus GetStatus(ConnectionRole role) => _states[(int)role].Status;

    /// <summary>
    /// The last failed attempt to open a connection, while none has opened since: each retry of an attempt still under
    /// way counts (a <see cref="WarrenConnectionException"/> around the cause), then the attempt's own failure. Null once
    /// a connection opens. For health checks and the inner exception of a publish that timed out before anything was sent.
    /// </summary>
    internal ConnectFailure? LastConnectFailure => Volatile.Read(ref _lastConnectFailure);

    /// <summary>
    /// <see cref="LastConnectFailure"/> of the connection of <paramref name="role"/> alone, while it has not opened since:
    /// what a publish waiting for the publish connection quotes (not the consume connection's failure).
    /// </summary>
    internal ConnectFailure? LastConnectFailureOf(ConnectionRole role) => Volatile.Read(ref _lastConnectFailureOf[(int)role]);

    /// <summary>
    /// The connection being opened now (both are opened one at a time), else null: a publish that timed out waiting for
    /// the publish connection says whether it was still waiting behind the consume connection's open.
    /// </summary>
    internal ConnectionRole? Opening
    {
        get
        {
            var role = Volatile.Read(ref _opening);
            return role < 0 ? null : (ConnectionRole)role;
        }
    }

    /// <summary>The publishing connection when it is already opened (it may be recovering), else null; never opens one.</summary>
    internal IConnection? OpenedPublishConnection => _publish;

    /// <summary>
    /// The escape hatch to RabbitMQ.Client: the connection publishers use, opened if needed. Open your own channels on
    /// it for what Warren does not cover (and close them); never close the connection itself, which Warren owns.
    /// </summary>
    public ValueTask<IConnection> GetPublishConnectionAsync(CancellationToken cancellationToken = default) =>
        _publish is { } c ? new ValueTask<IConnection>(c) : OpenAsync(ConnectionRole.Publish, cancellationToken);

    /// <summary>
    /// The escape hatch to RabbitMQ.Client: the connection consumers and topology declarations use, opened if needed.
    /// Open your own channels on it (and close them); never close the connection itself, which Warren owns.
    /// </summary>
    public ValueTask<IConnection> GetConsumeConnectionAsync(CancellationToken cancellationToken = default) =>
        _consume is { } c ? new ValueTask<IConnection>(c) : OpenAsync(ConnectionRole.Consume, cancellationToken);

    /// <summary>False once Warren gave <paramref name="connection"/> up or closed it: whoever holds it should ask for the current one.</summary>
    internal bool IsInUse(IConnection connection) => ReferenceEquals(connection, _publish) || ReferenceEquals(connection, _consume);

    /// <summary>Closes both connections.</summary>
    public async ValueTask DisposeAsync()
    {
        // The hosted service closes the connections on stop and the container disposes them again: once is enough.
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            var publish = _publish;
            var consume = _consume;
            _publish = null;
            _consume = null;
            await CloseAsync(ConnectionRole.Publish, publish).ConfigureAwait(false);
            await CloseAsync(ConnectionRole.Consume, consume).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    private async ValueTask<IConnection> OpenAsync(ConnectionRole role, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            Volatile.Write(ref _opening, (int)role);
            ObjectDisposedException.ThrowIf(_disposed, this);
            var existing = role == ConnectionRole.Publish ? _publish : _consume;
            if (existing is not null)
            {
                return existing;
            }

            if (_states[(int)role].Status.State == WarrenConnectionState.Failed)
            {
                Log.ConnectionReopening(_logger, role);
            }

            var connection = await ConnectWithRetriesAsync(role, cancellationToken).ConfigureAwait(false);
            Volatile.Write(ref _lastConnectFailure, null);
            Volatile.Write(ref _lastConnectFailureOf[(int)role], null);
            Observe(role, connection);
            _states[(int)role].Opened();
            if (role == ConnectionRole.Publish)
            {
                _publish = connection;
            }
            else
            {
                _consume = connection;
            }

            Raise(role, ConnectionEventKind.Opened, null);
            return connection;
        }
        finally
        {
            Volatile.Write(ref _opening, -1);
            _gate.Release();
        }
    }

    private async Task<IConnection> ConnectWithRetriesAsync(ConnectionRole role, CancellationToken cancellationToken)
    {
        if (_source is not null)
        {
            ConnectAttempted?.Invoke(role);
            try
            {
                return await _source.ConnectAsync(role, ClientName(role), cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                // Recorded and reported as a failure of RabbitMQ.Client's factory is (one attempt: the source decides
                // itself whether to wait), so a test of a refused connection sees what production would.
                var cause = ConnectFailures.RootCause(ex);
                throw Failed(role, new WarrenConnectionException($"Could not open the {Describe(role)} connection through {_source.GetType().Name}: {ConnectFailures.Describe(cause)}.", cause));
            }
        }

        var settings = _settings.Value;
        var (factory, endpoints) = ConnectionFactoryBuilder.Build(settings, _options, ClientName(role), _factoryCallbacks, _logger);
        factory.TopologyRecoveryExceptionHandler = TopologyRecoveryHandler(role);

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(_options.ConnectTimeout);
        var delay = TimeSpan.FromMilliseconds(200);
        Exception? lastFailure = null;
        while (true)
        {
            try
            {
                ConnectAttempted?.Invoke(role);
                return await factory.CreateConnectionAsync(endpoints, ClientName(role), deadline.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is BrokerUnreachableException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
            {
                var cause = ex is BrokerUnreachableException ? ConnectFailures.RootCause(ex) : lastFailure;
                if (ConnectFailures.IsPermanent(cause))
                {
                    throw Failed(role, new WarrenConnectionException($"Could not open the {Describe(role)} connection to {settings}: {ConnectFailures.Describe(cause!)}.", cause!));
                }

                if (deadline.IsCancellationRequested)
                {
                    throw Failed(role, Unreachable(role, settings, cause));
                }

                lastFailure = cause;
                if (cause is not null)
                {
                    Failed(role, new WarrenConnectionException($"Could not open the {Describe(role)} connection to {settings} yet (still trying): {ConnectFailures.Describe(cause)}.", cause));
                }

                Log.ConnectRetry(_logger, role, settings.ToString(), delay, cause?.Message ?? ex.Message);
            }

            try
            {
                await Task.Delay(delay, deadline.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw Failed(role, Unreachable(role, settings, lastFailure));
            }

            delay = TimeSpan.FromMilliseconds(Math.Min(delay.TotalMilliseconds * 2, 5000));
        }
    }

    private static string Describe(ConnectionRole role) => role.ToString().ToLowerInvariant();

    /// <summary>Keeps <paramref name="failure"/> as <see cref="LastConnectFailure"/> (and its role's) and returns it.</summary>
    private WarrenConnectionException Failed(ConnectionRole role, WarrenConnectionException failure)
    {
        var recorded = new ConnectFailure(failure, Time.GetUtcNow());
        Volatile.Write(ref _lastConnectFailureOf[(int)role], recorded);
        Volatile.Write(ref _lastConnectFailure, recorded);
        return failure;
    }

    private WarrenConnectionException Unreachable(ConnectionRole role, ConnectionSettings settings, Exception? cause)
    {
        var message = $"Could not open the {Describe(role)} connection to {settings}: no endpoint answered within {_options.ConnectTimeout}"
            + (cause is null ? "." : $" (last failure: {cause.Message}).");
        return cause is null ? new WarrenConnectionException(message) : new WarrenConnectionException(message, cause);
    }

    private string ClientName(ConnectionRole role) =>
        role == ConnectionRole.Publish ? _options.ClientName + ":publish" : _options.ClientName + ":consume";

    private void Observe(ConnectionRole role, IConnection connection)
    {
        connection.CallbackExceptionAsync += (_, e) =>
        {
            Log.ConnectionCallbackFailed(_logger, e.Exception, role, e.Detail is { Count: > 0 } detail ? string.Join(", ", detail.Keys) : string.Empty);
            return Task.CompletedTask;
        };
        var state = _states[(int)role];
        connection.ConnectionShutdownAsync += (_, e) =>
        {
            OnShutdown(role, connection, e);
            return Task.CompletedTask;
        };
        connection.RecoverySucceededAsync += (_, _) =>
        {
            if (IsInUse(connection))
            {
                state.Set(WarrenConnectionState.Open, null, resetFailures: true);
                Raise(role, ConnectionEventKind.Recovered, null);
            }

            return Task.CompletedTask;
        };
        connection.ConnectionRecoveryErrorAsync += (_, e) =>
        {
            if (IsInUse(connection))
            {
                state.Set(WarrenConnectionState.Recovering, e.Exception.Message);
                Raise(role, ConnectionEventKind.RecoveryFailed, e.Exception.Message);
            }

            return Task.CompletedTask;
        };
        connection.ConnectionBlockedAsync += (_, e) =>
        {
            if (role == ConnectionRole.Publish)
            {
                IsPublishingBlocked = true;
            }

            state.Set(WarrenConnectionState.Blocked, e.Reason);
            Raise(role, ConnectionEventKind.Blocked, e.Reason);
            return Task.CompletedTask;
        };
        connection.ConnectionUnblockedAsync += (_, _) =>
        {
            if (role == ConnectionRole.Publish)
            {
                IsPublishingBlocked = false;
            }

            if (state.Status.State == WarrenConnectionState.Blocked)
            {
                state.Set(WarrenConnectionState.Open, null);
            }

            Raise(role, ConnectionEventKind.Unblocked, null);
            return Task.CompletedTask;
        };
    }

    /// <summary>
    /// Runs on RabbitMQ.Client's threads when the connection closes: a lost connection is being recovered; one it will not
    /// recover, or whose recovery keeps failing, is given up.
    /// </summary>
    private void OnShutdown(ConnectionRole role, IConnection connection, ShutdownEventArgs e)
    {
        if (!IsInUse(connection))
        {
            // Closed by Warren (stop, or given up): nothing to report.
            return;
        }

        var state = _states[(int)role];
        var reason = $"{e.ReplyCode} {e.ReplyText}";
        if (Lost is { } lost)
        {
            foreach (var handler in lost.GetInvocationList())
            {
                try
                {
                    ((Action<IConnection, ShutdownEventArgs>)handler)(connection, e);
                }
                catch (Exception ex)
                {
                    Log.ConnectionSubscriberFailed(_logger, ex, role, ConnectionEventKind.Lost);
                }
            }
        }

        if (e.Initiator == ShutdownInitiator.Application)
        {
            if (e.ReplyCode == 541 && e.ReplyText == "FailedAutoRecovery")
            {
                // RabbitMQ.Client connected again but failed to restore what was on the connection, dropped the new
                // connection and tries again after the recovery interval.
                var failures = state.RecoveryFailed(reason);
                Raise(role, ConnectionEventKind.RecoveryFailed, $"attempt {failures}: {reason}");
                if (failures >= MaxFailedRecoveries)
                {
                    GiveUp(role, connection, $"automatic recovery failed {failures} times in a row after reconnecting ({reason})");
                }

                return;
            }

            GiveUp(role, connection, $"it was closed outside Warren ({reason}) and RabbitMQ.Client does not recover such a connection");
            return;
        }

        if (e.Initiator == ShutdownInitiator.Peer && e.ReplyCode == 403)
        {
            GiveUp(role, connection, $"the broker refused access ({reason}) and RabbitMQ.Client does not recover such a connection");
            return;
        }

        state.Set(WarrenConnectionState.Recovering, reason);
        Raise(role, ConnectionEventKind.Lost, reason);
    }

    /// <summary>Forgets a connection that will not come back, so the next use opens a new one, and closes it (stopping its recovery) in the background.</summary>
    private void GiveUp(ConnectionRole role, IConnection connection, string reason)
    {
        var replaced = role == ConnectionRole.Publish
            ? ReferenceEquals(Interlocked.CompareExchange(ref _publish, null, connection), connection)
            : ReferenceEquals(Interlocked.CompareExchange(ref _consume, null, connection), connection);
        if (!replaced)
        {
            return;
        }

        _states[(int)role].Set(WarrenConnectionState.Failed, reason);
        Log.ConnectionGivenUp(_logger, role, reason);
        Raise(role, ConnectionEventKind.Failed, reason);
        _ = Task.Run(async () =>
        {
            try
            {
                await connection.CloseAsync(TimeSpan.FromSeconds(2)).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                Log.CloseFailed(_logger, role, ex.Message);
            }

            connection.Dispose();
        });
    }

    /// <summary>
    /// Makes RabbitMQ.Client skip, with a log line, an entity the broker refuses to restore (a channel error) instead of
    /// abandoning the whole recovery; a lost connection or a timeout during recovery still makes it start over.
    /// </summary>
    private TopologyRecoveryExceptionHandler TopologyRecoveryHandler(ConnectionRole role) => new()
    {
        ExchangeRecoveryExceptionCondition = (_, ex) => IsRefusedByBroker(ex),
        ExchangeRecoveryExceptionHandlerAsync = (exchange, ex, _) => Skipped(role, $"exchange '{exchange.Name}'", ex),
        QueueRecoveryExceptionCondition = (_, ex) => IsRefusedByBroker(ex),
        QueueRecoveryExceptionHandlerAsync = (queue, ex, _) => Skipped(role, $"queue '{queue.Name}'", ex),
        BindingRecoveryExceptionCondition = (_, ex) => IsRefusedByBroker(ex),
        BindingRecoveryExceptionHandlerAsync = (binding, ex, _) => Skipped(role, $"binding of '{binding.Destination}' to exchange '{binding.Source}' with key '{binding.RoutingKey}'", ex),
        ConsumerRecoveryExceptionCondition = (_, ex) => IsRefusedByBroker(ex),
        ConsumerRecoveryExceptionHandlerAsync = (consumer, ex, _) => Skipped(role, $"consumer of queue '{consumer.Queue}'", ex),
    };

    /// <summary>The broker answered the re-declaration by closing its channel (404, 405, 406, 403): retrying the whole recovery cannot change that.</summary>
    internal static bool IsRefusedByBroker(Exception exception) =>
        exception is OperationInterruptedException { ShutdownReason: var reason } && ChannelErrors.IsChannelError(reason);

    private Task Skipped(ConnectionRole role, string entity, Exception exception)
    {
        var reason = exception is OperationInterruptedException { ShutdownReason: { } shutdown } ? $"{shutdown.ReplyCode} {shutdown.ReplyText}" : exception.Message;
        Log.TopologyRecoverySkipped(_logger, role, entity, reason);
        return Task.CompletedTask;
    }

    private async Task CloseAsync(ConnectionRole role, IConnection? connection)
    {
        if (connection is null)
        {
            return;
        }

        try
        {
            await connection.CloseAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationInterruptedException or ObjectDisposedException or System.IO.IOException)
        {
            Log.CloseFailed(_logger, role, ex.Message);
        }

        connection.Dispose();
        _states[(int)role].Set(WarrenConnectionState.Closed, null);
        Raise(role, ConnectionEventKind.Closed, null);
    }

    /// <summary>
    /// The state of one role's connection; written from RabbitMQ.Client's threads, read by health checks. Stamped on
    /// <see cref="Time"/>, the clock of <see cref="LastConnectFailure"/> and of the start-up state they are compared with.
    /// </summary>
    private sealed class RoleState(ConnectionRole role, TimeProvider time)
    {
        private readonly object _gate = new();
        private int _failedRecoveries;
        private DateTimeOffset? _lostAt;
        private int _outageFailures;
        private int _unloggedFailures;
        private DateTimeOffset _lastFailureLogged;

        public WarrenConnectionStatus Status { get; private set; } = new(role, WarrenConnectionState.NotOpened, time.GetUtcNow(), null);

        public void Opened() => Set(WarrenConnectionState.Open, null, resetFailures: true);

        public void Set(WarrenConnectionState state, string? error, bool resetFailures = false)
        {
            lock (_gate)
            {
                if (resetFailures)
                {
                    _failedRecoveries = 0;
                }

                var since = state == Status.State ? Status.Since : time.GetUtcNow();
                Status = new WarrenConnectionStatus(role, state, since, error ?? (state == WarrenConnectionState.Open ? null : Status.LastError));
            }
        }

        public int RecoveryFailed(string reason)
        {
            lock (_gate)
            {
                Set(WarrenConnectionState.Recovering, reason);
                return ++_failedRecoveries;
            }
        }

        /// <summary>Starts timing an outage (a later loss of the same outage keeps its start).</summary>
        public void OutageStarted()
        {
            lock (_gate)
            {
                _lostAt ??= time.GetUtcNow();
            }
        }

        /// <summary>
        /// Counts a failed recovery attempt of the current outage and says whether to log it: the first one is, then at most
        /// one every <see cref="RecoveryFailureLogInterval"/>, which tells how many were not logged since the previous one.
        /// </summary>
        public bool RecoveryAttemptFailed(out int attempt, out int suppressed, out TimeSpan down)
        {
            lock (_gate)
            {
                var now = time.GetUtcNow();
                _lostAt ??= now;
                down = now - _lostAt.Value;
                attempt = ++_outageFailures;
                if (attempt == 1 || now - _lastFailureLogged >= RecoveryFailureLogInterval)
                {
                    suppressed = _unloggedFailures;
                    _unloggedFailures = 0;
                    _lastFailureLogged = now;
                    return true;
                }

                suppressed = 0;
                _unloggedFailures++;
                return false;
            }
        }

        /// <summary>Ends the current outage: how long it lasted (null when none was under way) and how many recovery attempts failed.</summary>
        public (TimeSpan? Outage, int FailedAttempts) OutageEnded()
        {
            lock (_gate)
            {
                var outage = _lostAt is { } at ? time.GetUtcNow() - at : (TimeSpan?)null;
                var failed = _outageFailures;
                _lostAt = null;
                _outageFailures = 0;
                _unloggedFailures = 0;
                return (outage, failed);
            }
        }
    }

    /// <summary>
    /// Logs a connection change: a loss and failed recovery attempts at Warning (the latter rate-limited), the recovery with
    /// the outage's length, the rest at Information.
    /// </summary>
    private void LogChange(ConnectionRole role, ConnectionEventKind kind, string? reason)
    {
        var state = _states[(int)role];
        switch (kind)
        {
            case ConnectionEventKind.Lost:
                state.OutageStarted();
                Log.ConnectionLost(_logger, role, reason ?? "no reason given");
                return;
            case ConnectionEventKind.RecoveryFailed:
                if (state.RecoveryAttemptFailed(out var attempt, out var suppressed, out var down))
                {
                    if (suppressed == 0)
                    {
                        Log.RecoveryAttemptFailed(_logger, role, attempt, Round(down), reason ?? "no reason given");
                    }
                    else
                    {
                        Log.RecoveryAttemptsFailed(_logger, role, attempt, Round(down), suppressed, reason ?? "no reason given");
                    }
                }
                else
                {
                    Log.RecoveryAttemptFailedAgain(_logger, role, attempt, reason ?? "no reason given");
                }

                return;
            case ConnectionEventKind.Recovered:
                var (outage, failed) = state.OutageEnded();
                if (outage is { } length)
                {
                    Log.ConnectionRecovered(_logger, role, Round(length), failed);
                    return;
                }

                break;
            case ConnectionEventKind.Opened or ConnectionEventKind.Closed or ConnectionEventKind.Failed:
                state.OutageEnded();
                break;
        }

        Log.ConnectionChanged(_logger, role, kind, reason);

        static TimeSpan Round(TimeSpan value) => TimeSpan.FromMilliseconds(Math.Round(value.TotalMilliseconds / 100) * 100);
    }

    private void Raise(ConnectionRole role, ConnectionEventKind kind, string? reason)
    {
        LogChange(role, kind, reason);
        if (ConnectionChanged is not { } handlers)
        {
            return;
        }

        // Each subscriber on its own: one that throws must neither skip the others nor break RabbitMQ.Client's
        // recovery callbacks this runs in.
        var change = new ConnectionEvent(role, kind, reason);
        foreach (var handler in handlers.GetInvocationList())
        {
            try
            {
                ((Action<ConnectionEvent>)handler)(change);
            }
            catch (Exception ex)
            {
                Log.ConnectionSubscriberFailed(_logger, ex, role, kind);
            }
        }
    }
}

/// <summary>A failed attempt to open a connection and when it failed.</summary>
internal sealed record ConnectFailure(WarrenConnectionException Error, DateTimeOffset At);
