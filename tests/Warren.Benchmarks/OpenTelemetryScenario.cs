using System.Diagnostics;
using System.Threading;
using System.Threading.Tasks;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Warren.Benchmarks;

/// <summary>
/// The end-to-end scenario with the OpenTelemetry SDK listening to Warren as docs/observability.md sets it up: every span
/// sampled and handed to a batch exporter, the meter read every second. The exporters only count, so what is measured
/// is Warren's instrumentation and the SDK, not a network.
/// </summary>
internal static class OpenTelemetryScenario
{
    public static async Task<double> EndToEndAsync(string url, int count, int size)
    {
        var spans = new CountingExporter<Activity>();
        var metrics = new CountingExporter<Metric>();
        using var tracing = Sdk.CreateTracerProviderBuilder()
            .AddSource(WarrenDiagnostics.ActivitySourceName)
            .SetSampler(new AlwaysOnSampler())
            .AddProcessor(new BatchActivityExportProcessor(spans))
            .Build();
        using var metering = Sdk.CreateMeterProviderBuilder()
            .AddMeter(WarrenDiagnostics.MeterName)
            .AddReader(new PeriodicExportingMetricReader(metrics, exportIntervalMilliseconds: 1000))
            .Build();
        var rate = await WarrenScenarios.EndToEndRateAsync(url, count, size);
        tracing.ForceFlush();
        metering.ForceFlush();
        if (spans.Exported < count)
        {
            // Fewer spans than messages would mean the listener was not attached: the comparison would be void.
            throw new System.InvalidOperationException($"only {spans.Exported} spans were exported for {count} messages");
        }

        return rate;
    }

    private sealed class CountingExporter<T> : BaseExporter<T>
        where T : class
    {
        private long _exported;

        public long Exported => Interlocked.Read(ref _exported);

        public override ExportResult Export(in Batch<T> batch)
        {
            Interlocked.Add(ref _exported, batch.Count);
            return ExportResult.Success;
        }
    }
}
