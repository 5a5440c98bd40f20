using System;
using Microsoft.Extensions.DependencyInjection;
using RabbitMQ.Client;

namespace Warren;

/// <summary>Adds consumers and topology to the Warren registration; generated <c>AddGeneratedHandlers()</c> extends it.</summary>
public sealed class WarrenBuilder : Infrastructure.IRegistrationRank<object>, Infrastructure.IRegistrationDepth<WarrenBuilder>
{
    internal WarrenBuilder(IServiceCollection services, MessageContracts contracts)
    {
        Services = services;
        Contracts = contracts;
    }

    /// <summary>The route table of this service collection (shared by every <c>AddWarren</c> call on it).</summary>
    internal MessageContracts Contracts { get; }

    /// <summary>The application's services.</summary>
    public IServiceCollection Services { get; }

    /// <summary>Consumes a queue with a dispatcher once the application starts.</summary>
    public WarrenBuilder AddConsumer(ConsumerDefinition consumer)
    {
        ArgumentNullException.ThrowIfNull(consumer);
        Services.AddSingleton(consumer);
        return this;
    }

    /// <summary>
    /// Registers (or replaces) the contract of <typeparamref name="T"/> for this application's <see cref="IPublisher"/>:
    /// for a message type without <c>[Exchange]</c>/<c>[Topic]</c>, or to route one differently. The generated
    /// <c>AddGeneratedHandlers()</c> calls this for every attributed message type.
    /// </summary>
    public WarrenBuilder AddContract<T>(MessageContract<T> contract)
    {
        Contracts.Register(contract);
        return this;
    }

    /// <summary>Declares this topology at start-up, before any consumer starts.</summary>
    public WarrenBuilder AddTopology(Topology topology)
    {
        ArgumentNullException.ThrowIfNull(topology);
        Services.AddSingleton(topology);
        return this;
    }

    /// <summary>
    /// Configures RabbitMQ.Client's <see cref="ConnectionFactory"/> for both of Warren's connections, after Warren has set
    /// credentials, heartbeat, recovery interval and client name from <see cref="WarrenOptions"/>: TLS with a private
    /// certificate authority or a client certificate (<see cref="ConnectionFactory.Ssl"/>), an OAuth2 or other
    /// <see cref="ConnectionFactory.CredentialsProvider"/>, <see cref="ConnectionFactory.ClientProperties"/>, timeouts.
    /// </summary>
    /// <remarks>
    /// This is the escape hatch to RabbitMQ.Client; callbacks run in the order they were added, once per connection
    /// opened. Where to connect always comes from Warren's options (<c>Warren:Url</c>, <c>Warren:Hosts</c> or the
    /// connection string): <see cref="ConnectionFactory.Uri"/>, <see cref="ConnectionFactory.HostName"/> and
    /// <see cref="ConnectionFactory.Port"/> set here are not used. <see cref="ConnectionFactory.Ssl"/> applies to every
    /// <c>amqps://</c> endpoint, and to every endpoint once its <see cref="SslOption.Enabled"/> is set; its
    /// <see cref="SslOption.ServerName"/> defaults to each endpoint's host. Automatic connection and topology recovery
    /// stay on whatever the callback sets (a warning is logged), because Warren's publishers and consumers rely on them.
    /// </remarks>
    public WarrenBuilder ConfigureConnectionFactory(Action<ConnectionFactory> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        Services.AddSingleton(new ConnectionFactoryCallback(configure));
        return this;
    }

    /// <summary>Changes options in code, after configuration is bound.</summary>
    public WarrenBuilder Configure(Action<WarrenOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        Services.Configure(configure);
        return this;
    }
}
