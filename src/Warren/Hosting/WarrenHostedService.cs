using System;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Warren;

/// <summary>
/// Starts Warren with the host: topology first, then consumers — before the host's next service starts
/// (<see cref="WarrenStartMode.FailFast"/>) or in the background until the broker answers
/// (<see cref="WarrenStartMode.Background"/>). On stop, consumers drain, then connections close.
/// </summary>
internal sealed class WarrenHostedService : IHostedService
{
    private static readonly TimeSpan FirstRetryDelay = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(30);

    private readonly ConsumerHost _consumers;
    private readonly MessagePublisher _publisher;
    private readonly WarrenConnections _connections;
    private readonly WarrenStartup _startup;
    private readonly WarrenOptions _options;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stopping = new();
    private Task _background = Task.CompletedTask;

    public WarrenHostedService(ConsumerHost consumers, MessagePublisher publisher, WarrenConnections connections, WarrenStartup startup, IOptions<WarrenOptions> options, ILogger<WarrenHostedService> logger)
    {
        _consumers = consumers;
        _publisher = publisher;
        _connections = connections;
        _startup = startup;
        _options = options.Value;
        _logger = logger;

        // Each connection attempt (every retry within one) is a sign that the start is alive; see the liveness check.
        _connections.ConnectAttempted += role => _startup.Progress($"opening the {role.ToString().ToLowerInvariant()} connection");
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var background = _options.StartMode == WarrenStartMode.Background;
        _startup.Begin(gatePublishes: background);
        _consumers.Prepare();
        if (background)
        {
            Log.StartingInBackground(_logger);
            _background = Task.Run(() => StartInBackgroundAsync(_stopping.Token), CancellationToken.None);
            return;
        }

        try
        {
            await ConnectAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            _startup.Fail(ex);
            throw;
        }

        _startup.Ready();
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        await _background.ConfigureAwait(false);
        _startup.Stop();
        try
        {
            await _consumers.StopAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            Log.ConsumerStopFailed(_logger, "*", ex.Message);
        }
        finally
        {
            // Whatever happened to the consumers, the publisher and the connections are closed.
            try
            {
                await _publisher.DisposeAsync().ConfigureAwait(false);
            }
            finally
            {
                await _connections.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// Declares the topology and subscribes the consumers on the consuming connection, then opens the publishing
    /// connection: once this returns, both connections are open, whether or not the application declares anything.
    /// </summary>
    private async Task ConnectAsync(CancellationToken cancellationToken)
    {
        await _consumers.DeclareAndSubscribeAsync(cancellationToken, _startup.Progress).ConfigureAwait(false);
        _startup.Progress("opening the publish connection");
        await _connections.GetPublishConnectionAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Connects, declares and subscribes, retrying with back-off until it succeeds or the host stops. Never throws.</summary>
    private async Task StartInBackgroundAsync(CancellationToken token)
    {
        var delay = FirstRetryDelay;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                _startup.AttemptBegan(attempt);
                await ConnectAsync(token).ConfigureAwait(false);
                _startup.Ready();
                Log.StartedInBackground(_logger, attempt);
                return;
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                // Whatever failed (the broker unreachable, refused credentials, a declaration the broker rejects) is
                // logged and tried again: the cause may be fixed while the application runs.
                _startup.Fail(ex);
                if (ex is WarrenConnectionException { InnerException: var cause } && !ConnectFailures.IsPermanent(cause))
                {
                    Log.BrokerNotReachedYet(_logger, attempt, ex.Message, delay);
                }
                else
                {
                    Log.BackgroundStartFailed(_logger, ex, attempt, delay);
                }
            }

            try
            {
                await Task.Delay(delay, token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxRetryDelay.Ticks));
        }
    }
}
