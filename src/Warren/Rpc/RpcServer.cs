using System;
using System.ComponentModel;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace Warren.Infrastructure;

/// <summary>
/// Serves RPC requests for generated server dispatchers: deserializes the request, calls the method, sends the reply
/// (or a fault reply: the exception's type and message) to <c>reply-to</c> with the request's <c>correlation-id</c>, and
/// only then lets the request be acknowledged. A malformed request gets a fault reply and is not requeued; each fault is
/// logged (rate-limited per queue). A request without <c>reply-to</c> that cannot be served (malformed, unknown method,
/// the method threw) is dead-lettered (or rejected, per the queue's retry policy) instead, since nobody can be told.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class RpcServer : IAsyncDisposable
{
    private const int MaxReplyAttempts = 3;

    private readonly WarrenConnections _connections;
    private readonly WarrenOptions _options;
    private readonly ILogger _logger;
    private readonly WarrenMetrics _metrics;
    private readonly ChannelHolder<IChannel> _channel;
    private readonly ConcurrentDictionary<string, FailureLogLimiter> _limiters = new(StringComparer.Ordinal);

    /// <summary>Created by DI.</summary>
    public RpcServer(WarrenConnections connections, IOptions<WarrenOptions> options, ILogger<RpcServer> logger, WarrenMetrics metrics)
    {
        ArgumentNullException.ThrowIfNull(options);
        _connections = connections;
        _metrics = metrics;
        _options = options.Value;
        _logger = logger;
        _channel = new ChannelHolder<IChannel>(
            "RPC reply",
            _connections.GetPublishConnectionAsync,
            (connection, ct) => connection.CreateChannelAsync(cancellationToken: ct),
            c => c,
            ChannelClosing.CloseQuietlyAsync,
            logger);
    }

    /// <summary>The channel replies go out on right now (tests break it to check that it is replaced).</summary>
    internal IChannel? CurrentChannel => _channel.Current;

    /// <summary>
    /// Serves a method returning <c>Task&lt;TResponse&gt;</c>: <paramref name="service"/> and <paramref name="methodName"/>
    /// (the method's contract name) name its span and metrics, whatever the request's <c>type</c> says.
    /// </summary>
    public static ValueTask<DispatchOutcome> ServeAsync<TRequest, TResponse>(MessageContext context, JsonTypeInfo<TRequest> requestInfo, JsonTypeInfo<TResponse> responseInfo, Func<MessageContext, TRequest, CancellationToken, Task<TResponse>> method, string service, string methodName) =>
        ServeAsync(context, PayloadFormat.Json(requestInfo), PayloadFormat.Json(responseInfo), method, service, methodName);

    /// <summary>Serves a method returning <c>ValueTask&lt;TResponse&gt;</c>, named by <paramref name="service"/> and <paramref name="methodName"/>.</summary>
    public static ValueTask<DispatchOutcome> ServeValueAsync<TRequest, TResponse>(MessageContext context, JsonTypeInfo<TRequest> requestInfo, JsonTypeInfo<TResponse> responseInfo, Func<MessageContext, TRequest, CancellationToken, ValueTask<TResponse>> method, string service, string methodName) =>
        ServeValueAsync(context, PayloadFormat.Json(requestInfo), PayloadFormat.Json(responseInfo), method, service, methodName);

    /// <summary>Serves a command returning <c>Task</c>, named by <paramref name="service"/> and <paramref name="methodName"/>: the reply is empty.</summary>
    public static ValueTask<DispatchOutcome> ServeCommandAsync<TRequest>(MessageContext context, JsonTypeInfo<TRequest> requestInfo, Func<MessageContext, TRequest, CancellationToken, Task> method, string service, string methodName) =>
        ServeCommandAsync(context, PayloadFormat.Json(requestInfo), method, service, methodName);

    /// <summary>Serves a command returning <c>ValueTask</c>, named by <paramref name="service"/> and <paramref name="methodName"/>: the reply is empty.</summary>
    public static ValueTask<DispatchOutcome> ServeValueCommandAsync<TRequest>(MessageContext context, JsonTypeInfo<TRequest> requestInfo, Func<MessageContext, TRequest, CancellationToken, ValueTask> method, string service, string methodName) =>
        ServeValueCommandAsync(context, PayloadFormat.Json(requestInfo), method, service, methodName);

    /// <summary>Serves a method returning <c>Task&lt;TResponse&gt;</c>, with the request and reply in the given formats (text, bytes or JSON), named by <paramref name="service"/> and <paramref name="methodName"/>.</summary>
    public static ValueTask<DispatchOutcome> ServeAsync<TRequest, TResponse>(MessageContext context, PayloadFormat<TRequest> requestFormat, PayloadFormat<TResponse> responseFormat, Func<MessageContext, TRequest, CancellationToken, Task<TResponse>> method, string service, string methodName) =>
        ServeResponseAsync(context, service, methodName, requestFormat, responseFormat, method);

    /// <summary>Serves a method returning <c>ValueTask&lt;TResponse&gt;</c>, with the request and reply in the given formats, named by <paramref name="service"/> and <paramref name="methodName"/>.</summary>
    public static ValueTask<DispatchOutcome> ServeValueAsync<TRequest, TResponse>(MessageContext context, PayloadFormat<TRequest> requestFormat, PayloadFormat<TResponse> responseFormat, Func<MessageContext, TRequest, CancellationToken, ValueTask<TResponse>> method, string service, string methodName) =>
        ServeValueResponseAsync(context, service, methodName, requestFormat, responseFormat, method);

    /// <summary>Serves a command returning <c>Task</c> with the request in the given format, named by <paramref name="service"/> and <paramref name="methodName"/>: the reply is empty.</summary>
    public static ValueTask<DispatchOutcome> ServeCommandAsync<TRequest>(MessageContext context, PayloadFormat<TRequest> requestFormat, Func<MessageContext, TRequest, CancellationToken, Task> method, string service, string methodName) =>
        ServeTaskCommandAsync(context, service, methodName, requestFormat, method);

    /// <summary>Serves a command returning <c>ValueTask</c> with the request in the given format, named by <paramref name="service"/> and <paramref name="methodName"/>: the reply is empty.</summary>
    public static ValueTask<DispatchOutcome> ServeValueCommandAsync<TRequest>(MessageContext context, PayloadFormat<TRequest> requestFormat, Func<MessageContext, TRequest, CancellationToken, ValueTask> method, string service, string methodName) =>
        ServeValueTaskCommandAsync(context, service, methodName, requestFormat, method);

    // The signatures modules generated by Warren 0.1.0 call: kept so such a library keeps working on a newer host. Their
    // span and metrics are named after the queue (fixed by the service, never by a message).

    /// <summary>Serves a method returning <c>Task&lt;TResponse&gt;</c> (modules generated by Warren 0.1.0).</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public static ValueTask<DispatchOutcome> ServeAsync<TRequest, TResponse>(MessageContext context, JsonTypeInfo<TRequest> requestInfo, JsonTypeInfo<TResponse> responseInfo, Func<MessageContext, TRequest, CancellationToken, Task<TResponse>> method) =>
        ServeResponseAsync(context, null, null, PayloadFormat.Json(requestInfo), PayloadFormat.Json(responseInfo), method);

    /// <summary>Serves a method returning <c>ValueTask&lt;TResponse&gt;</c> (modules generated by Warren 0.1.0).</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public static ValueTask<DispatchOutcome> ServeValueAsync<TRequest, TResponse>(MessageContext context, JsonTypeInfo<TRequest> requestInfo, JsonTypeInfo<TResponse> responseInfo, Func<MessageContext, TRequest, CancellationToken, ValueTask<TResponse>> method) =>
        ServeValueResponseAsync(context, null, null, PayloadFormat.Json(requestInfo), PayloadFormat.Json(responseInfo), method);

    /// <summary>Serves a command returning <c>Task</c> (modules generated by Warren 0.1.0).</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public static ValueTask<DispatchOutcome> ServeCommandAsync<TRequest>(MessageContext context, JsonTypeInfo<TRequest> requestInfo, Func<MessageContext, TRequest, CancellationToken, Task> method) =>
        ServeTaskCommandAsync(context, null, null, PayloadFormat.Json(requestInfo), method);

    /// <summary>Serves a command returning <c>ValueTask</c> (modules generated by Warren 0.1.0).</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public static ValueTask<DispatchOutcome> ServeValueCommandAsync<TRequest>(MessageContext context, JsonTypeInfo<TRequest> requestInfo, Func<MessageContext, TRequest, CancellationToken, ValueTask> method) =>
        ServeValueTaskCommandAsync(context, null, null, PayloadFormat.Json(requestInfo), method);

    /// <summary>Serves a method returning <c>Task&lt;TResponse&gt;</c> in the given formats (modules generated by Warren 0.1.0).</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public static ValueTask<DispatchOutcome> ServeAsync<TRequest, TResponse>(MessageContext context, PayloadFormat<TRequest> requestFormat, PayloadFormat<TResponse> responseFormat, Func<MessageContext, TRequest, CancellationToken, Task<TResponse>> method) =>
        ServeResponseAsync(context, null, null, requestFormat, responseFormat, method);

    /// <summary>Serves a method returning <c>ValueTask&lt;TResponse&gt;</c> in the given formats (modules generated by Warren 0.1.0).</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public static ValueTask<DispatchOutcome> ServeValueAsync<TRequest, TResponse>(MessageContext context, PayloadFormat<TRequest> requestFormat, PayloadFormat<TResponse> responseFormat, Func<MessageContext, TRequest, CancellationToken, ValueTask<TResponse>> method) =>
        ServeValueResponseAsync(context, null, null, requestFormat, responseFormat, method);

    /// <summary>Serves a command returning <c>Task</c> with the request in the given format (modules generated by Warren 0.1.0).</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public static ValueTask<DispatchOutcome> ServeCommandAsync<TRequest>(MessageContext context, PayloadFormat<TRequest> requestFormat, Func<MessageContext, TRequest, CancellationToken, Task> method) =>
        ServeTaskCommandAsync(context, null, null, requestFormat, method);

    /// <summary>Serves a command returning <c>ValueTask</c> with the request in the given format (modules generated by Warren 0.1.0).</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public static ValueTask<DispatchOutcome> ServeValueCommandAsync<TRequest>(MessageContext context, PayloadFormat<TRequest> requestFormat, Func<MessageContext, TRequest, CancellationToken, ValueTask> method) =>
        ServeValueTaskCommandAsync(context, null, null, requestFormat, method);

    /// <summary>Answers a request for a method the service does not have.</summary>
    public static ValueTask<DispatchOutcome> UnknownMethodAsync(MessageContext context, string service) =>
        UnknownMethodAsync(context, service, Array.Empty<string>());

    /// <summary>Answers a request that names none of <paramref name="methods"/>, saying how to name one.</summary>
    public static async ValueTask<DispatchOutcome> UnknownMethodAsync(MessageContext context, string service, IReadOnlyList<string> methods)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(methods);
        var server = context.Services.GetRequiredService<RpcServer>();
        var messageId = MessageIdOf(context);
        var asked = string.IsNullOrEmpty(context.MessageType)
            ? $"The request has no type property and its routing key '{context.RoutingKey}' names no method of service '{service}'."
            : $"Service '{service}' has no method '{context.MessageType}' (routing key '{context.RoutingKey}').";
        var how = methods.Count == 0
            ? string.Empty
            : $" Send the method's name in the type property, or publish to exchange 'amq.direct' with it as the routing key: {string.Join(", ", methods)}.";
        if (string.IsNullOrEmpty(context.ReplyTo))
        {
            // Nobody to tell: the consumer logs the reason and where the request goes.
            return DispatchOutcome.DeadLetter("The RPC request has no reply-to, so no fault reply can be sent: " + asked + how);
        }

        if (server.Limiter(context.Queue).TryLog())
        {
            Log.RpcUnknownMethod(server._logger, context.Queue, messageId, service, asked + how);
        }

        await server.ReplyFaultAsync(context, new RpcFault("Warren.UnknownMethod", asked + how, null)).ConfigureAwait(false);
        return DispatchOutcome.Ack;
    }

    /// <summary>Closes the reply channel and writes the counts of suppressed failure lines.</summary>
    public ValueTask DisposeAsync()
    {
        foreach (var limiter in _limiters.Values)
        {
            limiter.Flush();
        }

        return _channel.DisposeAsync();
    }

    private static string MessageIdOf(MessageContext context) =>
        context.MessageId is { Length: > 0 } id
            ? id
            : $"without a message id (delivery tag {context.DeliveryTag.ToString(System.Globalization.CultureInfo.InvariantCulture)})";

    /// <summary>
    /// The failure-line limiter of <paramref name="queue"/>: at most 10 lines per 10 seconds, like a consumer's, on the
    /// clock registered in DI (the connections' <see cref="TimeProvider"/>), as every other deadline and window of the runtime.
    /// </summary>
    internal FailureLogLimiter Limiter(string queue) =>
        _limiters.GetOrAdd(queue, static (q, server) => new FailureLogLimiter(q, server._logger, server._connections.Time), this);

    private static byte[] Write<T>(T value, PayloadFormat<T> format)
    {
        if (format.JsonTypeInfo is { } info)
        {
            return JsonSerializer.SerializeToUtf8Bytes(value, info);
        }

        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        format.Write(value, buffer);
        return buffer.WrittenSpan.ToArray();
    }

    private static ValueTask<DispatchOutcome> ServeResponseAsync<TRequest, TResponse>(MessageContext context, string? service, string? methodName, PayloadFormat<TRequest> requestFormat, PayloadFormat<TResponse> responseFormat, Func<MessageContext, TRequest, CancellationToken, Task<TResponse>> method)
    {
        ArgumentNullException.ThrowIfNull(responseFormat);
        return ServeCoreAsync(context, service, methodName, requestFormat, responseFormat.ContentType, command: false, async (ctx, request, ct) => Write(await method(ctx, request, ct).ConfigureAwait(false), responseFormat));
    }

    private static ValueTask<DispatchOutcome> ServeValueResponseAsync<TRequest, TResponse>(MessageContext context, string? service, string? methodName, PayloadFormat<TRequest> requestFormat, PayloadFormat<TResponse> responseFormat, Func<MessageContext, TRequest, CancellationToken, ValueTask<TResponse>> method)
    {
        ArgumentNullException.ThrowIfNull(responseFormat);
        return ServeCoreAsync(context, service, methodName, requestFormat, responseFormat.ContentType, command: false, async (ctx, request, ct) => Write(await method(ctx, request, ct).ConfigureAwait(false), responseFormat));
    }

    private static ValueTask<DispatchOutcome> ServeTaskCommandAsync<TRequest>(MessageContext context, string? service, string? methodName, PayloadFormat<TRequest> requestFormat, Func<MessageContext, TRequest, CancellationToken, Task> method) =>
        ServeCoreAsync(context, service, methodName, requestFormat, PayloadFormat.JsonContentType, command: true, async (ctx, request, ct) =>
        {
            await method(ctx, request, ct).ConfigureAwait(false);
            return Array.Empty<byte>();
        });

    private static ValueTask<DispatchOutcome> ServeValueTaskCommandAsync<TRequest>(MessageContext context, string? service, string? methodName, PayloadFormat<TRequest> requestFormat, Func<MessageContext, TRequest, CancellationToken, ValueTask> method) =>
        ServeCoreAsync(context, service, methodName, requestFormat, PayloadFormat.JsonContentType, command: true, async (ctx, request, ct) =>
        {
            await method(ctx, request, ct).ConfigureAwait(false);
            return Array.Empty<byte>();
        });

    private static async ValueTask<DispatchOutcome> ServeCoreAsync<TRequest>(MessageContext context, string? service, string? methodName, PayloadFormat<TRequest> requestFormat, string replyContentType, bool command, Func<MessageContext, TRequest, CancellationToken, Task<byte[]>> call)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(requestFormat);
        var server = context.Services.GetRequiredService<RpcServer>();
        // The method served, as the generated server names it (a request's type may be anything: a request routed by key
        // is served whatever its type says); a module generated by Warren 0.1.0 names none, so the queue's name stands in.
        var method = methodName ?? context.Queue;

        // A Server span named like the client's, {service}/{method} (both fixed by the service, never by a message),
        // inside the consumer's process span; named by the method alone when the caller does not name the service.
        using var activity = WarrenTracing.Source.HasListeners()
            ? WarrenTracing.Source.StartActivity(service is null ? method : TelemetryNames.RpcClientSpanName(service, method), ActivityKind.Server)
            : null;
        if (activity is { IsAllDataRequested: true })
        {
            WarrenTracing.DescribeRpc(activity, service, method);
            WarrenTracing.AddIfPresent(activity, SemanticConventions.ConversationId, context.CorrelationId);
        }
        var oneWay = string.IsNullOrEmpty(context.ReplyTo);
        TRequest? request;
        string? error;
        bool read;
        try
        {
            read = MessageDispatcher.TryRead(context, requestFormat, out request, out error);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // A decoder that throws on data it cannot read still makes the request malformed, not a failed handler.
            (read, request, error) = (false, default, $"The request body could not be read ({ex.GetType().FullName}: {ex.Message}).");
        }

        if (!read)
        {
            WarrenTracing.Fail(activity, "malformed_request", error, null);
            server._metrics.RpcServed(context.Queue, method, "malformed");
            if (oneWay)
            {
                // Nobody to tell: the consumer logs the reason and where the request goes.
                return DispatchOutcome.DeadLetter("The RPC request has no reply-to, so no fault reply can be sent: " + error);
            }

            if (server.Limiter(context.Queue).TryLog())
            {
                Log.RpcMalformedRequest(server._logger, context.Queue, MessageIdOf(context), method, error!);
            }

            await server.ReplyFaultAsync(context, new RpcFault("Warren.MalformedRequest", error!, null)).ConfigureAwait(false);
            return DispatchOutcome.Ack;
        }

        byte[] reply;
        try
        {
            reply = await call(context, request!, context.CancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            WarrenTracing.Fail(activity, WarrenTracing.ErrorTypeOf(ex), ex.Message, ex);
            server._metrics.RpcServed(context.Queue, method, "fault");
            if (oneWay && ex is OperationCanceledException && context.CancellationToken.IsCancellationRequested)
            {
                // Cancelled by the stop or the handler timeout: not the request's fault; the consumer returns it to the
                // queue (or logs it as timed out) as it does for any handler.
                return DispatchOutcome.Requeue($"The RPC method {method} was cancelled: {ex.Message}", ex);
            }

            if (oneWay)
            {
                if (server.Limiter(context.Queue).TryLog())
                {
                    Log.RpcMethodFailedWithoutReplyTo(server._logger, ex, method, context.Queue, MessageIdOf(context));
                }

                // The consumer's settlement logs where the request went (event 60): dead-lettered, discarded or returned.
                return DispatchOutcome.DeadLetter($"The RPC method {method} threw {ex.GetType().FullName}: {ex.Message} (the request has no reply-to, so no fault reply can be sent)", ex);
            }

            if (server.Limiter(context.Queue).TryLog())
            {
                Log.RpcMethodFailed(server._logger, ex, method);
            }

            await server.ReplyFaultAsync(context, new RpcFault(ex.GetType().FullName ?? ex.GetType().Name, ex.Message, server._options.RpcIncludeStackTraces ? ex.StackTrace : null)).ConfigureAwait(false);
            return DispatchOutcome.Ack;
        }

        server._metrics.RpcServed(context.Queue, method, "ok");
        if (oneWay)
        {
            if (command)
            {
                Log.RpcOneWayCommand(server._logger, context.Queue, MessageIdOf(context), method);
            }
            else if (server.Limiter(context.Queue).TryLog())
            {
                Log.RpcResultDropped(server._logger, context.Queue, MessageIdOf(context), method, reply.Length);
            }

            return DispatchOutcome.Ack;
        }

        // An untyped request (a foreign client routing by key) gets an untyped reply: there is no contract name to echo.
        var replyType = string.IsNullOrEmpty(context.MessageType) ? null : context.MessageType + ".reply";
        await server.ReplyAsync(context, reply, RpcWire.Ok, replyType, replyContentType).ConfigureAwait(false);
        return DispatchOutcome.Ack;
    }

    private ValueTask ReplyFaultAsync(MessageContext context, RpcFault fault) =>
        ReplyAsync(context, JsonSerializer.SerializeToUtf8Bytes(fault, RpcJson.Default.RpcFault), RpcWire.Fault, RpcWire.FaultType, PayloadFormat.JsonContentType);

    private async ValueTask ReplyAsync(MessageContext context, byte[] body, string status, string? type, string contentType)
    {
        if (string.IsNullOrEmpty(context.ReplyTo))
        {
            // Not reached: ServeCoreAsync and UnknownMethodAsync handle a request without reply-to themselves.
            return;
        }

        var properties = new BasicProperties
        {
            CorrelationId = context.CorrelationId,
            Type = type,
            ContentType = contentType,
            Headers = new Dictionary<string, object?>(1) { [RpcWire.StatusHeader] = status },
        };
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var channel = await _channel.GetAsync(context.CancellationToken).ConfigureAwait(false);
                await channel.BasicPublishAsync(string.Empty, context.ReplyTo, mandatory: false, properties, body).ConfigureAwait(false);
                return;
            }
            catch (AlreadyClosedException) when (attempt < MaxReplyAttempts)
            {
                // Not sent: the channel had just been closed (by the broker, or with its connection). The next attempt
                // gets a new or recovered channel.
            }
            catch (Exception ex) when (ex is OperationInterruptedException or IOException or ObjectDisposedException or OperationCanceledException)
            {
                // The caller gets a timeout or a lost-channel error; the request is still acknowledged (it was handled).
                Log.RpcReplyFailed(_logger, context.MessageType, context.RoutingKey, ex.Message);
                return;
            }
        }
    }
}
