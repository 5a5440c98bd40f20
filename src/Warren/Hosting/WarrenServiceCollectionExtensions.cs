using System;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Warren;

/// <summary>Registers Warren in a service collection.</summary>
public static class WarrenServiceCollectionExtensions
{
    /// <summary>
    /// Registers Warren's options (bound from the <c>Warren</c> section, with <c>RABBITMQ_URL</c> as a fallback and
    /// validated at start-up), its two connections, <see cref="IPublisher"/>, <see cref="IMessageSender"/> and the
    /// hosted service that declares topology, then starts consumers, and stops them gracefully.
    /// </summary>
    /// <param name="services">The application's services.</param>
    /// <param name="configuration">The configuration holding the <c>Warren</c> section (and connection strings).</param>
    /// <param name="connectionName">
    /// The name of a connection string to connect with: when <c>ConnectionStrings:{connectionName}</c> is set (an AMQP
    /// URI, as an Aspire AppHost's <c>WithReference</c> provides it), it takes the place of <c>Warren:Url</c> and
    /// <c>Warren:Hosts</c>; when it is not set, those and <c>RABBITMQ_URL</c> are used. Null: no connection string is read.
    /// </param>
    public static WarrenBuilder AddWarren(this IServiceCollection services, IConfiguration configuration, string? connectionName = null)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        if (connectionName is not null)
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(connectionName);
        }

        var builder = services.AddWarren();
        services.Configure<WarrenOptions>(configuration.GetSection(WarrenOptions.SectionName));
        services.Configure<WarrenMonitoringOptions>(configuration.GetSection(WarrenMonitoringOptions.SectionName));
        services.PostConfigure<WarrenOptions>(options =>
        {
            options.ConnectionStringName = connectionName;
            if (connectionName is not null && configuration.GetConnectionString(connectionName) is { Length: > 0 } connectionString
                && !string.IsNullOrWhiteSpace(connectionString))
            {
                options.Url = connectionString.Trim();
                options.UrlSource = "ConnectionStrings:" + connectionName;
                options.Hosts.Clear();
            }
            else if (string.IsNullOrWhiteSpace(options.Url) && options.Hosts.Count == 0 && configuration[WarrenOptions.UrlEnvironmentVariable] is { Length: > 0 } url)
            {
                options.Url = url;
                options.UrlSource = WarrenOptions.UrlEnvironmentVariable;
            }
        });
        return builder;
    }

    /// <summary>Registers Warren with options from code only (and <c>RABBITMQ_URL</c>).</summary>
    public static WarrenBuilder AddWarren(this IServiceCollection services, Action<WarrenOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddOptions<WarrenOptions>().ValidateOnStart();
        if (configure is not null)
        {
            services.Configure(configure);
        }

        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<WarrenOptions>, WarrenOptionsValidator>());
        services.AddLogging();
        services.TryAddSingleton(sp => new WarrenConnections(
            sp.GetRequiredService<IOptions<WarrenOptions>>(),
            sp.GetRequiredService<ILogger<WarrenConnections>>(),
            sp.GetServices<ConnectionFactoryCallback>(),
            sp.GetService<IConnectionSource>(),
            sp.GetService<TimeProvider>()));
        services.TryAddSingleton(sp => new HandlerLifetimes(services, sp));
        services.TryAddSingleton<DelayedDelivery>();
        services.TryAddSingleton<MessagePublisher>();
        services.TryAddSingleton<IPublisher>(sp => sp.GetRequiredService<MessagePublisher>());
        services.TryAddSingleton<IMessageSender>(sp => sp.GetRequiredService<MessagePublisher>());
        services.TryAddSingleton<WarrenConsumers>();
        // On the clock of the connections' timestamps: readiness compares the two.
        services.TryAddSingleton(sp => new WarrenStartup(sp.GetService<TimeProvider>() ?? TimeProvider.System));
        services.TryAddSingleton<ConsumerHost>();
        services.TryAddSingleton<RpcClient>();
        services.TryAddSingleton<RpcServer>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, WarrenHostedService>());
        AddObservability(services);
        return new WarrenBuilder(services, ContractsOf(services));
    }

    /// <summary>The route table registered in <paramref name="services"/>, registered on the first call.</summary>
    private static MessageContracts ContractsOf(IServiceCollection services)
    {
        foreach (var descriptor in services)
        {
            if (descriptor.ServiceType == typeof(MessageContracts) && !descriptor.IsKeyedService && descriptor.ImplementationInstance is MessageContracts existing)
            {
                return existing;
            }
        }

        var contracts = new MessageContracts();
        services.AddSingleton(contracts);
        return contracts;
    }

    /// <summary>Metrics (from the application's <see cref="IMeterFactory"/> when it has one) and queue-depth monitoring.</summary>
    private static void AddObservability(IServiceCollection services)
    {
        services.AddOptions<WarrenMonitoringOptions>();
        services.TryAddSingleton<WarrenQueueMonitor>();
        services.TryAddSingleton(sp => new WarrenMetrics(sp.GetService<IMeterFactory>(), sp.GetRequiredService<WarrenConnections>(), sp.GetRequiredService<WarrenQueueMonitor>()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, QueueMonitorService>());
    }
}
