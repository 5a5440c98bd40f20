using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Warren.Tests.Consuming;

/// <summary>
/// The per-message DI scope of a consumer's context: made only when asked for, one per delivery however many threads
/// ask, disposed with the delivery; handler classes registered as singletons come from the root provider without one.
/// </summary>
public sealed class MessageContextScopeTests
{
    private sealed class ScopedHandler : IDisposable
    {
        public bool Disposed { get; private set; }

        public void Dispose() => Disposed = true;
    }

    private sealed class SingletonHandler;

    private sealed class Dependency;

    /// <summary>Counts the scopes made.</summary>
    private sealed class CountingScopes(IServiceScopeFactory inner) : IServiceScopeFactory
    {
        private int _created;

        public int Created => Volatile.Read(ref _created);

        public IServiceScope CreateScope()
        {
            Interlocked.Increment(ref _created);
            return inner.CreateScope();
        }
    }

    private static (ServiceProvider Root, CountingScopes Scopes, HandlerLifetimes Lifetimes) Build(Action<IServiceCollection> register)
    {
        var services = new ServiceCollection();
        register(services);
        services.AddWarren(o => o.Url = "amqp://localhost/");
        var root = services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true });
        Assert.NotNull(root.GetRequiredService<HandlerLifetimes>());
        var scopes = new CountingScopes(root.GetRequiredService<IServiceScopeFactory>());
        return (root, scopes, new HandlerLifetimes(services, root, scopes));
    }

    private static MessageContext Context(CountingScopes scopes, HandlerLifetimes lifetimes)
    {
        Assert.Same(scopes, lifetimes.Scopes);
        return new("q", ReadOnlyMemory<byte>.Empty, lifetimes, CancellationToken.None);
    }

    [Fact]
    public async Task A_singleton_handler_needs_no_scope_and_is_the_same_instance_every_time()
    {
        var (root, scopes, lifetimes) = Build(s => s.AddSingleton<SingletonHandler>());
        await using var _ = root;
        var first = Context(scopes, lifetimes);
        var second = Context(scopes, lifetimes);
        var a = first.Handler<SingletonHandler>();
        var b = second.Handler<SingletonHandler>();
        await first.DisposeScopeAsync();
        await second.DisposeScopeAsync();

        Assert.Same(a, b);
        Assert.Same(root.GetRequiredService<SingletonHandler>(), a);
        Assert.Equal(0, scopes.Created);
    }

    [Fact]
    public async Task A_scoped_handler_gets_a_scope_per_delivery_disposed_with_it()
    {
        var (root, scopes, lifetimes) = Build(s => s.AddScoped<ScopedHandler>());
        await using var _ = root;
        var first = Context(scopes, lifetimes);
        var second = Context(scopes, lifetimes);
        var a = first.Handler<ScopedHandler>();
        var b = second.Handler<ScopedHandler>();

        Assert.NotSame(a, b);
        Assert.Same(a, first.Services.GetRequiredService<ScopedHandler>());
        Assert.Equal(2, scopes.Created);
        await first.DisposeScopeAsync();
        Assert.True(a.Disposed);
        Assert.False(b.Disposed);
        await second.DisposeScopeAsync();
        Assert.True(b.Disposed);
    }

    [Fact]
    public async Task The_last_registration_decides_and_keyed_ones_do_not_count()
    {
        // Registered as a singleton, then (last, so it wins) as scoped, plus a keyed singleton: scoped.
        var (root, scopes, lifetimes) = Build(s =>
        {
            s.AddSingleton<ScopedHandler>();
            s.AddScoped<ScopedHandler>();
            s.AddKeyedSingleton<ScopedHandler>("other");
        });
        await using var _ = root;
        Assert.False(lifetimes.IsSingleton(typeof(ScopedHandler)));
        Assert.False(lifetimes.IsSingleton(typeof(Dependency)));
        var context = Context(scopes, lifetimes);
        context.Handler<ScopedHandler>();
        Assert.Equal(1, scopes.Created);
        await context.DisposeScopeAsync();

        var (root2, _, lifetimes2) = Build(s =>
        {
            s.AddScoped<SingletonHandler>();
            s.AddSingleton<SingletonHandler>();
        });
        await using var __ = root2;
        Assert.True(lifetimes2.IsSingleton(typeof(SingletonHandler)));
    }

    [Fact]
    public async Task A_singleton_handler_is_resolved_once_and_a_scoped_one_per_delivery()
    {
        var resolved = 0;
        var (root, scopes, lifetimes) = Build(s =>
        {
            s.AddSingleton(_ =>
            {
                Interlocked.Increment(ref resolved);
                return new SingletonHandler();
            });
            s.AddScoped<ScopedHandler>();
        });
        await using var _ = root;
        var handlers = new List<SingletonHandler>();
        var scoped = new List<ScopedHandler>();
        for (var i = 0; i < 3; i++)
        {
            var context = Context(scopes, lifetimes);
            handlers.Add(context.Handler<SingletonHandler>());
            scoped.Add(context.Handler<ScopedHandler>());
            Assert.Same(scoped[^1], context.Handler<ScopedHandler>());
            await context.DisposeScopeAsync();
        }

        Assert.Equal(1, Volatile.Read(ref resolved));
        Assert.All(handlers, h => Assert.Same(root.GetRequiredService<SingletonHandler>(), h));
        Assert.Equal(3, scoped.Distinct().Count());
        Assert.All(scoped, h => Assert.True(h.Disposed));
        Assert.Equal(3, scopes.Created);
        Assert.False(lifetimes.TryGetSingleton<ScopedHandler>(out var none));
        Assert.Null(none);
    }

    [Fact]
    public async Task A_delivery_that_never_asks_makes_no_scope_and_one_that_asks_from_many_threads_makes_one()
    {
        var (root, scopes, lifetimes) = Build(s => s.AddScoped<Dependency>());
        await using var _ = root;
        var untouched = Context(scopes, lifetimes);
        await untouched.DisposeScopeAsync();
        Assert.Equal(0, scopes.Created);

        for (var round = 0; round < 50; round++)
        {
            var before = scopes.Created;
            var context = Context(scopes, lifetimes);
            using var start = new ManualResetEventSlim();
            var tasks = Enumerable.Range(0, 4).Select(_ => Task.Run(() =>
            {
                start.Wait();
                return context.Services.GetRequiredService<Dependency>();
            })).ToArray();
            start.Set();
            var resolved = await Task.WhenAll(tasks);
            Assert.Single(resolved.Distinct());
            Assert.Same(resolved[0], context.Services.GetRequiredService<Dependency>());
            await context.DisposeScopeAsync();
            // A scope that lost the race is made and disposed unused: at most one per thread, and one is kept.
            Assert.InRange(scopes.Created - before, 1, 4);
        }
    }

    [Fact]
    public async Task Asking_for_the_scope_after_the_delivery_was_handled_fails_clearly()
    {
        var (root, scopes, lifetimes) = Build(_ => { });
        await using var _ = root;
        var context = Context(scopes, lifetimes);
        await context.DisposeScopeAsync();
        Assert.Throws<ObjectDisposedException>(() => context.Services);
        Assert.Equal(0, scopes.Created);
    }

    [Fact]
    public void A_context_made_with_a_provider_uses_it()
    {
        var provider = new ServiceCollection().AddScoped<Dependency>().BuildServiceProvider();
        using var scope = provider.CreateScope();
        var context = new MessageContext("q", ReadOnlyMemory<byte>.Empty, scope.ServiceProvider, CancellationToken.None);
        Assert.Same(scope.ServiceProvider, context.Services);
        Assert.Same(scope.ServiceProvider.GetRequiredService<Dependency>(), WarrenDispatch.Handler<Dependency>(context));
    }
}
