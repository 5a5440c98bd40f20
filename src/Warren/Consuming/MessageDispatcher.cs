using System;
using System.ComponentModel;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using System.Threading;
using System.Threading.Tasks;

namespace Warren.Infrastructure;

/// <summary>Dispatchers for hand-written consumers: one message type, one delegate.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class MessageDispatcher
{
    /// <summary>
    /// A dispatcher that deserializes every delivery as <typeparamref name="T"/> and calls <paramref name="handler"/>.
    /// A body that does not fit <typeparamref name="T"/> is dead-lettered with the reason (retrying cannot fix it); an
    /// exception from the handler is a failure handled by the queue's retry policy.
    /// </summary>
    public static IMessageDispatcher Create<T>(JsonTypeInfo<T> typeInfo, Func<T, MessageContext, ValueTask> handler)
    {
        ArgumentNullException.ThrowIfNull(typeInfo);
        ArgumentNullException.ThrowIfNull(handler);
        return new DelegateDispatcher<T>(PayloadFormat.Json(typeInfo), handler);
    }

    /// <summary>
    /// A dispatcher that reads every delivery in <paramref name="format"/> (<see cref="PayloadFormat.Text"/>,
    /// <see cref="PayloadFormat.Bytes"/>, <see cref="PayloadFormat.Memory"/> or <see cref="PayloadFormat.Json{T}"/>) and
    /// calls <paramref name="handler"/>. A body the format cannot read (not text in its charset, not JSON for the type)
    /// is dead-lettered with the reason; an exception from the handler is a failure handled by the queue's retry policy.
    /// </summary>
    public static IMessageDispatcher Create<T>(PayloadFormat<T> format, Func<T, MessageContext, ValueTask> handler)
    {
        ArgumentNullException.ThrowIfNull(format);
        ArgumentNullException.ThrowIfNull(handler);
        return new DelegateDispatcher<T>(format, handler);
    }

    /// <summary>
    /// Reads the delivered body in <paramref name="format"/>, honouring its <c>content-type</c> and
    /// <c>content-encoding</c>. On failure returns false with a reason fit for a dead-letter header.
    /// </summary>
    public static bool TryRead<T>(MessageContext context, PayloadFormat<T> format, out T? message, out string? error)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(format);
        return format.TryRead(context.Body, context.ContentType, context.ContentEncoding, context.MaxDecodedBytes, out message, out error);
    }

    /// <summary>
    /// Deserializes the body with <paramref name="typeInfo"/>'s contract, strictly: constructor parameters without a
    /// default value must be present and non-nullable members must not be null
    /// (<see cref="JsonSerializerOptions.RespectRequiredConstructorParameters"/>,
    /// <see cref="JsonSerializerOptions.RespectNullableAnnotations"/>), so a body of another shape (other property
    /// names, another message) is refused instead of becoming defaults. On failure returns false with a reason fit
    /// for a dead-letter header (what was expected and what the serializer said).
    /// </summary>
    public static bool TryDeserialize<T>(MessageContext context, JsonTypeInfo<T> typeInfo, out T? message, out string? error)
    {
        ArgumentNullException.ThrowIfNull(context);
        return TryDeserialize(context.Body, context.ContentType, context.ContentEncoding, context.MaxDecodedBytes, typeInfo, out message, out error);
    }

    /// <summary>
    /// Deserializes a body as <see cref="TryDeserialize{T}(MessageContext, JsonTypeInfo{T}, out T, out string)"/> does,
    /// after checking its <c>content-type</c> and decoding its <c>content-encoding</c> (see <see cref="JsonBody"/>).
    /// </summary>
    internal static bool TryDeserialize<T>(ReadOnlyMemory<byte> body, string? contentType, string? contentEncoding, JsonTypeInfo<T> typeInfo, out T? message, out string? error) =>
        TryDeserialize(body, contentType, contentEncoding, JsonBody.MaxDecodedBytes, typeInfo, out message, out error);

    /// <summary>As above, decoding a compressed body to at most <paramref name="maxDecodedBytes"/> (Warren:MaxMessageSize).</summary>
    internal static bool TryDeserialize<T>(ReadOnlyMemory<byte> body, string? contentType, string? contentEncoding, int maxDecodedBytes, JsonTypeInfo<T> typeInfo, out T? message, out string? error)
    {
        if (!JsonBody.AcceptsContentType(contentType, out error))
        {
            message = default;
            return false;
        }

        if (JsonBody.IsIdentity(contentEncoding))
        {
            return TryDeserialize(body.Span, typeInfo, out message, out error);
        }

        if (!JsonBody.TryDecode(body, contentEncoding!, maxDecodedBytes, out var decoded, out var length, out error))
        {
            message = default;
            return false;
        }

        try
        {
            if (!TryDeserialize(decoded.AsSpan(0, length), typeInfo, out message, out error))
            {
                error = $"{error} (the body was decoded from content-encoding '{contentEncoding}')";
                return false;
            }

            return true;
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(decoded!);
        }
    }

    internal static bool TryDeserialize<T>(ReadOnlySpan<byte> body, JsonTypeInfo<T> typeInfo, out T? message, out string? error)
    {
        ArgumentNullException.ThrowIfNull(typeInfo);
        try
        {
            message = JsonSerializer.Deserialize(body, StrictTypeInfo<T>.For(typeInfo));
            if (message is null)
            {
                error = $"The body is JSON null, not a {typeof(T).Name}.";
                return false;
            }

            error = null;
            return true;
        }
        catch (JsonException ex)
        {
            message = default;
            error = $"The body is not valid JSON for {typeof(T).Name}: {ex.Message}";
            return false;
        }
    }

    /// <summary>One strict copy of each type info, made once: options copied from the given ones, metadata from the same resolver (source-generated: no reflection).</summary>
    private static class StrictTypeInfo<T>
    {
        private static readonly ConditionalWeakTable<JsonTypeInfo<T>, JsonTypeInfo<T>> Cache = new();

        /// <summary>The last pair looked up: an application has one type info per message type, so this is nearly always a hit.</summary>
        private static Pair? s_last;

        public static JsonTypeInfo<T> For(JsonTypeInfo<T> typeInfo)
        {
            var last = Volatile.Read(ref s_last);
            if (last is not null && ReferenceEquals(last.Source, typeInfo))
            {
                return last.Strict;
            }

            var strict = Lookup(typeInfo);
            Volatile.Write(ref s_last, new Pair(typeInfo, strict));
            return strict;
        }

        private sealed record Pair(JsonTypeInfo<T> Source, JsonTypeInfo<T> Strict);

        private static JsonTypeInfo<T> Lookup(JsonTypeInfo<T> typeInfo) => Cache.GetValue(typeInfo, static source =>
        {
            if (source.Options is { RespectRequiredConstructorParameters: true, RespectNullableAnnotations: true })
            {
                return source;
            }

            var options = new JsonSerializerOptions(source.Options)
            {
                RespectRequiredConstructorParameters = true,
                RespectNullableAnnotations = true,
            };
            options.MakeReadOnly();
            return (JsonTypeInfo<T>)options.GetTypeInfo(typeof(T));
        });
    }

    private sealed class DelegateDispatcher<T>(PayloadFormat<T> format, Func<T, MessageContext, ValueTask> handler) : IMessageDispatcher
    {
        public async ValueTask<DispatchOutcome> DispatchAsync(MessageContext context)
        {
            if (!TryRead(context, format, out var message, out var error))
            {
                return DispatchOutcome.DeadLetter(error!);
            }

            await handler(message!, context).ConfigureAwait(false);
            return DispatchOutcome.Ack;
        }
    }
}
