using System;
using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.DependencyInjection;

namespace Warren;

/// <summary>
/// Where a delivery's handler class and scope come from. Which handler classes the application registered as
/// singletons is read from the service registrations (the last non-keyed registration of a type is the one the
/// container resolves): a singleton handler is resolved from the root provider, so a delivery whose handler does not
/// ask for <see cref="MessageContext.Services"/> needs no DI scope; scoped and transient handlers (the generated
/// default is scoped) still get a scope per delivery.
/// </summary>
internal sealed class HandlerLifetimes
{
    private readonly IServiceCollection? _services;
    private readonly ConcurrentDictionary<Type, bool> _singletons = new();

    /// <summary>Singleton handler instances by type, or <see cref="NotSingleton"/> for handler types that are not.</summary>
    private readonly ConcurrentDictionary<Type, object> _instances = new();

    /// <summary>Marks a handler type resolved per delivery (from its scope).</summary>
    private static readonly object NotSingleton = new();

    /// <summary>Resolves singletons registered in <paramref name="services"/> from <paramref name="root"/>; scopes come from <paramref name="scopes"/> (the root's by default).</summary>
    public HandlerLifetimes(IServiceCollection services, IServiceProvider root, IServiceScopeFactory? scopes = null)
    {
        _services = services;
        Root = root;
        Scopes = scopes ?? root.GetRequiredService<IServiceScopeFactory>();
    }

    /// <summary>Every handler class from a scope (no registrations known).</summary>
    public HandlerLifetimes(IServiceScopeFactory scopes)
    {
        Scopes = scopes;
    }

    /// <summary>The application's root provider, which singletons are resolved from (null: none are).</summary>
    public IServiceProvider? Root { get; }

    /// <summary>Makes the per-message scopes.</summary>
    public IServiceScopeFactory Scopes { get; }

    /// <summary>
    /// The handler class's instance when it is registered, last, as a singleton (resolved from <see cref="Root"/> once,
    /// then kept: one lookup per delivery instead of a registration check and a resolution); false otherwise.
    /// </summary>
    public bool TryGetSingleton<T>([MaybeNullWhen(false)] out T handler)
        where T : notnull
    {
        if (_services is not null && _instances.GetOrAdd(typeof(T), static (type, lifetimes) =>
            lifetimes.IsSingleton(type) ? lifetimes.Root!.GetRequiredService(type) : NotSingleton, this) is T instance)
        {
            handler = instance;
            return true;
        }

        handler = default;
        return false;
    }

    /// <summary>True when <paramref name="type"/> is registered, last, as a singleton.</summary>
    public bool IsSingleton(Type type) => _services is not null && _singletons.GetOrAdd(type, static (type, services) =>
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
    }, _services);
}
