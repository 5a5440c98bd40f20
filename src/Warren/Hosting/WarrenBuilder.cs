using System;
using Microsoft.Extensions.DependencyInjection;

namespace Warren;

/// <summary>Adds consumers and topology to the Warren registration; generated <c>AddGeneratedHandlers()</c> extends it.</summary>
public sealed class WarrenBuilder
{
    internal WarrenBuilder(IServiceCollection services)
    {
        Services = services;
    }

    /// <summary>The application's services.</summary>
    public IServiceCollection Services { get; }

    /// <summary>Consumes a queue with a dispatcher once the application starts.</summary>
    public WarrenBuilder AddConsumer(ConsumerDefinition consumer)
    {
        ArgumentNullException.ThrowIfNull(consumer);
        Services.AddSingleton(consumer);
        return this;
    }

    /// <summary>Declares this topology at start-up, before any consumer starts.</summary>
    public WarrenBuilder AddTopology(Topology topology)
    {
        ArgumentNullException.ThrowIfNull(topology);
        Services.AddSingleton(topology);
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
