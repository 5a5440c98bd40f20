using System;
using System.Buffers;
using System.Text.Json.Serialization.Metadata;

namespace Warren;

/// <summary>
/// How a body of type <typeparamref name="T"/> is written on publish and read on delivery: JSON through the
/// application's <c>JsonSerializerContext</c>, or the body itself as text (<see cref="PayloadFormat.Text"/>) or bytes
/// (<see cref="PayloadFormat.Bytes"/>, <see cref="PayloadFormat.Memory"/>). Generated code picks the format from the
/// parameter or return type; hand-written consumers, RPC calls and publishes pass one.
/// </summary>
/// <typeparam name="T">The .NET type of the body.</typeparam>
public abstract class PayloadFormat<T>
{
    private protected PayloadFormat()
    {
    }

    /// <summary>The <c>content-type</c> a publish in this format carries (unless <see cref="PublishOptions.ContentType"/> says otherwise).</summary>
    public abstract string ContentType { get; }

    /// <summary>
    /// Reads a delivered body. Returns false with a reason fit for a dead-letter header when the body cannot be read
    /// as <typeparamref name="T"/> (not valid JSON for it, not text in its declared charset, …): retrying cannot fix it.
    /// The value never refers to <paramref name="body"/>'s memory, which the client reuses once the handler returns.
    /// </summary>
    /// <param name="body">The body as delivered.</param>
    /// <param name="contentType">The <c>content-type</c> property, or null.</param>
    /// <param name="contentEncoding">The <c>content-encoding</c> property, or null.</param>
    /// <param name="value">The body read as <typeparamref name="T"/>.</param>
    /// <param name="error">Why it could not be read.</param>
    public abstract bool TryRead(ReadOnlyMemory<byte> body, string? contentType, string? contentEncoding, out T? value, out string? error);

    /// <summary>Reads a delivered body as the public overload does, decoding a compressed one to at most <paramref name="maxDecodedBytes"/>.</summary>
    internal virtual bool TryRead(ReadOnlyMemory<byte> body, string? contentType, string? contentEncoding, int maxDecodedBytes, out T? value, out string? error) =>
        TryRead(body, contentType, contentEncoding, out value, out error);

    /// <summary>Writes <paramref name="value"/> as a body.</summary>
    public abstract void Write(T value, IBufferWriter<byte> output);

    /// <summary>The JSON type information behind a JSON format, or null for text and bytes (publishing uses its cached JSON writer then).</summary>
    internal virtual JsonTypeInfo<T>? JsonTypeInfo => null;
}
