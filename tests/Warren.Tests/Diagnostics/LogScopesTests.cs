using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Xunit;

namespace Warren.Tests.Diagnostics;

/// <summary>
/// The per-delivery logging scope is made only when the application's logging keeps scopes: with
/// Microsoft.Extensions.Logging's factory and <see cref="LoggerFilterOptions.CaptureScopes"/> false, or with logging off,
/// opening it allocates nothing; with scopes kept, a log line of another category written inside carries its values.
/// </summary>
public sealed class LogScopesTests
{
    private const int Deliveries = 1_000;

    [Fact]
    public void A_scope_kept_by_the_logging_reaches_the_handlers_own_log_lines()
    {
        var sink = new ScopeRecordingProvider();
        using var services = Services(sink, captureScopes: true);
        var scopes = LogScopes.Of(services.GetRequiredService<ILoggerFactory>(), services.GetRequiredService<IOptionsMonitor<LoggerFilterOptions>>(), services.GetServices<ILoggerProvider>());
        var warren = services.GetRequiredService<ILoggerFactory>().CreateLogger("Warren.Consumer.orders");
        var handler = services.GetRequiredService<ILoggerFactory>().CreateLogger("MyApp.OrderHandler");

        Assert.True(scopes.AreKept);
        using (scopes.BeginMessage(warren, "m-1", "orders.placed", "orders", "c-1"))
        {
            handler.LogInformation("handling");
        }

        var line = Assert.Single(sink.Lines);
        Assert.Equal("handling", line.Message);
        Assert.Equal(
            [("MessageId", "m-1"), ("MessageContract", "orders.placed"), ("Queue", "orders"), ("CorrelationId", "c-1")],
            line.Scope.Select(p => (p.Key, p.Value as string)));

        // And a scope is made per delivery: the allocation the other cases do without.
        Assert.True(AllocatedByDeliveries(scopes, warren) >= Deliveries * 40, "a kept scope allocated nothing: the measurement does not see it");
    }

    [Fact]
    public void No_scope_is_made_when_the_logging_captures_none()
    {
        var sink = new ScopeRecordingProvider();
        using var services = Services(sink, captureScopes: false);
        var scopes = LogScopes.Of(services.GetRequiredService<ILoggerFactory>(), services.GetRequiredService<IOptionsMonitor<LoggerFilterOptions>>(), services.GetServices<ILoggerProvider>());
        var warren = services.GetRequiredService<ILoggerFactory>().CreateLogger("Warren.Consumer.orders");

        Assert.False(scopes.AreKept);
        var allocated = AllocatedByDeliveries(scopes, warren);
        Assert.True(allocated == 0, $"{allocated} bytes allocated for {Deliveries} deliveries' scopes with CaptureScopes false");

        // The factory itself would have opened nothing either: a handler's line carries no scope, as before.
        using (warren.BeginScope(new MessageLogScope("m-1", "orders.placed", "orders", null)))
        {
            services.GetRequiredService<ILoggerFactory>().CreateLogger("MyApp.OrderHandler").LogInformation("handling");
        }

        Assert.Empty(Assert.Single(sink.Lines).Scope);
    }

    [Fact]
    public void No_scope_is_made_when_no_logger_provider_is_registered()
    {
        // A host built without its defaults: the factory is there, no provider reads anything.
        using var services = new ServiceCollection().AddLogging().BuildServiceProvider();
        var factory = services.GetRequiredService<ILoggerFactory>();
        var scopes = LogScopes.Of(factory, services.GetRequiredService<IOptionsMonitor<LoggerFilterOptions>>(), services.GetServices<ILoggerProvider>());
        Assert.False(scopes.AreKept);
        var allocated = AllocatedByDeliveries(scopes, factory.CreateLogger("Warren.Consumer.orders"));
        Assert.True(allocated == 0, $"{allocated} bytes allocated for {Deliveries} deliveries' scopes without a logger provider");
    }

    [Fact]
    public void No_scope_is_made_when_logging_is_off()
    {
        var scopes = LogScopes.Of(NullLoggerFactory.Instance, null);
        Assert.False(scopes.AreKept);
        var allocated = AllocatedByDeliveries(scopes, NullLogger.Instance);
        Assert.True(allocated == 0, $"{allocated} bytes allocated for {Deliveries} deliveries' scopes with logging off");
    }

    [Fact]
    public void Another_logger_factory_always_gets_the_scope()
    {
        Assert.True(LogScopes.Of(new ForeignFactory(), null).AreKept);
    }

    private static long AllocatedByDeliveries(LogScopes scopes, ILogger logger)
    {
        // Warmed up first: the measured loop must see the steady state only.
        Open(scopes, logger, 10);
        var before = GC.GetAllocatedBytesForCurrentThread();
        Open(scopes, logger, Deliveries);
        return GC.GetAllocatedBytesForCurrentThread() - before;

        static void Open(LogScopes scopes, ILogger logger, int count)
        {
            for (var i = 0; i < count; i++)
            {
                using var scope = scopes.BeginMessage(logger, "m-1", "orders.placed", "orders", "c-1");
            }
        }
    }

    private static ServiceProvider Services(ScopeRecordingProvider sink, bool captureScopes) =>
        new ServiceCollection()
            .AddLogging(b => b.AddProvider(sink).Services.Configure<LoggerFilterOptions>(o => o.CaptureScopes = captureScopes))
            .BuildServiceProvider();

    private sealed class ForeignFactory : ILoggerFactory
    {
        public void AddProvider(ILoggerProvider provider)
        {
        }

        public ILogger CreateLogger(string categoryName) => NullLogger.Instance;

        public void Dispose()
        {
        }
    }

    /// <summary>A provider that reads scopes the way console, OpenTelemetry and most providers do (an external scope provider).</summary>
    private sealed class ScopeRecordingProvider : ILoggerProvider, ISupportExternalScope
    {
        private IExternalScopeProvider? _scopes;

        public List<(string Message, List<KeyValuePair<string, object?>> Scope)> Lines { get; } = [];

        public ILogger CreateLogger(string categoryName) => new Recorder(this);

        public void SetScopeProvider(IExternalScopeProvider scopeProvider) => _scopes = scopeProvider;

        public void Dispose()
        {
        }

        private sealed class Recorder(ScopeRecordingProvider owner) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => owner._scopes?.Push(state);

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                var scope = new List<KeyValuePair<string, object?>>();
                owner._scopes?.ForEachScope((s, list) =>
                {
                    if (s is IEnumerable<KeyValuePair<string, object?>> pairs)
                    {
                        list.AddRange(pairs);
                    }
                }, scope);
                owner.Lines.Add((formatter(state, exception), scope));
            }
        }
    }
}
