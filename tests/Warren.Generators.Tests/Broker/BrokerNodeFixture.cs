using System;
using System.Text;
using System.Threading.Tasks;
using RabbitMQ.Client;
using Warren.Testing;
using Xunit;

namespace Warren.Generators.Tests.Broker;

/// <summary>One RabbitMQ node for the tests of this collection: <c>[Collection(BrokerNode.Collection)]</c>.</summary>
[CollectionDefinition(Collection)]
public sealed class BrokerNode : ICollectionFixture<BrokerNodeFixture>
{
    public const string Collection = "broker node";
}

/// <summary>
/// The broker at <c>WARREN_TEST_AMQP_URL</c> if set, else a private RabbitMQ node started for these tests and removed
/// after them, with one connection.
/// </summary>
public sealed class BrokerNodeFixture : IAsyncLifetime
{
    private PrivateBroker? _broker;
    private IConnection? _connection;

    /// <summary>The broker's URL.</summary>
    public string Url { get; private set; } = string.Empty;

    public IConnection Connection => _connection ?? throw new InvalidOperationException("Not initialized.");

    public string Version { get; private set; } = string.Empty;

    public async Task InitializeAsync()
    {
        var url = Environment.GetEnvironmentVariable("WARREN_TEST_AMQP_URL") is { Length: > 0 } given ? given.Trim() : null;
        if (url is null)
        {
            _broker = await PrivateBroker.StartAsync();
            url = _broker.AmqpUrl;
        }

        Url = url;
        _connection = await new ConnectionFactory { Uri = new Uri(url), ClientProvidedName = "warren-generator-tests" }.CreateConnectionAsync();
        Version = _connection.ServerProperties?.TryGetValue("version", out var version) == true && version is byte[] bytes ? Encoding.UTF8.GetString(bytes) : "?";
    }

    public async Task DisposeAsync()
    {
        if (_connection is not null)
        {
            await _connection.DisposeAsync();
        }

        if (_broker is not null)
        {
            await _broker.DisposeAsync();
        }
    }
}
