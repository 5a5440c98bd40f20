using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Text;

namespace Warren;

/// <summary>
/// W3C trace context in AMQP headers: <c>traceparent</c> and <c>tracestate</c>, written as strings and read back as
/// the client delivers them (UTF-8 bytes) or as strings. The same headers RabbitMQ.Client and other OpenTelemetry
/// instrumentations use, so traces cross Warren and non-Warren services.
/// </summary>
internal static class TraceContext
{
    public const string TraceParent = "traceparent";
    public const string TraceState = "tracestate";

    /// <summary>Writes the context of <paramref name="activity"/> into <paramref name="headers"/>, replacing what was there.</summary>
    public static void Inject(Activity activity, IDictionary<string, object?> headers)
    {
        if (activity.IdFormat != ActivityIdFormat.W3C || activity.Id is not { } id)
        {
            return;
        }

        headers[TraceParent] = id;
        if (activity.TraceStateString is { Length: > 0 } state)
        {
            headers[TraceState] = state;
        }
        else
        {
            headers.Remove(TraceState);
        }
    }

    /// <summary>The producer's context carried by <paramref name="headers"/>, or default when there is none or it cannot be read.</summary>
    public static ActivityContext Extract(IDictionary<string, object?>? headers)
    {
        if (headers is null || !headers.TryGetValue(TraceParent, out var parent) || AsText(parent) is not { } traceParent)
        {
            return default;
        }

        var traceState = headers.TryGetValue(TraceState, out var state) ? AsText(state) : null;
        return ActivityContext.TryParse(traceParent, traceState, isRemote: true, out var context) ? context : default;
    }

    private static string? AsText(object? value) => value switch
    {
        byte[] bytes when bytes.Length <= 512 => Encoding.UTF8.GetString(bytes),
        string text when text.Length <= 512 => text,
        _ => null,
    };
}
