using System;
using System.ComponentModel;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace Warren.Infrastructure;

/// <summary>
/// A message type's serialization metadata from the application's <see cref="JsonSerializerContext"/>, for contracts,
/// dispatchers and generated code. Called by generated code only.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class JsonMetadata
{
    /// <summary>The metadata of <typeparamref name="T"/> from <paramref name="context"/>, which must list the type.</summary>
    /// <exception cref="InvalidOperationException">The context has no metadata for <typeparamref name="T"/>.</exception>
    public static JsonTypeInfo<T> Of<T>(JsonSerializerContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.GetTypeInfo(typeof(T)) as JsonTypeInfo<T>
            ?? throw new InvalidOperationException($"{context.GetType().Name} returned no type information for {typeof(T).Name}.");
    }
}
