using System;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using System.Threading.Tasks;

namespace Warren;

/// <summary>Dispatchers for hand-written consumers: one message type, one delegate.</summary>
public static class MessageDispatcher
{
    /// <summary>
    /// A dispatcher that deserializes every delivery as <typeparamref name="T"/> and calls <paramref name="handler"/>.
    /// A body that is not valid JSON for <typeparamref name="T"/> is dead-lettered with the reason (retrying cannot
    /// fix it); an exception from the handler requeues the message.
    /// </summary>
    public static IMessageDispatcher Create<T>(JsonTypeInfo<T> typeInfo, Func<T, MessageContext, ValueTask> handler)
    {
        ArgumentNullException.ThrowIfNull(typeInfo);
        ArgumentNullException.ThrowIfNull(handler);
        return new DelegateDispatcher<T>(typeInfo, handler);
    }

    /// <summary>
    /// Deserializes the body with <paramref name="typeInfo"/>. On failure returns false with a reason fit for a
    /// dead-letter header (what was expected and what the serializer said).
    /// </summary>
    public static bool TryDeserialize<T>(MessageContext context, JsonTypeInfo<T> typeInfo, out T? message, out string? error)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(typeInfo);
        try
        {
            message = JsonSerializer.Deserialize(context.Body.Span, typeInfo);
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

    private sealed class DelegateDispatcher<T>(JsonTypeInfo<T> typeInfo, Func<T, MessageContext, ValueTask> handler) : IMessageDispatcher
    {
        public async ValueTask<DispatchOutcome> DispatchAsync(MessageContext context)
        {
            if (!TryDeserialize(context, typeInfo, out var message, out var error))
            {
                return DispatchOutcome.DeadLetter(error!);
            }

            await handler(message!, context).ConfigureAwait(false);
            return DispatchOutcome.Ack;
        }
    }
}
