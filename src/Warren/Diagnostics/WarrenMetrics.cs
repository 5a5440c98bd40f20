using System;
using System.ComponentModel;
using System.Collections.Generic;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using static Warren.SemanticConventions;

namespace Warren.Infrastructure;

/// <summary>
/// Warren's instruments on the <see cref="WarrenDiagnostics.MeterName"/> meter: the OpenTelemetry messaging semantic
/// conventions' <c>messaging.client.sent.messages</c>, <c>messaging.client.operation.duration</c>,
/// <c>messaging.client.consumed.messages</c> and <c>messaging.process.duration</c>, and Warren's own (retries,
/// dead-lettered messages, the publish window, consumer restarts, RPC calls, queue depth, connection state). Every tag
/// has low cardinality: exchanges, queues, routing-key templates, never a concrete routing key. Registered by
/// <c>AddWarren</c>, created from the application's <see cref="IMeterFactory"/> when there is one. The instruments and
/// their tags are listed in docs/observability.md.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class WarrenMetrics : IDisposable
{
    /// <summary>Bucket boundaries the semantic conventions advise for messaging durations, in seconds.</summary>
    private static readonly ConnectionRole[] Roles = [ConnectionRole.Publish, ConnectionRole.Consume];

    private static readonly double[] DurationBuckets = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];

    private readonly Meter _meter;
    private readonly bool _ownsMeter;
    private readonly Counter<long> _sent;
    private readonly Histogram<double> _operationDuration;
    private readonly Counter<long> _consumed;
    private readonly Histogram<double> _processDuration;
    private readonly Counter<long> _retries;
    private readonly Counter<long> _deadLettered;
    private readonly Counter<long> _windowWaits;
    private readonly UpDownCounter<long> _inFlight;
    private readonly Counter<long> _restarts;
    private readonly UpDownCounter<long> _pastTimeout;
    private readonly Counter<long> _rpcCalls;
    private readonly Histogram<double> _rpcDuration;
    private readonly Counter<long> _rpcServed;

    internal WarrenMetrics(IMeterFactory? factory, WarrenConnections? connections = null, WarrenQueueMonitor? queues = null)
    {
        var version = typeof(WarrenMetrics).Assembly.GetName().Version?.ToString();
        if (factory is not null)
        {
            _meter = factory.Create(new MeterOptions(WarrenDiagnostics.MeterName) { Version = version });
        }
        else
        {
            _meter = new Meter(WarrenDiagnostics.MeterName, version);
            _ownsMeter = true;
        }

        _sent = _meter.CreateCounter<long>("messaging.client.sent.messages", "{message}", "Messages Warren attempted to publish (error.type set when the broker did not confirm them).");
        _operationDuration = _meter.CreateHistogram("messaging.client.operation.duration", "s", "Duration of a publish, from the call until the broker's confirmation (retries after a lost connection included).", advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = DurationBuckets });
        _consumed = _meter.CreateCounter<long>("messaging.client.consumed.messages", "{message}", "Messages the broker delivered to Warren's consumers.");
        _processDuration = _meter.CreateHistogram("messaging.process.duration", "s", "Duration of handling one delivery (immediate retries included); error.type set when it failed.", advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = DurationBuckets });
        _retries = _meter.CreateCounter<long>("warren.consumer.retries", "{retry}", "Retries of failed messages: immediate (in-process), delayed (a copy to a retry queue) or requeue (returned to the queue after a delay).");
        _deadLettered = _meter.CreateCounter<long>("warren.consumer.dead_lettered", "{message}", "Messages dead-lettered by Warren, by reason.");
        _windowWaits = _meter.CreateCounter<long>("warren.publish.window.waits", "{publish}", "Publishes that had to wait for a free slot of the in-flight window (backpressure).");
        _inFlight = _meter.CreateUpDownCounter<long>("warren.publish.in_flight", "{publish}", "Publishes holding a slot of the in-flight window (serializing, sending or awaiting confirmation).");
        _restarts = _meter.CreateCounter<long>("warren.consumer.restarts", "{restart}", "Times a consumer opened a new channel and subscription after losing one.");
        _pastTimeout = _meter.CreateUpDownCounter<long>("warren.consumer.handlers_past_timeout", "{handler}", "Handlers still running a grace period after their HandlerTimeout fired: their messages are not settled until they return (the broker requeues those whose channel closed).");
        _rpcCalls = _meter.CreateCounter<long>("warren.rpc.client.calls", "{call}", "RPC calls made, by outcome.");
        _rpcDuration = _meter.CreateHistogram("warren.rpc.client.duration", "s", "Duration of an RPC call, from the request until the reply, timeout or failure.", advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = DurationBuckets });
        _rpcServed = _meter.CreateCounter<long>("warren.rpc.server.calls", "{call}", "RPC requests served, by outcome.");

        if (queues is not null)
        {
            _meter.CreateObservableGauge("warren.queue.messages.ready", () => ObserveQueues(queues, ready: true), "{message}", "Ready messages in the application's queues and dead-letter queues, as last read by passive declare.");
            _meter.CreateObservableGauge("warren.queue.consumers", () => ObserveQueues(queues, ready: false), "{consumer}", "Consumers of the application's queues, as last read by passive declare.");
        }

        if (connections is not null)
        {
            _meter.CreateObservableGauge("warren.connection.open", () => ObserveConnections(connections), "{connection}", "1 while Warren's connection of this role is open, else 0.");
        }
    }

    /// <summary>Disposes the meter when Warren created it itself (no <see cref="IMeterFactory"/>).</summary>
    public void Dispose()
    {
        if (_ownsMeter)
        {
            _meter.Dispose();
        }
    }

    internal bool PublishWindowEnabled => _inFlight.Enabled || _windowWaits.Enabled;

    internal void Published(string destination, string? template, string? errorType, long startTimestamp)
    {
        if (!_sent.Enabled && !_operationDuration.Enabled)
        {
            return;
        }

        var tags = new TagList
        {
            { MessagingSystem, RabbitMQSystem },
            { OperationName, Publish },
            { OperationType, Send },
            { DestinationName, destination },
        };
        if (template is not null)
        {
            tags.Add(DestinationTemplate, template);
        }

        if (errorType is not null)
        {
            tags.Add(ErrorType, errorType);
        }

        _sent.Add(1, tags);
        _operationDuration.Record(Stopwatch.GetElapsedTime(startTimestamp).TotalSeconds, tags);
    }

    internal void WindowWaited() => _windowWaits.Add(1);

    internal void InFlight(int change) => _inFlight.Add(change);

    internal void Consumed(string queue)
    {
        if (_consumed.Enabled)
        {
            _consumed.Add(1, new KeyValuePair<string, object?>(MessagingSystem, RabbitMQSystem), new KeyValuePair<string, object?>(OperationName, Deliver), new KeyValuePair<string, object?>(DestinationName, queue));
        }
    }

    internal void Processed(string queue, string? errorType, long startTimestamp)
    {
        if (!_processDuration.Enabled)
        {
            return;
        }

        var tags = new TagList
        {
            { MessagingSystem, RabbitMQSystem },
            { OperationName, ProcessOperation },
            { DestinationName, queue },
        };
        if (errorType is not null)
        {
            tags.Add(ErrorType, errorType);
        }

        _processDuration.Record(Stopwatch.GetElapsedTime(startTimestamp).TotalSeconds, tags);
    }

    internal void Retried(string queue, string kind) =>
        _retries.Add(1, new KeyValuePair<string, object?>(DestinationName, queue), new KeyValuePair<string, object?>(RetryKind, kind));

    internal void DeadLettered(string queue, string reason) =>
        _deadLettered.Add(1, new KeyValuePair<string, object?>(DestinationName, queue), new KeyValuePair<string, object?>(DeadLetterReason, reason));

    internal void HandlersPastTimeout(string queue, int change) =>
        _pastTimeout.Add(change, new KeyValuePair<string, object?>(DestinationName, queue));

    internal void ConsumerRestarted(string queue) =>
        _restarts.Add(1, new KeyValuePair<string, object?>(DestinationName, queue));

    internal void RpcCalled(string service, string method, string outcome, long startTimestamp)
    {
        var tags = new TagList
        {
            { RpcService, service },
            { RpcMethod, method },
            { RpcOutcome, outcome },
        };
        _rpcCalls.Add(1, tags);
        if (_rpcDuration.Enabled)
        {
            _rpcDuration.Record(Stopwatch.GetElapsedTime(startTimestamp).TotalSeconds, tags);
        }
    }

    internal void RpcServed(string queue, string method, string outcome) =>
        _rpcServed.Add(1, new KeyValuePair<string, object?>(DestinationName, queue), new KeyValuePair<string, object?>(RpcMethod, method), new KeyValuePair<string, object?>(RpcOutcome, outcome));

    private static IEnumerable<Measurement<long>> ObserveQueues(WarrenQueueMonitor queues, bool ready)
    {
        foreach (var depth in queues.Depths)
        {
            if (!depth.Exists)
            {
                continue;
            }

            yield return new Measurement<long>(
                ready ? depth.ReadyMessages : depth.Consumers,
                new KeyValuePair<string, object?>(DestinationName, depth.Queue),
                new KeyValuePair<string, object?>(QueueKind, depth.Kind == WarrenQueueKind.DeadLetter ? "dead_letter" : "work"));
        }
    }

    private static IEnumerable<Measurement<long>> ObserveConnections(WarrenConnections connections)
    {
        foreach (var role in Roles)
        {
            var state = connections.GetStatus(role).State;
            if (state != WarrenConnectionState.NotOpened)
            {
                yield return new Measurement<long>(state is WarrenConnectionState.Open or WarrenConnectionState.Blocked ? 1 : 0, new KeyValuePair<string, object?>(ConnectionRoleTag, role == ConnectionRole.Publish ? "publish" : "consume"));
            }
        }
    }
}
