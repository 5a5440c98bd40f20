using System;
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
/// connection and topology recovery. Their state changes are logged and raised through <see cref="ConnectionChanged"/>.
/// </summary>
public sealed class WarrenConnections : IAsyncDisposable
{
    private const int BrokerMaxMessageSize = 128 * 1024 * 1024;

    private readonly WarrenOptions _options;
    private readonly ILogger _logger;
    private readonly Lazy<ConnectionSettings> _settings;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private IConnection? _publish;
    private IConnection? _consume;
    private bool _disposed;

    /// <summary>Creates the connection holder; nothing is opened until first use.</summary>
    public WarrenConnections(IOptions<WarrenOptions> options, ILogger<WarrenConnections> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Value;
        _logger = logger;
        _settings = new Lazy<ConnectionSettings>(() => ConnectionSettings.From(_options));
    }

    /// <summary>
    /// Raised on every state change of either connection (opened, lost, recovered, blocked, unblocked, closed), on
    /// RabbitMQ.Client's threads: keep subscribers short. An exception a subscriber throws is logged and goes no further.
    /// </summary>
    public event Action<ConnectionEvent>? ConnectionChanged;

    /// <summary>True while the broker has blocked the publishing connection (a resource alarm).</summary>
    public bool IsPublishingBlocked { get; private set; }

    /// <summary>The connection publishers use, opened if needed.</summary>
    public ValueTask<IConnection> GetPublishConnectionAsync(CancellationToken cancellationToken = default) =>
        _publish is { } c ? new ValueTask<IConnection>(c) : OpenAsync(ConnectionRole.Publish, cancellationToken);

    /// <summary>The connection consumers and topology declarations use, opened if needed.</summary>
    public ValueTask<IConnection> GetConsumeConnectionAsync(CancellationToken cancellationToken = default) =>
        _consume is { } c ? new ValueTask<IConnection>(c) : OpenAsync(ConnectionRole.Consume, cancellationToken);

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
            await CloseAsync(ConnectionRole.Publish, _publish).ConfigureAwait(false);
            await CloseAsync(ConnectionRole.Consume, _consume).ConfigureAwait(false);
            _publish = null;
            _consume = null;
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
            ObjectDisposedException.ThrowIf(_disposed, this);
            var existing = role == ConnectionRole.Publish ? _publish : _consume;
            if (existing is not null)
            {
                return existing;
            }

            var connection = await ConnectWithRetriesAsync(role, cancellationToken).ConfigureAwait(false);
            Observe(role, connection);
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
            _gate.Release();
        }
    }

    private async Task<IConnection> ConnectWithRetriesAsync(ConnectionRole role, CancellationToken cancellationToken)
    {
        var settings = _settings.Value;
        var factory = new ConnectionFactory
        {
            UserName = settings.UserName,
            Password = settings.Password,
            VirtualHost = settings.VirtualHost,
            AutomaticRecoveryEnabled = true,
            TopologyRecoveryEnabled = true,
            NetworkRecoveryInterval = _options.NetworkRecoveryInterval,
            RequestedHeartbeat = _options.Heartbeat,
            // Never below the broker's own maximum: a larger inbound body would make the client drop the whole
            // connection (and requeue the message forever). Warren:MaxMessageSize is enforced per message instead.
            MaxInboundMessageBodySize = (uint)Math.Max(_options.MaxMessageSize, BrokerMaxMessageSize),
            ClientProvidedName = ClientName(role),
        };

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(_options.ConnectTimeout);
        var delay = TimeSpan.FromMilliseconds(200);
        Exception? lastFailure = null;
        while (true)
        {
            try
            {
                return await factory.CreateConnectionAsync(settings.Endpoints, ClientName(role), deadline.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is BrokerUnreachableException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
            {
                var cause = ex is BrokerUnreachableException ? ConnectFailures.RootCause(ex) : lastFailure;
                if (ConnectFailures.IsPermanent(cause))
                {
                    throw new WarrenConnectionException($"Could not open the {Describe(role)} connection to {settings}: {ConnectFailures.Describe(cause!)}.", cause!);
                }

                if (deadline.IsCancellationRequested)
                {
                    throw Unreachable(role, settings, cause);
                }

                lastFailure = cause;
                Log.ConnectRetry(_logger, role, settings.ToString(), delay, cause?.Message ?? ex.Message);
            }

            try
            {
                await Task.Delay(delay, deadline.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw Unreachable(role, settings, lastFailure);
            }

            delay = TimeSpan.FromMilliseconds(Math.Min(delay.TotalMilliseconds * 2, 5000));
        }
    }

    private static string Describe(ConnectionRole role) => role.ToString().ToLowerInvariant();

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
        connection.ConnectionShutdownAsync += (_, e) =>
        {
            if (e.Initiator != ShutdownInitiator.Application)
            {
                Raise(role, ConnectionEventKind.Lost, $"{e.ReplyCode} {e.ReplyText}");
            }

            return Task.CompletedTask;
        };
        connection.RecoverySucceededAsync += (_, _) =>
        {
            Raise(role, ConnectionEventKind.Recovered, null);
            return Task.CompletedTask;
        };
        connection.ConnectionRecoveryErrorAsync += (_, e) =>
        {
            Raise(role, ConnectionEventKind.RecoveryFailed, e.Exception.Message);
            return Task.CompletedTask;
        };
        connection.ConnectionBlockedAsync += (_, e) =>
        {
            if (role == ConnectionRole.Publish)
            {
                IsPublishingBlocked = true;
            }

            Raise(role, ConnectionEventKind.Blocked, e.Reason);
            return Task.CompletedTask;
        };
        connection.ConnectionUnblockedAsync += (_, _) =>
        {
            if (role == ConnectionRole.Publish)
            {
                IsPublishingBlocked = false;
            }

            Raise(role, ConnectionEventKind.Unblocked, null);
            return Task.CompletedTask;
        };
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
        Raise(role, ConnectionEventKind.Closed, null);
    }

    private void Raise(ConnectionRole role, ConnectionEventKind kind, string? reason)
    {
        Log.ConnectionChanged(_logger, role, kind, reason ?? string.Empty);
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
