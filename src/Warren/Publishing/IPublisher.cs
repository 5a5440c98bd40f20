using System;
using System.Collections.Generic;
using System.Text.Json.Serialization.Metadata;
using System.Threading;
using System.Threading.Tasks;

namespace Warren;

/// <summary>
/// Publishes messages whose route is known from their contract (<see cref="MessageContracts"/>). Every publish is
/// confirmed by the broker before the returned task completes, and is <c>mandatory</c>: a message no queue receives
/// fails with <see cref="UnroutableMessageException"/>.
/// </summary>
public interface IPublisher
{
    /// <summary>Publishes one message and waits for the broker's confirmation.</summary>
    ValueTask PublishAsync<T>(T message, CancellationToken cancellationToken = default);

    /// <summary>Publishes one message with per-publish options and waits for the broker's confirmation.</summary>
    ValueTask PublishAsync<T>(T message, PublishOptions? options, CancellationToken cancellationToken = default);

    /// <summary>
    /// Publishes many messages with up to the in-flight window outstanding at once and waits for every confirmation.
    /// Throws <see cref="PublishBatchException"/> naming the positions that failed; the others were confirmed.
    /// </summary>
    ValueTask PublishBatchAsync<T>(IEnumerable<T> messages, PublishOptions? options = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Publishes <paramref name="text"/> as a UTF-8 body with <c>content-type: text/plain; charset=utf-8</c> and no
    /// <c>type</c>, the way the RabbitMQ tutorials' clients send plain strings, and waits for the broker's confirmation.
    /// <paramref name="exchange"/> <c>""</c> is the default exchange: <paramref name="routingKey"/> then names a queue.
    /// </summary>
    ValueTask PublishTextAsync(string exchange, string routingKey, string text, PublishOptions? options = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Publishes <paramref name="body"/> as it is, with <c>content-type: application/octet-stream</c> and no <c>type</c>,
    /// and waits for the broker's confirmation.
    /// </summary>
    ValueTask PublishBytesAsync(string exchange, string routingKey, ReadOnlyMemory<byte> body, PublishOptions? options = null, CancellationToken cancellationToken = default);
}

/// <summary>
/// The low-level publishing seam generated publishers and the RPC runtime call: an explicit exchange and routing key,
/// serialization metadata and a contract name.
/// </summary>
public interface IMessageSender
{
    /// <summary>Serializes <paramref name="message"/> with <paramref name="typeInfo"/> and publishes it, waiting for the broker's confirmation.</summary>
    ValueTask SendAsync<T>(string exchange, string routingKey, T message, JsonTypeInfo<T> typeInfo, string contractName, PublishOptions? options = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Writes <paramref name="message"/> in <paramref name="format"/> (text, bytes or JSON) and publishes it with the
    /// format's <c>content-type</c>, waiting for the broker's confirmation. A null <paramref name="contractName"/>
    /// leaves the <c>type</c> property unset.
    /// </summary>
    ValueTask SendAsync<T>(string exchange, string routingKey, T message, PayloadFormat<T> format, string? contractName, PublishOptions? options = null, CancellationToken cancellationToken = default);
}
