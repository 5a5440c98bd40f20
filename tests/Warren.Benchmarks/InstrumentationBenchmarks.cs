using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Text;
using System.Threading;
using BenchmarkDotNet.Attributes;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace Warren.Benchmarks;

/// <summary>
/// What Warren's instrumentation costs per message with the OpenTelemetry SDK attached as the <c>otel</c> e2e scenario
/// attaches it, piece by piece, without a broker: the publish span with its <c>traceparent</c>, the process span read
/// from a delivered <c>traceparent</c> (bytes, as RabbitMQ.Client delivers it) with its attributes, and the four
/// measurements of one message. <c>none</c>: no listener; <c>full</c>: every span sampled and batch-exported;
/// <c>sampled</c>: <c>ParentBased(TraceIdRatioBased(0.1))</c> on traces this benchmark never samples (the nine in ten
/// that only carry their context). <see cref="BareSpans"/> is the same two spans without Warren's attributes and headers:
/// the part of the tracing that is the SDK's and <see cref="Activity"/>'s.
/// </summary>
[MemoryDiagnoser]
public class InstrumentationBenchmarks
{
    private const string Queue = "bench.instrumentation";
    private const string PublishSpanName = "publish " + Queue;
    private const string Exchange = "bench.events";
    private const string RoutingKey = "bench.payload.created";
    private const string ExchangeSpanName = "publish " + Exchange + ":" + RoutingKey;
    private readonly PublishDestination _fixedDestination = new(Exchange, RoutingKey);
    private readonly ProcessDestinations _destinations = new(Queue);
    private readonly Dictionary<string, object?> _lentHeaders = new(2, StringComparer.Ordinal);
    private readonly byte[] _traceParent = TraceContext.NewTraceParentBuffer();
    private TracerProvider? _tracing;
    private MeterProvider? _metering;
    private WarrenMetrics _metrics = null!;
    private BasicDeliverEventArgs _delivery = null!;
    private BasicDeliverEventArgs _exchangeDelivery = null!;
    private string _spanName = null!;
    private ActivityContext _parent;

    [Params("none", "full", "sampled")]
    public string Mode { get; set; } = "none";

    [GlobalSetup]
    public void Setup()
    {
        if (Mode != "none")
        {
            _tracing = Sdk.CreateTracerProviderBuilder()
                .AddSource(WarrenDiagnostics.ActivitySourceName)
                .SetSampler(Mode == "sampled" ? new ParentBasedSampler(new TraceIdRatioBasedSampler(0.1)) : new ParentBasedSampler(new AlwaysOnSampler()))
                .AddProcessor(new BatchActivityExportProcessor(new DiscardingExporter<Activity>()))
                .Build();
            _metering = Sdk.CreateMeterProviderBuilder()
                .AddMeter(WarrenDiagnostics.MeterName)
                .AddReader(new PeriodicExportingMetricReader(new DiscardingExporter<Metric>(), exportIntervalMilliseconds: 1000))
                .Build();
        }

        _metrics = new WarrenMetrics(factory: null);
        _spanName = WarrenTracing.ProcessSpanName(Queue);

        // Sampled (flags 01) for full, not sampled (00) for the parent-based sampler: its common case.
        var flags = Mode == "sampled" ? "00" : "01";
        var headers = new Dictionary<string, object?>
        {
            [TraceContext.TraceParent] = Encoding.UTF8.GetBytes($"00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-{flags}"),
        };
        _parent = TraceContext.Extract(headers);
        var properties = new BasicProperties { MessageId = "4f2c1d0e9b8a4c3d", Type = "bench.payload", Headers = headers };
        _delivery = new BasicDeliverEventArgs("ctag", 42, false, string.Empty, Queue, properties, ReadOnlyMemory<byte>.Empty, CancellationToken.None);
        _exchangeDelivery = new BasicDeliverEventArgs("ctag", 42, false, Exchange, RoutingKey, properties, ReadOnlyMemory<byte>.Empty, CancellationToken.None);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _tracing?.Dispose();
        _metering?.Dispose();
        _metrics.Dispose();
    }

    /// <summary>
    /// The publish span, its attributes and the <c>traceparent</c> header of a new message, as a publish makes them: the
    /// span's context taken (a span no sampler records ends there), then written as the publishing channel writes it,
    /// into headers lent for the send, as bytes it reuses.
    /// </summary>
    [Benchmark]
    public int PublishSpan()
    {
        var properties = new BasicProperties { MessageId = "4f2c1d0e9b8a4c3d", Type = "bench.payload" };
        var activity = WarrenTracing.StartPublish(PublishSpanName, Queue, null, string.Empty, Queue, properties.MessageId, null, properties.Type);
        var trace = TraceContext.Of(activity);
        if (activity is { IsAllDataRequested: false })
        {
            activity.Dispose();
            activity = null;
        }

        if (trace != default)
        {
            _lentHeaders.Clear();
            TraceContext.Inject(trace, properties.Headers = _lentHeaders, _traceParent);
        }

        activity?.Dispose();
        return properties.Headers?.Count ?? 0;
    }

    /// <summary>The process span: the producer's context read from the delivery, the attributes before and after the handler.</summary>
    [Benchmark]
    public bool ProcessSpan()
    {
        using var activity = WarrenTracing.StartProcess(_spanName, _delivery.BasicProperties.Headers);
        if (activity is { IsAllDataRequested: true })
        {
            WarrenTracing.DescribeProcess(activity, Queue, _delivery);
            WarrenTracing.EndProcess(activity, "ack", null, null, null, null);
        }

        return activity is not null;
    }

    /// <summary>
    /// What the two spans of a message cost without Warren: a producer span and a consumer span parented to an already
    /// read context, started and stopped through the same source and SDK, no attribute, no header. What
    /// <see cref="PublishSpan"/> and <see cref="ProcessSpan"/> add to it together is Warren's part of the tracing.
    /// </summary>
    [Benchmark]
    public bool BareSpans()
    {
        using (var producer = WarrenTracing.Source.StartActivity(PublishSpanName, ActivityKind.Producer))
        {
            if (producer is null)
            {
                return false;
            }
        }

        using var consumer = WarrenTracing.Source.StartActivity(ActivityKind.Consumer, _parent, name: _spanName);
        return consumer is not null;
    }

    /// <summary>
    /// The two spans as the <c>raw</c> e2e mode makes them by hand (<see cref="RawScenarios"/>): three attributes each,
    /// the <c>traceparent</c> as the activity's id string in a new header table, read back from its bytes through a
    /// string. Compared to <see cref="PublishSpan"/> + <see cref="ProcessSpan"/>: what Warren's spans cost beyond a
    /// minimal instrumentation of the same message.
    /// </summary>
    [Benchmark]
    public bool HandMadeSpans()
    {
        var properties = new BasicProperties { MessageId = "4f2c1d0e9b8a4c3d", Type = "bench.payload" };
        using (var producer = WarrenTracing.Source.StartActivity(PublishSpanName, ActivityKind.Producer))
        {
            if (producer is null)
            {
                return false;
            }

            if (producer.IsAllDataRequested)
            {
                producer.AddTag("messaging.system", "rabbitmq");
                producer.AddTag("messaging.destination.name", Queue);
                producer.AddTag("messaging.message.id", properties.MessageId);
            }

            properties.Headers = new Dictionary<string, object?>(1) { ["traceparent"] = producer.Id };
        }

        var parent = _delivery.BasicProperties.Headers?.TryGetValue("traceparent", out var value) == true && value is byte[] bytes
            && ActivityContext.TryParse(Encoding.UTF8.GetString(bytes), null, isRemote: true, out var read) ? read : default;
        using var consumer = WarrenTracing.Source.StartActivity(ActivityKind.Consumer, parent, name: _spanName);
        if (consumer is { IsAllDataRequested: true })
        {
            consumer.AddTag("messaging.system", "rabbitmq");
            consumer.AddTag("messaging.destination.name", Queue);
            consumer.AddTag("messaging.message.id", _delivery.BasicProperties.MessageId);
        }

        return consumer is not null;
    }

    /// <summary>
    /// Both spans of a message published through an exchange with a contract's fixed routing key and consumed from a
    /// bound queue: the destination attributes (<c>{exchange}:{key}</c>, <c>{exchange}:{key}:{queue}</c>) taken from
    /// the contract's and the consumer's caches, as Warren does.
    /// </summary>
    [Benchmark]
    public bool ExchangeSpans() => ExchangeSpansCore(_fixedDestination, _destinations);

    /// <summary><see cref="ExchangeSpans"/> with both destination attributes made per message: what the caches save.</summary>
    [Benchmark]
    public bool ExchangeSpansUncached() => ExchangeSpansCore(null, null);

    private bool ExchangeSpansCore(PublishDestination? fixedDestination, ProcessDestinations? destinations)
    {
        using (var producer = WarrenTracing.StartPublish(ExchangeSpanName, Exchange, RoutingKey, Exchange, RoutingKey, "4f2c1d0e9b8a4c3d", null, "bench.payload", fixedDestination: fixedDestination))
        {
            if (producer is null)
            {
                return false;
            }
        }

        using var activity = WarrenTracing.StartProcess(_spanName, _exchangeDelivery.BasicProperties.Headers);
        if (activity is { IsAllDataRequested: true })
        {
            WarrenTracing.DescribeProcess(activity, Queue, _exchangeDelivery, destinations);
            WarrenTracing.EndProcess(activity, "ack", null, null, null, null);
        }

        return activity is not null;
    }

    /// <summary>The four measurements of one message: sent and its duration, consumed, processing duration.</summary>
    [Benchmark]
    public void Metrics()
    {
        var started = Stopwatch.GetTimestamp();
        _metrics.Published(Queue, null, null, started);
        _metrics.Consumed(Queue);
        _metrics.Processed(Queue, null, started);
    }

    private sealed class DiscardingExporter<T> : BaseExporter<T>
        where T : class
    {
        public override ExportResult Export(in Batch<T> batch) => ExportResult.Success;
    }
}
