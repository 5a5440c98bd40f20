using System;
using System.Collections.Generic;
using System.Diagnostics;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Warren.Infrastructure;

namespace Warren.Benchmarks;

/// <summary>
/// Per-call and per-delivery costs changed together, each beside what it did before (kept here only as the baseline of
/// this comparison): the trace-context headers of an RPC request, the look-up of a returned publish among a full window
/// of pending publishes, and the logging scope of a delivery when the logging keeps no scopes.
/// </summary>
[MemoryDiagnoser]
public class RuntimeCostBenchmarks
{
    private const int Window = 1_024;

    private readonly LentHeadersPool _headers = new(256);
    private readonly Dictionary<ulong, PendingPublish> _pending = [];
    private readonly Dictionary<ulong, PendingPublish> _byMessageId = [];
    private ActivityContext _trace;
    private ServiceProvider? _services;
    private ILogger _logger = Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;
    private LogScopes _scopes = LogScopes.Always;

    [GlobalSetup]
    public void Setup()
    {
        _trace = new ActivityContext(ActivityTraceId.CreateRandom(), ActivitySpanId.CreateRandom(), ActivityTraceFlags.Recorded);

        // A full window on one channel, sequence numbers 1..1024, message-id counters 5001..6024: the return names the last.
        for (var i = 1UL; i <= Window; i++)
        {
            var pending = new PendingPublish(5_000 + i);
            _pending[i] = pending;
            _byMessageId[pending.Counter] = pending;
        }

        // Microsoft.Extensions.Logging with a provider and CaptureScopes = false: BeginScope opens nothing.
        _services = new ServiceCollection()
            .AddLogging(b => b.AddSimpleConsole().Services.Configure<LoggerFilterOptions>(o => o.CaptureScopes = false))
            .BuildServiceProvider();
        var factory = _services.GetRequiredService<ILoggerFactory>();
        _logger = factory.CreateLogger("Warren.Consumer.orders");
        _scopes = LogScopes.Of(factory, _services.GetRequiredService<IOptionsMonitor<LoggerFilterOptions>>());
    }

    [GlobalCleanup]
    public void Cleanup() => _services?.Dispose();

    /// <summary>Before: a header table and a <c>traceparent</c> string per RPC call made inside an activity.</summary>
    [Benchmark]
    public int RpcHeadersBefore()
    {
        var headers = new Dictionary<string, object?>(2, StringComparer.Ordinal);
        TraceContext.Inject(_trace, headers);
        return headers.Count;
    }

    /// <summary>Now: a table lent from the pool, the <c>traceparent</c> written as bytes into its own buffer.</summary>
    [Benchmark]
    public int RpcHeaders()
    {
        var headers = _headers.Rent(_trace);
        var count = headers.Table.Count;
        _headers.Return(headers);
        return count;
    }

    /// <summary>Before: a returned publish looked for through the pending publishes (the last of a full window).</summary>
    [Benchmark]
    public bool ReturnLookupBefore()
    {
        const ulong counter = 5_000 + Window;
        foreach (var (_, pending) in _pending)
        {
            if (pending.Counter == counter)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Now: one look-up in the index by message id.</summary>
    [Benchmark]
    public bool ReturnLookup() => _byMessageId.TryGetValue(5_000 + Window, out _);

    /// <summary>Now, paid by every publish for that look-up: entering and leaving the index.</summary>
    [Benchmark]
    public int ReturnIndexUpkeep()
    {
        var pending = _byMessageId[5_001];
        _byMessageId.Remove(5_001);
        _byMessageId[5_001] = pending;
        return _byMessageId.Count;
    }

    /// <summary>Before: the scope object of a delivery made and passed to a logging that keeps no scopes.</summary>
    [Benchmark]
    public bool DeliveryScopeBefore()
    {
        using var scope = _logger.BeginScope(new MessageLogScope("m-1", "orders.placed", "orders", "c-1"));
        return scope is null;
    }

    /// <summary>Now: nothing made when the logging keeps no scopes.</summary>
    [Benchmark]
    public bool DeliveryScope()
    {
        using var scope = _scopes.BeginMessage(_logger, "m-1", "orders.placed", "orders", "c-1");
        return scope is null;
    }

    private sealed class PendingPublish(ulong counter)
    {
        public ulong Counter { get; } = counter;
    }
}
