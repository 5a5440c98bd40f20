namespace Warren;

/// <summary>
/// The names under which Warren reports traces and metrics, for OpenTelemetry's <c>AddSource</c> and <c>AddMeter</c>
/// (see docs/observability.md for every span, instrument and attribute).
/// </summary>
public static class WarrenDiagnostics
{
    /// <summary>The <see cref="System.Diagnostics.ActivitySource"/> of Warren's publish, process and RPC spans.</summary>
    public const string ActivitySourceName = "Warren";

    /// <summary>The <see cref="System.Diagnostics.Metrics.Meter"/> of Warren's instruments.</summary>
    public const string MeterName = "Warren";
}
