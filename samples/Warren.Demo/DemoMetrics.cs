using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Linq;
using Warren;

// What an OpenTelemetry exporter would receive, summed (also linked into each Shop service).

/// <summary>Listens to Warren's meter like an OpenTelemetry MeterProvider would, and sums what it saw.</summary>
public sealed class DemoMetrics : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<string, double> _sums = new();
    private readonly ConcurrentDictionary<string, int> _counts = new();

    public DemoMetrics()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == WarrenDiagnostics.MeterName)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Add(instrument, value, tags));
        _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Add(instrument, value, tags));
        _listener.Start();
    }

    public void Print()
    {
        Line("published (confirmed)", Count("messaging.client.sent.messages|ok"), $"{Count("messaging.client.sent.messages|error")} failed");
        Line("delivered to consumers", Count("messaging.client.consumed.messages|ok"), null);
        Line("handled", Count("messaging.process.duration|ok"), $"{Count("messaging.process.duration|error")} failed, mean {Mean("messaging.process.duration|ok")} ms");
        Line("publish round trip", Count("messaging.client.operation.duration|ok"), $"mean {Mean("messaging.client.operation.duration|ok")} ms until confirmed");
        Line("retries", Count("warren.consumer.retries|ok"), null);
        Line("dead-lettered", Count("warren.consumer.dead_lettered|ok"), null);
        Line("RPC calls", Count("warren.rpc.client.calls|ok"), $"mean {Mean("warren.rpc.client.duration|ok")} ms");
        foreach (var (key, value) in _sums.Where(s => s.Key.StartsWith("warren.rpc.client.calls:", StringComparison.Ordinal)).OrderBy(s => s.Key, StringComparer.Ordinal))
        {
            Console.WriteLine($"     {key["warren.rpc.client.calls:".Length..],-30} {value,5}");
        }
    }

    public void Dispose() => _listener.Dispose();

    private static void Line(string what, double count, string? detail) =>
        Console.WriteLine($"   {what,-24} {count,5}{(detail is null ? "" : "   " + detail)}");

    private double Count(string key) => _sums.GetValueOrDefault(key);

    private string Mean(string key) => _counts.GetValueOrDefault(key) is > 0 and var n
        ? (_sums.GetValueOrDefault(key + "|sum") / n * 1000).ToString("F1", CultureInfo.InvariantCulture)
        : "-";

    private void Add<T>(Instrument instrument, T value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        where T : struct
    {
        var failed = false;
        string? outcome = null;
        foreach (var tag in tags)
        {
            failed |= tag.Key == "error.type";
            if (tag.Key == "warren.rpc.outcome")
            {
                outcome = tag.Value as string;
            }
        }

        var key = instrument.Name + (failed ? "|error" : "|ok");
        var amount = Convert.ToDouble(value, CultureInfo.InvariantCulture);
        if (instrument is Histogram<double>)
        {
            _sums.AddOrUpdate(key + "|sum", amount, (_, s) => s + amount);
            _counts.AddOrUpdate(key, 1, (_, c) => c + 1);
            _sums.AddOrUpdate(key, 1, (_, s) => s + 1);
            return;
        }

        _sums.AddOrUpdate(key, amount, (_, s) => s + amount);
        if (outcome is not null)
        {
            _sums.AddOrUpdate($"{instrument.Name}:{outcome}", amount, (_, s) => s + amount);
        }
    }
}
