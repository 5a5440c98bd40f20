using System;
using System.ComponentModel;

namespace Warren.Infrastructure;

/// <summary>
/// Contracts of message types for which the application has no serialization metadata, such as a referenced library's
/// message listed only in that library's <c>internal</c> <c>JsonSerializerContext</c>, which the application cannot
/// use. The build reports such a type (WRN019) only where the application handles or publishes it, so registering the
/// routes of the messages it does not use must not fail: the contract is registered, and serializing the type throws
/// an <see cref="InvalidOperationException"/> saying what is missing. Called by generated code only.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class WithoutJsonMetadata
{
    /// <summary>The contract of a type without metadata, with a fixed routing key.</summary>
    /// <param name="name">The contract name.</param>
    /// <param name="exchange">The exchange.</param>
    /// <param name="routingKey">The fixed routing key.</param>
    /// <param name="priority">The default priority, or null.</param>
    public static MessageContract<T> Contract<T>(string name, string exchange, string routingKey, byte? priority = null) =>
        new(name, Error<T>(), exchange, _ => routingKey, priority) { RoutingKeyTemplate = routingKey };

    /// <summary>The contract of a type without metadata, whose routing key <paramref name="routingKey"/> builds from its properties.</summary>
    /// <param name="name">The contract name.</param>
    /// <param name="exchange">The exchange.</param>
    /// <param name="routingKey">Builds the routing key of one message.</param>
    /// <param name="template">The routing key's template with its placeholders, or null.</param>
    /// <param name="priority">The default priority, or null.</param>
    public static MessageContract<T> Contract<T>(string name, string exchange, Func<T, string> routingKey, string? template, byte? priority = null) =>
        new(name, Error<T>(), exchange, routingKey, priority) { RoutingKeyTemplate = template };

    /// <summary>What serializing the type throws: what is missing and the two ways to add it.</summary>
    internal static string Error<T>()
    {
        var type = typeof(T).Name;
        return $"{type} is in no JsonSerializerContext this application can use (WRN019): add [JsonSerializable(typeof({type}))] "
            + "to the application's context; for a message of a referenced library listed only in that library's internal "
            + "context, making that context public also works.";
    }
}
