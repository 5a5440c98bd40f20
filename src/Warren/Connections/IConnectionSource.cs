using System.ComponentModel;
using System.Threading;
using System.Threading.Tasks;
using RabbitMQ.Client;

namespace Warren.Infrastructure;

/// <summary>
/// Opens the connections <see cref="WarrenConnections"/> hands out, in place of RabbitMQ.Client's
/// <c>ConnectionFactory</c>. Applications never implement it: it is the seam the <c>Warren.Testing</c> package plugs
/// its in-memory broker into, so the whole runtime and the generated code run unchanged in tests. When one is
/// registered in DI, <see cref="WarrenOptions"/>' URL, hosts and credentials are not used.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public interface IConnectionSource
{
    /// <summary>Opens the connection of <paramref name="role"/>, named <paramref name="clientName"/>.</summary>
    Task<IConnection> ConnectAsync(ConnectionRole role, string clientName, CancellationToken cancellationToken);
}
