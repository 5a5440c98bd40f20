using System;
using System.Collections.Generic;
using RabbitMQ.Client;

namespace Warren.Testing;

/// <summary>
/// Moves properties through AMQP's encoding, with RabbitMQ.Client's own writer and reader, so a consumer of the
/// in-memory broker sees exactly what it would see from RabbitMQ: strings as <c>byte[]</c>, integers as the type they
/// were sent with, nested tables and arrays decoded the same way.
/// </summary>
internal static class AmqpWire
{
    public static byte[] Encode<T>(T properties)
        where T : IAmqpWriteable
    {
        var buffer = new byte[properties.GetRequiredBufferSize()];
        var written = properties.WriteTo(buffer);
        return written == buffer.Length ? buffer : buffer.AsSpan(0, written).ToArray();
    }

    public static ReadOnlyBasicProperties Decode(byte[] encoded) => new(encoded);

    /// <summary>A field table as the broker holds it after receiving it (binding and declaration arguments).</summary>
    public static IDictionary<string, object?> Table(IDictionary<string, object?>? table) =>
        table is null || table.Count == 0
            ? new Dictionary<string, object?>(StringComparer.Ordinal)
            : Decode(Encode(new BasicProperties { Headers = table })).Headers ?? new Dictionary<string, object?>(StringComparer.Ordinal);

    /// <summary>Properties with changes applied: copied, changed, and encoded again.</summary>
    public static byte[] Change(ReadOnlyBasicProperties properties, Action<BasicProperties> change)
    {
        var copy = new BasicProperties(properties);
        change(copy);
        return Encode(copy);
    }
}
