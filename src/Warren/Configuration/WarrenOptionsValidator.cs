using System;
using System.Collections.Generic;
using Microsoft.Extensions.Options;

namespace Warren;

/// <summary>Checks <see cref="WarrenOptions"/> at start-up; every message says what to change and never shows a credential.</summary>
internal sealed class WarrenOptionsValidator : IValidateOptions<WarrenOptions>
{
    public ValidateOptionsResult Validate(string? name, WarrenOptions options)
    {
        var errors = new List<string>();
        try
        {
            ConnectionSettings.From(options);
        }
        catch (WarrenConfigurationException ex)
        {
            errors.Add(ex.Message);
        }

        if (options.Prefetch == 0)
        {
            errors.Add("Warren:Prefetch must be at least 1 (0 would let the broker send unlimited unacknowledged messages).");
        }

        if (options.Concurrency < 1)
        {
            errors.Add($"Warren:Concurrency must be at least 1 (was {options.Concurrency}).");
        }

        if (options.PublishChannels is < 1 or > 64)
        {
            errors.Add($"Warren:PublishChannels must be between 1 and 64 (was {options.PublishChannels}).");
        }

        if (options.MaxInFlightPublishes < 1)
        {
            errors.Add($"Warren:MaxInFlightPublishes must be at least 1 (was {options.MaxInFlightPublishes}).");
        }

        if (options.PublishTimeout <= TimeSpan.Zero)
        {
            errors.Add("Warren:PublishTimeout must be positive, e.g. \"00:00:30\".");
        }

        if (!Enum.IsDefined(options.StartMode))
        {
            errors.Add($"Warren:StartMode must be FailFast or Background (was {(int)options.StartMode}).");
        }

        if (options.ConnectTimeout <= TimeSpan.Zero)
        {
            errors.Add("Warren:ConnectTimeout must be positive, e.g. \"00:00:30\".");
        }

        if (options.ShutdownTimeout < TimeSpan.Zero)
        {
            errors.Add("Warren:ShutdownTimeout must not be negative.");
        }

        if (options.Heartbeat != TimeSpan.Zero && (options.Heartbeat < TimeSpan.FromSeconds(1) || options.Heartbeat > TimeSpan.FromSeconds(ushort.MaxValue) || options.Heartbeat.Ticks % TimeSpan.TicksPerSecond != 0))
        {
            errors.Add($"Warren:Heartbeat must be whole seconds from 1 to {ushort.MaxValue} (AMQP counts it in seconds), or 00:00:00 to turn heartbeats off (was {options.Heartbeat}).");
        }

        if (options.StreamOffsetSaveInterval <= TimeSpan.Zero)
        {
            errors.Add("Warren:StreamOffsetSaveInterval must be positive.");
        }

        if (options.RequeueDelay < TimeSpan.Zero)
        {
            errors.Add("Warren:RequeueDelay must not be negative.");
        }

        if (options.ConsumerRestartDelay <= TimeSpan.Zero)
        {
            errors.Add("Warren:ConsumerRestartDelay must be positive, e.g. \"00:00:01\".");
        }

        if (options.MaxMessageSize < 1)
        {
            errors.Add($"Warren:MaxMessageSize must be positive (was {options.MaxMessageSize}).");
        }

        if (string.IsNullOrWhiteSpace(options.ClientName))
        {
            errors.Add("Warren:ClientName must not be empty: the broker shows it for every connection.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
