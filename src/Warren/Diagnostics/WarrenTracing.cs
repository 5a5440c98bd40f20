using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Reflection;
using RabbitMQ.Client.Events;
using static Warren.SemanticConventions;

namespace Warren;

/// <summary>
/// Warren's <see cref="ActivitySource"/> and the spans it starts: <c>publish {destination}</c> (Producer),
/// <c>process {queue}</c> (Consumer), <c>{service}/{method}</c> (RPC Client and Server). Span names use only
/// low-cardinality parts: exchanges, queues, routing-key templates and contract names, never a concrete routing key.
/// </summary>
/// <remarks>
/// Attributes are added only to spans a sampler records (<see cref="Activity.IsAllDataRequested"/>): a span made only
/// to carry the trace context (a parent-based sampler's unsampled trace) costs no tag list. <c>AddTag</c>, not
/// <c>SetTag</c>: the spans are new, so there is nothing to replace and no list to search.
/// </remarks>
internal static class WarrenTracing
{
    public static readonly ActivitySource Source = new(
        WarrenDiagnostics.ActivitySourceName,
        typeof(WarrenTracing).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion);

    /// <summary>The boxed <c>warren.retry.count</c> of a first delivery, the common case, boxed once.</summary>
    private static readonly object NoRetries = 0L;

    /// <summary>
    /// Starts a publish span, child of the current activity, or returns null when nobody listens. Its name is
    /// <paramref name="spanName"/> when the caller keeps one (<see cref="PublishSpanName"/>), else made here.
    /// </summary>
    /// <remarks>A publish whose id the channel writes (<see cref="MessageIdBuffer"/>) passes its counter as
    /// <paramref name="messageIdCounter"/>: the id string is made only for a recorded span. A contract's publish passes
    /// its <paramref name="fixedDestination"/>: the <c>messaging.destination.name</c> of its fixed key is made once.</remarks>
    public static Activity? StartPublish(string? spanName, string destination, string? template, string exchange, string routingKey, string? messageId, string? correlationId, string? contract, ulong messageIdCounter = 0, PublishDestination? fixedDestination = null)
    {
        if (!Source.HasListeners())
        {
            return null;
        }

        var activity = Source.StartActivity(spanName ?? (template is null ? TelemetryNames.PublishSpanName(destination) : PublishSpanName(destination, template)), ActivityKind.Producer);
        if (activity is { IsAllDataRequested: true })
        {
            activity.AddTag(MessagingSystem, RabbitMQSystem);
            activity.AddTag(OperationName, Publish);
            activity.AddTag(OperationType, Send);
            activity.AddTag(DestinationName, fixedDestination?.For(exchange, routingKey) ?? PublishDestinationName(exchange, routingKey));
            if (template is not null)
            {
                activity.AddTag(DestinationTemplate, template);
            }

            if (routingKey.Length > 0)
            {
                activity.AddTag(SemanticConventions.RoutingKey, routingKey);
            }

            AddIfPresent(activity, MessageId, messageId ?? (messageIdCounter != 0 ? MessageIds.Of(messageIdCounter) : null));
            AddIfPresent(activity, ConversationId, correlationId);
            AddIfPresent(activity, Contract, contract);
        }

        return activity;
    }

    /// <summary>The <c>messaging.destination.name</c> of a publish span: <c>{exchange}:{routing key}</c>, without the parts that are empty.</summary>
    internal static string PublishDestinationName(string exchange, string routingKey) =>
        exchange.Length == 0 ? routingKey : routingKey.Length == 0 ? exchange : string.Concat(exchange, ":", routingKey);

    /// <summary>The name of the process spans of a queue: <c>process {queue}</c>.</summary>
    public static string ProcessSpanName(string queue) => ProcessOperation + " " + queue;

    /// <summary>
    /// Starts a process span named <paramref name="spanName"/> (<see cref="ProcessSpanName"/>) whose parent is the
    /// producer's context from <paramref name="headers"/>, or the current activity; null when nobody listens, and then
    /// the headers are not even read.
    /// </summary>
    public static Activity? StartProcess(string spanName, IDictionary<string, object?>? headers)
    {
        if (!Source.HasListeners())
        {
            return null;
        }

        return Source.StartActivity(ActivityKind.Consumer, TraceContext.Extract(headers), name: spanName);
    }

    /// <summary>
    /// Starts the process span of a batch (kind Consumer) in a new trace, linked to each message's producer context,
    /// or returns null when nobody listens.
    /// </summary>
    public static Activity? StartBatchProcess(string queue, IEnumerable<ActivityLink>? links)
    {
        if (!Source.HasListeners())
        {
            return null;
        }

        return Source.StartActivity(ActivityKind.Consumer, default(ActivityContext), tags: null, links: links, name: ProcessSpanName(queue));
    }

    /// <summary>The attributes of a recorded batch process span.</summary>
    public static void DescribeBatchProcess(Activity activity, string queue, int count, string? contract)
    {
        activity.AddTag(MessagingSystem, RabbitMQSystem);
        activity.AddTag(OperationName, ProcessOperation);
        activity.AddTag(OperationType, ProcessOperation);
        activity.AddTag(DestinationName, queue);
        activity.AddTag(BatchMessageCount, (long)count);
        activity.AddTag(Queue, queue);
        AddIfPresent(activity, Contract, contract);
    }

    /// <summary>The process span's attributes known before the handler runs, per the semantic conventions for RabbitMQ and Warren's own.</summary>
    public static void DescribeProcess(Activity activity, string queue, BasicDeliverEventArgs delivery, ProcessDestinations? destinations = null)
    {
        var properties = delivery.BasicProperties;
        var routingKey = delivery.RoutingKey;
        activity.AddTag(MessagingSystem, RabbitMQSystem);
        activity.AddTag(OperationName, ProcessOperation);
        activity.AddTag(OperationType, ProcessOperation);
        activity.AddTag(DestinationName, destinations?.For(delivery.Exchange, routingKey) ?? ProcessDestination(delivery.Exchange, routingKey, queue));
        if (routingKey.Length > 0)
        {
            activity.AddTag(SemanticConventions.RoutingKey, routingKey);
        }

        activity.AddTag(DeliveryTag, (long)delivery.DeliveryTag);
        AddIfPresent(activity, MessageId, properties.MessageId);
        AddIfPresent(activity, ConversationId, properties.CorrelationId);
        activity.AddTag(Queue, queue);
        AddIfPresent(activity, Contract, properties.Type);
        activity.AddTag(
            RetryCount,
            AmqpHeaders.TryReadInteger(properties.Headers, RetryPolicy.RetriesHeader, out var retries) == HeaderRead.Valid && retries is > 0 and <= int.MaxValue ? retries : NoRetries);
    }

    /// <summary>
    /// The <c>messaging.destination.name</c> of a process span: <c>{exchange}:{routing key}:{queue}</c>, without the
    /// exchange on the default exchange and without the routing key when it is empty or the queue's name. One string
    /// per delivery at most, none on the default exchange with the queue as routing key.
    /// </summary>
    internal static string ProcessDestination(string exchange, string routingKey, string queue)
    {
        var keyed = routingKey.Length > 0 && routingKey != queue;
        if (exchange.Length == 0)
        {
            return keyed ? string.Concat(routingKey, ":", queue) : queue;
        }

        return keyed ? string.Concat(exchange, ":", routingKey, ":", queue) : string.Concat(exchange, ":", queue);
    }

    /// <summary>
    /// The process span's attributes known once the delivery is settled: <c>warren.outcome</c>, the dead-letter reason,
    /// and the failure when <paramref name="errorType"/> is set.
    /// </summary>
    public static void EndProcess(Activity activity, string outcome, string? deadLetterReason, string? errorType, string? description, Exception? exception)
    {
        activity.AddTag(Outcome, outcome);
        if (deadLetterReason is not null)
        {
            activity.AddTag(DeadLetterReason, deadLetterReason);
        }

        if (errorType is not null)
        {
            Fail(activity, errorType, description, exception);
        }
    }

    /// <summary>The name of a publish span: <c>publish {template}</c>, or <c>publish {destination}</c> without a template.</summary>
    public static string PublishSpanName(string destination, string? template) => Publish + " " + (template ?? destination);

    /// <summary>
    /// The RPC attributes of a recorded client or server span: <c>rpc.system</c> and <c>rpc.system.name</c>
    /// (<c>warren</c>), <c>rpc.service</c> when known and <c>rpc.method</c>, the method's contract name.
    /// </summary>
    public static void DescribeRpc(Activity activity, string? service, string method)
    {
        activity.AddTag(RpcSystem, WarrenRpcSystem);
        activity.AddTag(RpcSystemName, WarrenRpcSystem);
        if (service is not null)
        {
            activity.AddTag(RpcService, service);
        }

        activity.AddTag(RpcMethod, method);
    }

    /// <summary>
    /// The endpoint (host and port) of <paramref name="connection"/> now: reading it races the connection's disposal
    /// (<c>Endpoint</c> then throws), which gives null. Null when the connection is unknown or already disposed: its
    /// spans then carry no <c>server.address</c>, nothing else changes. Spans read it through <see cref="ConnectionEndpoint"/>,
    /// which follows the connection's recovery to another node.
    /// </summary>
    public static ServerEndpoint? EndpointOf(RabbitMQ.Client.IConnection? connection)
    {
        if (connection is null)
        {
            return null;
        }

        try
        {
            return connection.Endpoint is { } endpoint ? new ServerEndpoint(endpoint.HostName, endpoint.Port) : null;
        }
        catch (ObjectDisposedException)
        {
            // Disposed while being obtained: the work on it fails on its own, with its own error.
            return null;
        }
    }

    /// <summary>
    /// <c>server.address</c> and <c>server.port</c> of a recorded messaging span: the endpoint of the connection it
    /// uses (a node of the cluster: low cardinality), as read by <see cref="EndpointOf"/>. Nothing when it is not known.
    /// </summary>
    public static void DescribeServer(Activity activity, ServerEndpoint? endpoint)
    {
        if (endpoint is { } known)
        {
            activity.AddTag(ServerAddress, known.Host);
            activity.AddTag(ServerPort, known.PortTag);
        }
    }

    /// <summary>Adds a tag to a new span when it has a value.</summary>
    public static void AddIfPresent(Activity activity, string name, string? value)
    {
        if (!string.IsNullOrEmpty(value))
        {
            activity.AddTag(name, value);
        }
    }

    /// <summary>
    /// Marks a recorded span as failed: Error status, <c>error.type</c> and, when there is one, an exception event. A
    /// span nobody records is left alone (an exception event formats the stack trace).
    /// </summary>
    public static void Fail(Activity? activity, string errorType, string? description, Exception? exception)
    {
        if (activity is not { IsAllDataRequested: true })
        {
            return;
        }

        activity.SetStatus(ActivityStatusCode.Error, description);
        activity.SetTag(ErrorType, errorType);
        if (exception is not null)
        {
            activity.AddException(exception);
        }
    }

    /// <summary>The low-cardinality <c>error.type</c> of an exception: its type's full name.</summary>
    public static string ErrorTypeOf(Exception exception) => exception.GetType().FullName ?? exception.GetType().Name;
}

/// <summary>The host and port of a connection's endpoint, for <c>server.address</c> and <c>server.port</c>.</summary>
internal sealed record ServerEndpoint(string Host, int Port)
{
    /// <summary><c>server.port</c> as the span attribute's value, boxed once per endpoint rather than per span.</summary>
    public object PortTag { get; } = (long)Port;

    /// <summary>
    /// The endpoint a connection is on now (<paramref name="current"/>, null when unknown or disposed): <paramref name="last"/>
    /// itself while it is the same node, so a span allocates nothing; a new one once the connection has recovered to
    /// another node of the cluster.
    /// </summary>
    public static ServerEndpoint? Refresh(ServerEndpoint? last, RabbitMQ.Client.AmqpTcpEndpoint? current) =>
        current is null ? null
        : last is not null && last.Port == current.Port && string.Equals(last.Host, current.HostName, StringComparison.Ordinal) ? last
        : new ServerEndpoint(current.HostName, current.Port);
}

/// <summary>
/// The endpoint of one connection for its spans, kept current: RabbitMQ.Client recovers a connection in place (the same
/// <c>IConnection</c>), possibly to another node of the cluster, and its <c>Endpoint</c> then names that node. Read per
/// span, allocating only when the node changed; a connection disposed meanwhile gives no endpoint instead of throwing.
/// </summary>
internal sealed class ConnectionEndpoint(RabbitMQ.Client.IConnection connection)
{
    private ServerEndpoint? _last = WarrenTracing.EndpointOf(connection);

    public RabbitMQ.Client.IConnection Connection => connection;

    /// <summary>The endpoint of the node the connection is on now, or null.</summary>
    public ServerEndpoint? Current
    {
        get
        {
            var current = ServerEndpoint.Refresh(System.Threading.Volatile.Read(ref _last), Read(connection));
            System.Threading.Volatile.Write(ref _last, current ?? _last);
            return current;
        }
    }

    private static RabbitMQ.Client.AmqpTcpEndpoint? Read(RabbitMQ.Client.IConnection connection)
    {
        try
        {
            return connection.Endpoint;
        }
        catch (ObjectDisposedException)
        {
            return null;
        }
    }
}
