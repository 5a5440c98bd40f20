using System;
using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;

namespace Warren;

/// <summary>
/// Which handler classes the application registered as singletons, read from the service registrations (the last
/// non-keyed registration of a type is the one the container resolves). A singleton handler is resolved from the root
/// provider, so a delivery whose handler does not ask for <see cref="MessageContext.Services"/> needs no DI scope;
/// scoped and transient handlers (the generated default is scoped) still get a scope per delivery.
/// </summary>
internal sealed class HandlerLifetimes(IServiceCollection services, IServiceProvider root)
{
    /// <summary>The application's root provider, which singletons are resolved from.</summary>
    public IServiceProvider Root { get; } = root;

    private readonly ConcurrentDictionary<Type, bool> _singletons = new();

    /// <summary>True when <paramref name="type"/> is registered, last, as a singleton.</summary>
    public bool IsSingleton(Type type) => _singletons.GetOrAdd(type, static (type, services) =>
    {
        for (var i = services.Count - 1; i >= 0; i--)
        {
            var descriptor = services[i];
            if (descriptor.ServiceType == type && !descriptor.IsKeyedService)
            {
                return descriptor.Lifetime == ServiceLifetime.Singleton;
            }
        }

        return false;
    }, services);
}
