using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Hosting;

namespace Warren;

/// <summary>Starts Warren with the host: topology first, then consumers; on stop, consumers drain, then connections close.</summary>
internal sealed class WarrenHostedService : IHostedService
{
    private readonly ConsumerHost _consumers;
    private readonly MessagePublisher _publisher;
    private readonly WarrenConnections _connections;

    public WarrenHostedService(ConsumerHost consumers, MessagePublisher publisher, WarrenConnections connections)
    {
        _consumers = consumers;
        _publisher = publisher;
        _connections = connections;
    }

    public Task StartAsync(CancellationToken cancellationToken) => _consumers.StartAsync(cancellationToken);

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _consumers.StopAsync(cancellationToken).ConfigureAwait(false);
        await _publisher.DisposeAsync().ConfigureAwait(false);
        await _connections.DisposeAsync().ConfigureAwait(false);
    }
}
