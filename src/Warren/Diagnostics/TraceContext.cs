using System;
using System.Buffers;
using System.Collections.Generic;
using System.Diagnostics;
using System.Text;

namespace Warren;

/// <summary>
/// W3C trace context in AMQP headers: <c>traceparent</c> and <c>tracestate</c>, written as AMQP long strings (from a
/// string, or from bytes the publishing channel reuses) and read back as the client delivers them (UTF-8 bytes) or as
/// strings. The same headers RabbitMQ.Client and other OpenTelemetry
/// instrumentations use, so traces cross Warren and non-Warren services.
/// </summary>
internal static class TraceContext
{
    public const string TraceParent = "traceparent";
    public const string TraceState = "tracestate";

    /// <summary>The length of a W3C <c>traceparent</c>: <c>{version:2}-{trace-id:32}-{parent-id:16}-{flags:2}</c>.</summary>
    private const int TraceParentLength = 55;

    /// <summary>
    /// The longest <c>tracestate</c> written or read: W3C trace context asks to propagate at least 512 characters, and
    /// a longer one could push the headers past the room the frame keeps for them (<see cref="PublishFrame.ClientHeaderAllowance"/>).
    /// </summary>
    private const int MaxTraceStateLength = 512;

    /// <summary>The bytes a <c>traceparent</c> may hold: lower-case hex digits and its three dashes.</summary>
    private static readonly SearchValues<byte> LowerHexOrDash = SearchValues.Create("0123456789abcdef-"u8);

    /// <summary>
    /// The context <paramref name="activity"/> propagates: its W3C trace id, span id, flags and trace state, or default
    /// when there is no activity or its id is not W3C (nothing is written then). Holds the id strings the activity made
    /// when it started, not the activity: a publish keeps it while it waits for the broker's confirmation.
    /// </summary>
    public static ActivityContext Of(Activity? activity) =>
        activity is { IdFormat: ActivityIdFormat.W3C } ? activity.Context : default;

    /// <summary>Writes the context of <paramref name="activity"/> into <paramref name="headers"/>, replacing what was there.</summary>
    public static void Inject(Activity activity, IDictionary<string, object?> headers) => Inject(Of(activity), headers);

    /// <summary>Writes <paramref name="context"/> into <paramref name="headers"/>, replacing what was there; nothing for a default context.</summary>
    public static void Inject(in ActivityContext context, IDictionary<string, object?> headers)
    {
        Span<byte> traceParent = stackalloc byte[TraceParentLength];
        if (!TryWriteTraceParent(context, traceParent))
        {
            return;
        }

        headers[TraceParent] = Encoding.ASCII.GetString(traceParent);
        WriteTraceState(context, headers);
    }

    /// <summary>
    /// Writes the W3C <c>traceparent</c> of <paramref name="context"/> into <paramref name="destination"/> (at least 55
    /// bytes): <c>00-{trace id}-{span id}-{flags}</c>, as <see cref="Activity.Id"/> reads for an activity of that
    /// context, without making that string; false for a default context. The flags keep only the <c>sampled</c> bit,
    /// the one flag version 00 defines.
    /// </summary>
    internal static bool TryWriteTraceParent(in ActivityContext context, Span<byte> destination)
    {
        if (context == default || destination.Length < TraceParentLength)
        {
            return false;
        }

        // The ids keep their hex text (made when the activity started): copying it allocates nothing.
        var traceId = context.TraceId.ToHexString();
        var spanId = context.SpanId.ToHexString();
        if (traceId.Length != 32 || spanId.Length != 16)
        {
            return false;
        }

        destination[0] = (byte)'0';
        destination[1] = (byte)'0';
        destination[2] = (byte)'-';
        Encoding.ASCII.GetBytes(traceId, destination.Slice(3, 32));
        destination[35] = (byte)'-';
        Encoding.ASCII.GetBytes(spanId, destination.Slice(36, 16));
        destination[52] = (byte)'-';
        // Version 00 defines only the sampled bit: the others are written as zeros, whatever a producer sent.
        destination[53] = (byte)'0';
        destination[54] = (context.TraceFlags & ActivityTraceFlags.Recorded) != 0 ? (byte)'1' : (byte)'0';
        return true;
    }

    /// <summary>
    /// Writes <paramref name="context"/> into <paramref name="headers"/> with the <c>traceparent</c> as the bytes of
    /// <paramref name="buffer"/> (filled here) instead of a string, nothing for a default context: for headers encoded
    /// into the frame before <paramref name="buffer"/> is written again. RabbitMQ.Client encodes a byte array as an AMQP
    /// long string, exactly as it encodes the string, so receivers see the same header either way.
    /// </summary>
    public static void Inject(in ActivityContext context, IDictionary<string, object?> headers, byte[] buffer)
    {
        if (!TryWriteTraceParent(context, buffer))
        {
            return;
        }

        headers[TraceParent] = buffer;
        WriteTraceState(context, headers);
    }

    private static void WriteTraceState(in ActivityContext context, IDictionary<string, object?> headers)
    {
        if (context.TraceState is { Length: > 0 and <= MaxTraceStateLength } state)
        {
            headers[TraceState] = state;
        }
        else
        {
            headers.Remove(TraceState);
        }
    }

    /// <summary>A buffer for <see cref="Inject(in ActivityContext, IDictionary{string, object?}, byte[])"/>.</summary>
    public static byte[] NewTraceParentBuffer() => new byte[TraceParentLength];

    /// <summary>The producer's context carried by <paramref name="headers"/>, or default when there is none or it cannot be read.</summary>
    public static ActivityContext Extract(IDictionary<string, object?>? headers)
    {
        if (headers is null || !headers.TryGetValue(TraceParent, out var parent))
        {
            return default;
        }

        var traceState = headers.TryGetValue(TraceState, out var state) ? AsText(state) : null;
        if (parent is byte[] bytes && bytes.Length >= TraceParentLength)
        {
            // As RabbitMQ.Client delivers it: read from the bytes, without a string of the whole header.
            return TryParse(bytes, traceState, out var context) ? context : default;
        }

        // ActivityContext.TryParse does not check the separators: W3C does, and so does the byte path above.
        return AsText(parent) is { Length: >= TraceParentLength } text
            && IsVersionPrefix(text.Length, text[0], text[1], text.Length > TraceParentLength ? text[TraceParentLength] : '-')
            && (text.Length == TraceParentLength ? text : text.Substring(0, TraceParentLength)) is var traceParent
            && traceParent[2] == '-' && traceParent[35] == '-' && traceParent[52] == '-'
            && ActivityContext.TryParse(traceParent, traceState, isRemote: true, out var parsed) ? parsed : default;
    }

    /// <summary>
    /// Whether a <c>traceparent</c> of <paramref name="length"/> characters may be read from its first 55: exactly 55 for
    /// version 00; longer only for a later version (not 00), where W3C reads the first 55 and requires a <c>-</c> after
    /// them (<paramref name="next"/>), leaving the rest to that version.
    /// </summary>
    private static bool IsVersionPrefix(int length, int version0, int version1, int next) =>
        length == TraceParentLength || (next == '-' && !(version0 == '0' && version1 == '0'));

    /// <summary>
    /// Reads a <c>traceparent</c> from its UTF-8 bytes with the rules of <see cref="ActivityContext.TryParse(string, string, bool, out ActivityContext)"/>
    /// (a lower-case hex version other than <c>ff</c>, lower-case hex ids that are not all zeros, lower-case hex flags)
    /// and the separators W3C trace context requires. A later version than 00 may be longer: its first 55 bytes are
    /// read when a <c>-</c> follows them.
    /// </summary>
    internal static bool TryParse(ReadOnlySpan<byte> traceParent, string? traceState, out ActivityContext context)
    {
        // Vectorized checks (a delivery's span reads one per message): only lower-case hex and dashes, exactly the three
        // dashes W3C places, a version other than ff, and ids that are not all zeros.
        context = default;
        if (traceParent.Length < TraceParentLength
            || !IsVersionPrefix(traceParent.Length, traceParent[0], traceParent[1], traceParent.Length > TraceParentLength ? traceParent[TraceParentLength] : '-'))
        {
            return false;
        }

        traceParent = traceParent.Slice(0, TraceParentLength);
        if (traceParent.ContainsAnyExcept(LowerHexOrDash)
            || traceParent[2] != '-' || traceParent[35] != '-' || traceParent[52] != '-'
            || traceParent.Count((byte)'-') != 3
            || (traceParent[0] == 'f' && traceParent[1] == 'f')
            || !traceParent.Slice(3, 32).ContainsAnyExcept((byte)'0') || !traceParent.Slice(36, 16).ContainsAnyExcept((byte)'0'))
        {
            return false;
        }

        // Validated first: CreateFromUtf8String replaces an id it cannot read with a random one instead of failing.
        context = new ActivityContext(
            ActivityTraceId.CreateFromUtf8String(traceParent.Slice(3, 32)),
            ActivitySpanId.CreateFromUtf8String(traceParent.Slice(36, 16)),
            (ActivityTraceFlags)((HexValue(traceParent[53]) << 4) | HexValue(traceParent[54])),
            traceState,
            isRemote: true);
        return true;
    }

    private static int HexValue(byte c) => c <= '9' ? c - '0' : c - 'a' + 10;

    private static string? AsText(object? value) => value switch
    {
        byte[] bytes when bytes.Length <= MaxTraceStateLength => Encoding.UTF8.GetString(bytes),
        string text when text.Length <= MaxTraceStateLength => text,
        _ => null,
    };
}
