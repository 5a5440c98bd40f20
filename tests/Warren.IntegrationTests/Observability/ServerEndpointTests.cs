using System;
using System.Diagnostics;
using System.Threading.Tasks;
using Warren.IntegrationTests.Runtime;
using Xunit;

namespace Warren.IntegrationTests.Observability;

[Collection(BrokerCollection.Name)]
public sealed class ServerEndpointTests(BrokerFixture broker)
{
    [Fact]
    public async Task A_connections_endpoint_is_read_once_and_a_disposed_connection_gives_no_endpoint_instead_of_throwing()
    {
        var connection = await broker.ConnectAsync();
        var endpoint = WarrenTracing.EndpointOf(connection);
        Assert.NotNull(endpoint);
        Assert.Equal(new Uri(broker.AmqpUrl).Host, endpoint.Host);
        Assert.True(endpoint.Port > 0);

        await connection.DisposeAsync();
        // What a span read when disposal raced a delivery or a publish: the client's Endpoint throws.
        Assert.Throws<ObjectDisposedException>(() => connection.Endpoint);
        Assert.Null(WarrenTracing.EndpointOf(connection));

        // Tagging from the endpoint read earlier needs no connection at all.
        using var activity = new Activity("process").Start();
        WarrenTracing.DescribeServer(activity, endpoint);
        Assert.Equal(endpoint.Host, activity.GetTagItem("server.address"));
        Assert.Equal((long)endpoint.Port, activity.GetTagItem("server.port"));
        WarrenTracing.DescribeServer(activity, null);
    }
}
