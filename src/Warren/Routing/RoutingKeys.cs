using System;
using System.ComponentModel;
using System.Globalization;

namespace Warren.Infrastructure;

/// <summary>
/// Helpers for generated code: building routing keys from message properties, and walking a routing key word by word
/// so generated matchers test exactly the binding patterns of a consumer (no regular expressions, no pattern parsing at
/// run time). A position is the index of the next word, or -1 when every word has been consumed.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class RoutingKeys
{
    /// <summary>A routing-key word from a string property: it must not be empty or contain a dot.</summary>
    public static string Segment(string? value, string property, string messageType)
    {
        if (string.IsNullOrEmpty(value))
        {
            throw new InvalidRoutingKeyException($"{messageType}.{property} is empty, so the routing key would have an empty word; give it a value.");
        }

        if (value.Contains('.', StringComparison.Ordinal))
        {
            throw new InvalidRoutingKeyException($"{messageType}.{property} is '{value}', which contains a '.': it would split one routing-key word into several.");
        }

        return value;
    }

    /// <summary>A routing-key word from an integer, Guid or enum property, formatted with the invariant culture (no boxing).</summary>
    public static string Segment<T>(T value, string property, string messageType)
        where T : struct, IFormattable =>
        Segment(value.ToString(null, CultureInfo.InvariantCulture), property, messageType);

    /// <summary>A routing-key word from any other property, formatted with the invariant culture.</summary>
    public static string Segment(object? value, string property, string messageType) =>
        Segment(value is IFormattable formattable ? formattable.ToString(null, CultureInfo.InvariantCulture) : value?.ToString(), property, messageType);

    /// <summary>
    /// The exchange and routing key a delivery was first published with. A retried copy comes back through the default
    /// exchange (from its retry queue) and carries the original ones in Warren's headers.
    /// </summary>
    public static (string Exchange, string RoutingKey) Published(MessageContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.Exchange.Length == 0 && context.RawHeaders is { } raw && raw.ContainsKey(DeadLetterHeaders.OriginalRoutingKey))
        {
            var headers = context.Headers;
            return (
                headers.TryGetValue(DeadLetterHeaders.OriginalExchange, out var exchange) ? exchange ?? string.Empty : string.Empty,
                headers.TryGetValue(DeadLetterHeaders.OriginalRoutingKey, out var key) ? key ?? context.RoutingKey : context.RoutingKey);
        }

        return (context.Exchange, context.RoutingKey);
    }

    /// <summary>True when the delivery carries header <paramref name="name"/> with the text <paramref name="value"/> (headers-exchange bindings).</summary>
    public static bool HasHeader(MessageContext context, string name, string value)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.Headers.TryGetValue(name, out var actual) && string.Equals(actual, value, StringComparison.Ordinal);
    }

    /// <summary>The position of the first word (-1 for an empty key, which has no words).</summary>
    public static int Start(string key) => key.Length == 0 ? -1 : 0;

    /// <summary>Consumes the next word if it equals <paramref name="word"/>.</summary>
    public static bool Word(string key, ref int position, string word)
    {
        if (position < 0)
        {
            return false;
        }

        var end = key.IndexOf('.', position);
        var length = (end < 0 ? key.Length : end) - position;
        if (length != word.Length || string.CompareOrdinal(key, position, word, 0, length) != 0)
        {
            return false;
        }

        position = end < 0 ? -1 : end + 1;
        return true;
    }

    /// <summary>Consumes any one word.</summary>
    public static bool AnyWord(string key, ref int position)
    {
        if (position < 0)
        {
            return false;
        }

        var end = key.IndexOf('.', position);
        position = end < 0 ? -1 : end + 1;
        return true;
    }

    /// <summary>True when every word has been consumed.</summary>
    public static bool AtEnd(int position) => position < 0;
}
