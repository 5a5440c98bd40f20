using System;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Warren;

/// <summary>Starts Warren with the host: topology first, then consumers; on stop, consumers drain, then connections close.</summary>
internal sealed class WarrenHostedService : IHostedService
{
    private readonly ConsumerHost _consumers;
    private readonly MessagePublisher _publisher;
    private readonly WarrenConnections _connections;
    private readonly ILogger _logger;

    public WarrenHostedService(ConsumerHost consumers, MessagePublisher publisher, WarrenConnections connections, ILogger<WarrenHostedService> logger)
    {
        _consumers = consumers;
        _publisher = publisher;
        _connections = connections;
        _logger = logger;
    }

    public Task StartAsync(CancellationToken cancellationToken) => _consumers.StartAsync(cancellationToken);

    public async Task StopAsync(CancellationToken cancellationToken)
    {
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
}
