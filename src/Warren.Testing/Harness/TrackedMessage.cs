using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace Warren.Testing;

/// <summary>A message seen during a tracked run: where it went, what became of it, and its content, typed on demand.</summary>
public sealed class TrackedMessage
{
    private readonly IReadOnlyList<JsonSerializerContext> _contexts;

    private readonly MessageContracts _contracts;

    internal TrackedMessage(BrokerEvent step, MessageContracts contracts, IReadOnlyList<JsonSerializerContext> contexts, string? queue = null, string? reason = null)
    {
        _contracts = contracts;
        Step = step;
        Message = step.Message!;
        _contexts = contexts;
        Queue = queue ?? step.Queue;
        Reason = reason ?? Message.Header(DeadLetterHeaders.Reason);
    }

    /// <summary>The broker's journal entry this was taken from.</summary>
    public BrokerEvent Step { get; }

    /// <summary>The message as the broker held it.</summary>
    public BrokerMessage Message { get; }

    /// <summary>The <c>type</c> property: the contract name.</summary>
    public string? Type => Message.Type;

    /// <summary>The <c>message-id</c> property.</summary>
    public string? MessageId => Message.MessageId;

    /// <summary>The exchange it was published to.</summary>
    public string Exchange => Message.Exchange;

    /// <summary>The routing key it was published with.</summary>
    public string RoutingKey => Message.RoutingKey;

    /// <summary>The queues it was routed to (for a publish), or the queue it was delivered from / failed in.</summary>
    public IReadOnlyList<string> Queues => Step.Queues.Count > 0 ? Step.Queues : Queue is null ? Array.Empty<string>() : [Queue];

    /// <summary>The queue it was consumed from, failed in, or dead-lettered from.</summary>
    public string? Queue { get; }

    /// <summary>Why it was retried or dead-lettered (Warren's <c>x-warren-reason</c>, or the broker's reason: expired, rejected, maxlen, delivery_limit).</summary>
    public string? Reason { get; }

    /// <summary>The retry count it carries (<c>x-warren-retries</c>).</summary>
    public int RetryCount => int.TryParse(Message.Header(RetryPolicy.RetriesHeader), System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var n) ? n : 0;

    /// <summary>The body as text (UTF-8, invalid bytes replaced: for reading in a test; <c>As&lt;string&gt;()</c> reads it as a text handler would).</summary>
    public string BodyText => Message.BodyText;

    /// <summary>The body's bytes.</summary>
    public ReadOnlyMemory<byte> Body => Message.Body;

    /// <summary>The <c>content-type</c> property.</summary>
    public string? ContentType => Message.Properties.ContentType;

    /// <summary>A header as text.</summary>
    public string? Header(string name) => Message.Header(name);

    /// <summary>Whether the message's contract is <typeparamref name="T"/>'s (by the <c>type</c> property; types without a contract never match).</summary>
    public bool Is<T>() => _contracts.Find<T>() is { } contract && contract.Name == Type;

    /// <summary>
    /// The body deserialized as <typeparamref name="T"/>: with the contract's serialization metadata, else a
    /// <see cref="WarrenTestHarnessOptions.JsonContexts">registered context</see>'s, else System.Text.Json's defaults for the web.
    /// </summary>
    /// <remarks>
    /// <see cref="string"/>, <see cref="byte"/>[] and <see cref="ReadOnlyMemory{T}"/> of bytes read the body the way a
    /// text or byte handler does (<see cref="PayloadFormat.Text"/>, <see cref="PayloadFormat.Bytes"/>,
    /// <see cref="PayloadFormat.Memory"/>), honouring <c>content-type</c>.
    /// </remarks>
    public T As<T>()
    {
        if (RawFormat<T>() is { } raw)
        {
            return raw.TryRead(Message.Body, ContentType, Message.Properties.ContentEncoding, out var value, out var error)
                ? value!
                : throw new InvalidOperationException($"The body of {Describe()} cannot be read as {typeof(T).Name}: {error}");
        }

        try
        {
            return (TypeInfoFor<T>(_contracts, _contexts) is { } info
                ? JsonSerializer.Deserialize(Message.Body.Span, info)
                : JsonSerializer.Deserialize<T>(Message.Body.Span, FallbackOptions))
                ?? throw new InvalidOperationException($"The body of {Describe()} is JSON null, not a {typeof(T).Name}.");
        }
        catch (JsonException ex)
        {
            throw new InvalidOperationException($"The body of {Describe()} is not a {typeof(T).Name}: {ex.Message} Body: {Shorten(BodyText, 300)}", ex);
        }
    }

    /// <inheritdoc/>
    public override string ToString() => Describe();

    internal string Describe() => $"{(Type is null ? "message" : Type)} {ShortId(MessageId)} (exchange '{Exchange}', key '{RoutingKey}')";

    /// <summary>
    /// Eight characters of <paramref name="id"/> for the flow: the last eight of an id of 32 hex digits (Warren's ids
    /// of one process share their first 16 digits and differ in the counter's, at the end; a GUID in its "N" form is
    /// random throughout), else the first eight (business keys, GUIDs with dashes).
    /// </summary>
    internal static string ShortId(string? id) => id switch
    {
        null => "(no id)",
        { Length: 32 } when IsHex(id) => id[^8..],
        { Length: > 8 } => id[..8],
        _ => id,
    };

    private static bool IsHex(string id)
    {
        foreach (var c in id)
        {
            if (!char.IsAsciiHexDigit(c))
            {
                return false;
            }
        }

        return true;
    }

    internal static string Shorten(string text, int max) => text.Length <= max ? text : string.Concat(text.AsSpan(0, max - 1), "…");

    private static PayloadFormat<T>? RawFormat<T>() =>
        typeof(T) == typeof(string) ? (PayloadFormat<T>)(object)PayloadFormat.Text
        : typeof(T) == typeof(byte[]) ? (PayloadFormat<T>)(object)PayloadFormat.Bytes
        : typeof(T) == typeof(ReadOnlyMemory<byte>) ? (PayloadFormat<T>)(object)PayloadFormat.Memory
        : null;

    internal static JsonTypeInfo<T>? TypeInfoFor<T>(MessageContracts contracts, IEnumerable<JsonSerializerContext> contexts)
    {
        if (contracts.Find<T>() is { } contract)
        {
            return contract.TypeInfo;
        }

        return contexts.Select(c => c.GetTypeInfo(typeof(T))).OfType<JsonTypeInfo<T>>().FirstOrDefault();
    }

    private static readonly JsonSerializerOptions FallbackOptions = new(JsonSerializerDefaults.Web);
}

/// <summary>An RPC call seen during a tracked run: the request, and its reply if one came.</summary>
public sealed class TrackedRpcCall
{
    internal TrackedRpcCall(TrackedMessage request, TrackedMessage? reply)
    {
        RequestMessage = request;
        ReplyMessage = reply;
    }

    /// <summary>The method's contract name (the request's <c>type</c>).</summary>
    public string? Method => RequestMessage.Type;

    /// <summary>The queue the request was sent to.</summary>
    public string RoutingKey => RequestMessage.RoutingKey;

    /// <summary>The request.</summary>
    public TrackedMessage RequestMessage { get; }

    /// <summary>The reply, or null when none came (timeout, no server).</summary>
    public TrackedMessage? ReplyMessage { get; }

    /// <summary>Whether the server answered with a fault.</summary>
    public bool IsFault => ReplyMessage?.Header(RpcWire.StatusHeader) == RpcWire.Fault;

    /// <summary>Whether the request was returned because no queue took it (no server).</summary>
    public bool WasReturned { get; internal set; }

    /// <summary>The request, typed.</summary>
    public T Request<T>() => RequestMessage.As<T>();

    /// <summary>The reply, typed.</summary>
    public T Reply<T>() => (ReplyMessage ?? throw new InvalidOperationException($"RPC {Method} got no reply.")).As<T>();

    /// <summary>The fault the server replied with.</summary>
    public RpcFault? Fault => IsFault ? JsonSerializer.Deserialize(ReplyMessage!.Message.Body.Span, FaultJson.Default.RpcFault) : null;
}

[JsonSerializable(typeof(RpcFault))]
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
internal sealed partial class FaultJson : JsonSerializerContext;
