using System;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
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
    public static WarrenBuilder AddWarren(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var builder = services.AddWarren();
        services.Configure<WarrenOptions>(configuration.GetSection(WarrenOptions.SectionName));
        services.PostConfigure<WarrenOptions>(options =>
        {
            if (string.IsNullOrWhiteSpace(options.Url) && options.Hosts.Count == 0 && configuration[WarrenOptions.UrlEnvironmentVariable] is { Length: > 0 } url)
            {
                options.Url = url;
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
        services.TryAddSingleton<WarrenConnections>();
        services.TryAddSingleton<MessagePublisher>();
        services.TryAddSingleton<IPublisher>(sp => sp.GetRequiredService<MessagePublisher>());
        services.TryAddSingleton<IMessageSender>(sp => sp.GetRequiredService<MessagePublisher>());
        services.TryAddSingleton<WarrenConsumers>();
        services.TryAddSingleton<ConsumerHost>();
        services.TryAddSingleton<RpcClient>();
        services.TryAddSingleton<RpcServer>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, WarrenHostedService>());
        return new WarrenBuilder(services);
    }
}
