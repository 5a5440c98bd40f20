using System;
using System.Threading.Tasks;
using RabbitMQ.Client;
using Warren.Testing;
using Xunit;

namespace Warren.IntegrationTests;

/// <summary>The name of the xunit collection whose tests share one broker (<see cref="BrokerFixture"/>).</summary>
public static class BrokerCollection
{
    public const string Name = "broker";
}

/// <summary>Binds <see cref="BrokerFixture"/> to <see cref="BrokerCollection.Name"/>: use <c>[Collection(BrokerCollection.Name)]</c>.</summary>
[CollectionDefinition(BrokerCollection.Name)]
public sealed class BrokerCollectionDefinition : ICollectionFixture<BrokerFixture>
{
}

/// <summary>
/// One broker for all tests of the <see cref="BrokerCollection.Name"/> collection: the broker at
/// <c>WARREN_TEST_AMQP_URL</c> if that variable is set (nothing is started), else a private single node
/// (<see cref="PrivateBroker"/>) that is removed after the tests.
/// </summary>
public sealed class BrokerFixture : IAsyncLifetime
{
    /// <summary>Environment variable naming an existing broker to test against instead of a private node.</summary>
    public const string UrlVariable = "WARREN_TEST_AMQP_URL";

    private string? _amqpUrl;

    /// <summary>The URL of the broker under test.</summary>
    public string AmqpUrl => _amqpUrl ?? throw new InvalidOperationException("The broker fixture is not initialized.");

    /// <summary>The private broker, or null when <c>WARREN_TEST_AMQP_URL</c> points to an external one.</summary>
    public PrivateBroker? Broker { get; private set; }

    public async Task InitializeAsync()
    {
        var external = Environment.GetEnvironmentVariable(UrlVariable);
        if (!string.IsNullOrWhiteSpace(external))
        {
            _amqpUrl = external.Trim();
            return;
        }

        Broker = await PrivateBroker.StartAsync();
        _amqpUrl = Broker.AmqpUrl;
    }

    public async Task DisposeAsync()
    {
        if (Broker is not null)
        {
            await Broker.DisposeAsync();
        }
    }

    /// <summary>
    /// The private broker, for tests that stop, restart or close connections on the node. Against an external broker
    /// (<c>WARREN_TEST_AMQP_URL</c>) such a test cannot control the node and fails with this explanation, never skips.
    /// </summary>
    public PrivateBroker RequireLocalNode() =>
        Broker ?? throw new InvalidOperationException(
            $"This test controls the broker node (closing connections, restarting it) and needs the private node: unset {UrlVariable} to run it.");

    /// <summary>A factory for <see cref="AmqpUrl"/> (automatic recovery left at the client's default).</summary>
    public ConnectionFactory CreateConnectionFactory(string clientName = "warren-integration-tests") =>
        new() { Uri = new Uri(AmqpUrl), ClientProvidedName = clientName };

    /// <summary>Opens a connection to <see cref="AmqpUrl"/>; the caller disposes it.</summary>
    public Task<IConnection> ConnectAsync() => CreateConnectionFactory().CreateConnectionAsync();
}
