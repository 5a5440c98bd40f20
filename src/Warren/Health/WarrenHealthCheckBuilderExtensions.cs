using System;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Warren;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds Warren's health checks to <c>AddHealthChecks()</c>.</summary>
public static class WarrenHealthCheckBuilderExtensions
{
    /// <summary>
    /// Registers Warren's health checks: <c>warren-connections</c> and <c>warren-consumers</c> (tagged
    /// <see cref="WarrenHealthCheckOptions.ReadinessTag"/>), <c>warren-queues</c> when a queue-depth limit is set (also
    /// readiness), and <c>warren-liveness</c> (tagged <see cref="WarrenHealthCheckOptions.LivenessTag"/>). All carry the
    /// tag <c>warren</c>. Needs <c>AddWarren</c>. Throws <see cref="ArgumentOutOfRangeException"/> when
    /// <see cref="WarrenHealthCheckOptions.StalledStartPeriod"/> is zero or negative.
    /// </summary>
    public static IHealthChecksBuilder AddWarrenHealthChecks(this IHealthChecksBuilder builder, Action<WarrenHealthCheckOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = new WarrenHealthCheckOptions();
        configure?.Invoke(options);
        if (options.StalledStartPeriod <= TimeSpan.Zero)
        {
            // Zero or less would mark every start stalled at once, and liveness would fail on the first probe.
            throw new ArgumentOutOfRangeException(
                nameof(configure),
                options.StalledStartPeriod,
                $"{nameof(WarrenHealthCheckOptions)}.{nameof(WarrenHealthCheckOptions.StalledStartPeriod)} must be positive (it is {options.StalledStartPeriod}); keep it above WarrenOptions.ConnectTimeout plus 30 s, the longest pause between attempts of a background start.");
        }

        string[] ready = ["warren", options.ReadinessTag];
        builder.Add(new HealthCheckRegistration("warren-connections", sp => new ConnectionsHealthCheck(sp.GetRequiredService<WarrenConnections>(), sp.GetService<WarrenStartup>()), HealthStatus.Unhealthy, ready));
        builder.Add(new HealthCheckRegistration("warren-consumers", sp => new ConsumersHealthCheck(sp.GetRequiredService<WarrenConsumers>(), sp.GetService<WarrenStartup>(), sp.GetRequiredService<WarrenConnections>()), HealthStatus.Unhealthy, ready));
        if (options.ChecksQueues)
        {
            builder.Add(new HealthCheckRegistration("warren-queues", sp => new QueueDepthHealthCheck(sp.GetRequiredService<WarrenQueueMonitor>(), options), HealthStatus.Unhealthy, ready));
        }

        builder.Add(new HealthCheckRegistration(
            "warren-liveness",
            sp => new LivenessHealthCheck(sp.GetRequiredService<WarrenConnections>(), sp.GetRequiredService<WarrenConsumers>(), options, sp.GetService<WarrenStartup>()),
            HealthStatus.Unhealthy,
            ["warren", options.LivenessTag]));
        return builder;
    }
}
