using System;
using System.ComponentModel;
using System.Threading;
using System.Threading.Tasks;

namespace Warren.Infrastructure;

/// <summary>
/// The routing-key template of a <c>[Publisher]</c> method with its own <c>[Topic]</c>, made once per method by
/// generated code: publishes through it are named by the template in spans and metrics, like a contract's own
/// template, and need no <see cref="PublishOptions"/>. Called by generated code only.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class PublishRoute
{
    /// <summary>The telemetry names for the last exchange published to (the contract's: one in practice).</summary>
    private RouteTelemetry? _last;

    /// <summary>Creates the route of one method.</summary>
    /// <param name="routingKeyTemplate">The method's routing key with its placeholders, as written in <c>[Topic]</c>.</param>
    public PublishRoute(string routingKeyTemplate)
    {
        ArgumentNullException.ThrowIfNull(routingKeyTemplate);
        RoutingKeyTemplate = routingKeyTemplate;
    }

    /// <summary>The routing key's template (<c>user.{Region}.created</c>).</summary>
    public string RoutingKeyTemplate { get; }

    /// <summary>The span name, template and destination of publishes to <paramref name="exchange"/>, made once per exchange.</summary>
    internal RouteTelemetry For(string exchange)
    {
        var last = Volatile.Read(ref _last);
        if (last is not null && string.Equals(last.Exchange, exchange, StringComparison.Ordinal))
        {
            return last;
        }

        last = new RouteTelemetry(exchange, RoutingKeyTemplate);
        Volatile.Write(ref _last, last);
        return last;
    }
}

/// <summary>The telemetry names of a <see cref="PublishRoute"/> on one exchange, as a contract makes its own.</summary>
internal sealed class RouteTelemetry
{
    public RouteTelemetry(string exchange, string routingKeyTemplate)
    {
        Exchange = exchange;
        Template = exchange.Length > 0 ? exchange + ":" + routingKeyTemplate : routingKeyTemplate;
        Destination = exchange.Length > 0 ? exchange : routingKeyTemplate;
        SpanName = WarrenTracing.PublishSpanName(Destination, Template);
        FixedDestination = new PublishDestination(exchange, routingKeyTemplate);
    }

    public string Exchange { get; }

    /// <summary><c>messaging.destination.template</c>: <c>{exchange}:{template}</c>, or the template on the default exchange.</summary>
    public string Template { get; }

    /// <summary>The low-cardinality destination: the exchange, or on the default exchange the template.</summary>
    public string Destination { get; }

    public string SpanName { get; }

    public PublishDestination FixedDestination { get; }
}

/// <summary>Publishing for generated <c>[Publisher]</c> implementations. Called by generated code only.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class WarrenPublishing
{
    /// <summary>
    /// Publishes <paramref name="message"/> with <paramref name="routingKey"/>, built from <paramref name="route"/>'s
    /// template, to its contract's exchange. Spans and metrics name the template, as for a contract's own key.
    /// <paramref name="options"/> are the method's own (a delay), never a routing key or exchange override.
    /// </summary>
    public static ValueTask PublishAsync<T>(IPublisher publisher, T message, string routingKey, PublishRoute route, PublishOptions? options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(publisher);
        ArgumentNullException.ThrowIfNull(routingKey);
        ArgumentNullException.ThrowIfNull(route);
        if (publisher is MessagePublisher warren)
        {
            return warren.PublishRoutedAsync(message, routingKey, route, options, cancellationToken);
        }

        // Another implementation (a test double) sees what it always saw: the key as a per-publish override.
        var overriding = options is null ? new PublishOptions() : Copy(options);
        overriding.RoutingKey = routingKey;
        return publisher.PublishAsync(message, overriding, cancellationToken);
    }

    private static PublishOptions Copy(PublishOptions options) => new()
    {
        MessageId = options.MessageId,
        CorrelationId = options.CorrelationId,
        ReplyTo = options.ReplyTo,
        Priority = options.Priority,
        Expiration = options.Expiration,
        ContentType = options.ContentType,
        RoutingKey = options.RoutingKey,
        Exchange = options.Exchange,
        Headers = options.Headers,
        Persistent = options.Persistent,
        Mandatory = options.Mandatory,
        Delay = options.Delay,
        DeliverAt = options.DeliverAt,
        Ordered = options.Ordered,
    };
}
