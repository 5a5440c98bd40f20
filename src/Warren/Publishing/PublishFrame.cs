using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;
using RabbitMQ.Client;

namespace Warren;

/// <summary>
/// Checks a publish against what AMQP can carry before it is sent. The properties (headers included) travel in one
/// content-header frame that must fit the connection's negotiated <c>frame_max</c>: a larger one makes the broker close
/// the whole connection with <c>501 FRAME_ERROR</c>, failing every publish on it. Short strings (exchange, routing key,
/// message id, type, header names, …) are limited to 255 bytes.
/// </summary>
internal static class PublishFrame
{
    /// <summary>Frame header (type, channel, size: 7 bytes) and frame-end octet.</summary>
    public const int FrameOverhead = 8;

    /// <summary>Content-header payload before the properties: class id, weight, body size.</summary>
    public const int ContentHeaderPrefix = 12;

    /// <summary>
    /// Room left for the trace context headers added after this check: Warren's own <c>traceparent</c> and
    /// <c>tracestate</c> (written by the publishing channel, see <c>ConfirmChannel.SendAsync</c>) and those
    /// RabbitMQ.Client adds, with baggage, when a listener traces its publishes.
    /// </summary>
    public const int ClientHeaderAllowance = 4096;

    private const int ShortStringMax = 255;

    /// <summary>
    /// The most the properties can encode to without headers once every short string has passed the 255-byte check:
    /// property flags (2), the ten short strings (1 + 255 each), delivery mode, priority (1 each) and timestamp (8), and
    /// the 4-byte empty table RabbitMQ.Client writes on a confirming channel.
    /// </summary>
    public const int MaxSizeWithoutHeaders = 2 + (10 * (1 + ShortStringMax)) + 1 + 1 + 8 + 4;

    /// <summary>
    /// The largest encoded properties a connection with this <c>frame_max</c> accepts from Warren (0 = no limit).
    /// For the broker's default 131,072 that is 126,956 bytes.
    /// </summary>
    public static int MaxPropertiesSize(uint frameMax) =>
        frameMax == 0 ? int.MaxValue : (int)Math.Max(0L, (long)frameMax - FrameOverhead - ContentHeaderPrefix - ClientHeaderAllowance);

    /// <summary>The encoded size of the properties in the content-header frame, as RabbitMQ.Client writes them.</summary>
    public static int PropertiesSize(BasicProperties properties) => ((IAmqpWriteable)properties).GetRequiredBufferSize();

    /// <summary>
    /// Throws <see cref="WarrenPublishException"/> when the publish cannot be sent as it is: properties over the frame limit,
    /// a short string over 255 bytes, or a header value AMQP cannot encode. Nothing has been sent then.
    /// </summary>
    /// <remarks>With <c>messageIdByChannel</c> the publishing channel writes a message id of <see cref="MessageIds.Length"/>
    /// characters into the properties while it sends (<see cref="MessageIdBuffer"/>): counted when <c>MessageId</c> is null.</remarks>
    public static void Check(string exchange, string routingKey, BasicProperties properties, uint frameMax, bool messageIdByChannel = false)
    {
        CheckShort(exchange, routingKey, "exchange name", exchange);
        CheckShort(exchange, routingKey, "routing key", routingKey);
        CheckShort(exchange, routingKey, "content-type", properties.ContentType);
        CheckShort(exchange, routingKey, "content-encoding", properties.ContentEncoding);
        CheckShort(exchange, routingKey, "correlation-id", properties.CorrelationId);
        CheckShort(exchange, routingKey, "reply-to", properties.ReplyTo);
        CheckShort(exchange, routingKey, "expiration", properties.Expiration);
        CheckShort(exchange, routingKey, "message-id", properties.MessageId);
        CheckShort(exchange, routingKey, "type", properties.Type);
        CheckShort(exchange, routingKey, "user-id", properties.UserId);
        CheckShort(exchange, routingKey, "app-id", properties.AppId);
        CheckShort(exchange, routingKey, "cluster-id", properties.ClusterId);
        var limit = MaxPropertiesSize(frameMax);
        if (properties.Headers is { } headers)
        {
            CheckTableKeys(exchange, routingKey, headers, parent: null);
        }
        else if (limit >= MaxSizeWithoutHeaders)
        {
            // Without headers the short strings checked above bound the size: no need to measure it per publish.
            return;
        }

        int size;
        try
        {
            size = PropertiesSize(properties) + (messageIdByChannel && properties.MessageId is null ? 1 + MessageIds.Length : 0);
        }
        catch (RabbitMQ.Client.Exceptions.WireFormattingException ex)
        {
            throw new WarrenPublishException(
                $"The message for exchange '{exchange}' with routing key '{routingKey}' was not sent: a header value cannot be encoded in AMQP ({ex.Message}). Use strings, numbers, booleans, byte arrays, lists or dictionaries.",
                exchange,
                routingKey,
                ex);
        }

        if (size > limit)
        {
            var headerSize = properties.Headers is { Count: > 0 } ? HeadersSize(properties.Headers) : 0;
            throw new WarrenPublishException(
                string.Create(
                    CultureInfo.InvariantCulture,
                    $"The message for exchange '{exchange}' with routing key '{routingKey}' was not sent: its properties encode to {size} bytes (headers {headerSize}), over the {limit} bytes that fit the connection's frame_max of {frameMax} (less {ClientHeaderAllowance} kept for tracing headers). The broker would close the whole connection for it (501 FRAME_ERROR). Make the headers smaller; large data belongs in the body."),
                exchange,
                routingKey);
        }
    }

    private static int HeadersSize(IDictionary<string, object?> headers)
    {
        var probe = new BasicProperties { Headers = headers };
        return PropertiesSize(probe) - 2;
    }

    private static void CheckTableKeys(string exchange, string routingKey, IDictionary<string, object?> table, string? parent)
    {
        if (table is Dictionary<string, object?> dictionary)
        {
            // The struct enumerator: no enumerator object per publish for the common dictionary.
            foreach (var (key, value) in dictionary)
            {
                CheckTableKey(exchange, routingKey, key, value, parent);
            }

            return;
        }

        foreach (var (key, value) in table)
        {
            CheckTableKey(exchange, routingKey, key, value, parent);
        }
    }

    private static void CheckTableKey(string exchange, string routingKey, string key, object? value, string? parent)
    {
        var bytes = key.Length > ShortStringMax / 3 ? Encoding.UTF8.GetByteCount(key) : key.Length;
        if (bytes > ShortStringMax)
        {
            throw TooLong(exchange, routingKey, parent is null ? $"header name '{Shorten(key)}'" : $"key '{Shorten(key)}' inside header '{Shorten(parent)}'", bytes);
        }

        if (value is IDictionary<string, object?> nested)
        {
            CheckTableKeys(exchange, routingKey, nested, parent ?? key);
        }
    }

    private static void CheckShort(string exchange, string routingKey, string what, string? value)
    {
        if (value is not null && value.Length > ShortStringMax / 3 && Encoding.UTF8.GetByteCount(value) > ShortStringMax)
        {
            throw TooLong(exchange, routingKey, what, Encoding.UTF8.GetByteCount(value));
        }
    }

    private static WarrenPublishException TooLong(string exchange, string routingKey, string what, int bytes) =>
        new(
            string.Create(
                CultureInfo.InvariantCulture,
                $"The message for exchange '{Shorten(exchange)}' with routing key '{Shorten(routingKey)}' was not sent: its {what} is {bytes} bytes in UTF-8, over AMQP's limit of {ShortStringMax} for short strings."),
            exchange,
            routingKey);

    private static string Shorten(string text) => text.Length <= 64 ? text : string.Concat(text.AsSpan(0, 61), "...");
}
