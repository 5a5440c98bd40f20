using System;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Warren.Testing;

/// <summary>Registers the test harness.</summary>
public static class WarrenTestHarnessServiceCollectionExtensions
{
    /// <summary>
    /// Swaps RabbitMQ for an <see cref="InMemoryBroker"/> and registers <see cref="WarrenTestHarness"/>. Everything else
    /// stays: <c>AddWarren()</c>, the generated topology, dispatchers, publishers and RPC proxies, your handlers and
    /// their dependencies. Call it after (or before) your own registration, e.g. in <c>ConfigureTestServices</c>. The
    /// harness's clock becomes the <see cref="TimeProvider"/> in DI (virtual by default, see
    /// <see cref="WarrenTestHarnessOptions.UseVirtualTime"/>), so code of yours that takes a TimeProvider shares it.
    /// </summary>
    public static IServiceCollection AddWarrenTestHarness(this IServiceCollection services, Action<WarrenTestHarnessOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = new WarrenTestHarnessOptions();
        configure?.Invoke(options);
        var time = options.TimeProvider ?? (options.UseVirtualTime ? new VirtualClock() : TimeProvider.System);
        var broker = new InMemoryBroker(time);
        services.RemoveAll<IConnectionSource>();
        services.RemoveAll<TimeProvider>();
        services.AddSingleton(Options.Create(options));
        services.AddSingleton(broker);
        services.AddSingleton<IConnectionSource>(broker);
        services.AddSingleton(time);
        services.PostConfigure<WarrenOptions>(o =>
        {
            // Never used (the broker is in memory), but Warren's validation wants a broker address.
            if (string.IsNullOrWhiteSpace(o.Url) && o.Hosts.Count == 0)
            {
                o.Url = "amqp://in-memory:5672/";
            }
        });
        services.AddSingleton<HarnessLog>();
        services.AddSingleton<ILoggerProvider>(sp => sp.GetRequiredService<HarnessLog>());
        services.TryAddSingleton<WarrenTestHarness>();
        return services;
    }
}
