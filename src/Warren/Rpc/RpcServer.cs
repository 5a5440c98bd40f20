using System;
using System.ComponentModel;
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
/// only then lets the request be acknowledged. A malformed request gets a fault reply and is not requeued.
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
        var asked = string.IsNullOrEmpty(context.MessageType)
            ? $"The request has no type property and its routing key '{context.RoutingKey}' names no method of service '{service}'."
            : $"Service '{service}' has no method '{context.MessageType}' (routing key '{context.RoutingKey}').";
        var how = methods.Count == 0
            ? string.Empty
            : $" Send the method's name in the type property, or publish to exchange 'amq.direct' with it as the routing key: {string.Join(", ", methods)}.";
        await server.ReplyFaultAsync(context, new RpcFault("Warren.UnknownMethod", asked + how, null)).ConfigureAwait(false);
        return DispatchOutcome.Ack;
    }

    /// <summary>Closes the reply channel.</summary>
    public ValueTask DisposeAsync() => _channel.DisposeAsync();

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
        return ServeCoreAsync(context, service, methodName, requestFormat, responseFormat.ContentType, async (ctx, request, ct) => Write(await method(ctx, request, ct).ConfigureAwait(false), responseFormat));
    }

    private static ValueTask<DispatchOutcome> ServeValueResponseAsync<TRequest, TResponse>(MessageContext context, string? service, string? methodName, PayloadFormat<TRequest> requestFormat, PayloadFormat<TResponse> responseFormat, Func<MessageContext, TRequest, CancellationToken, ValueTask<TResponse>> method)
    {
        ArgumentNullException.ThrowIfNull(responseFormat);
        return ServeCoreAsync(context, service, methodName, requestFormat, responseFormat.ContentType, async (ctx, request, ct) => Write(await method(ctx, request, ct).ConfigureAwait(false), responseFormat));
    }

    private static ValueTask<DispatchOutcome> ServeTaskCommandAsync<TRequest>(MessageContext context, string? service, string? methodName, PayloadFormat<TRequest> requestFormat, Func<MessageContext, TRequest, CancellationToken, Task> method) =>
        ServeCoreAsync(context, service, methodName, requestFormat, PayloadFormat.JsonContentType, async (ctx, request, ct) =>
        {
            await method(ctx, request, ct).ConfigureAwait(false);
            return Array.Empty<byte>();
        });

    private static ValueTask<DispatchOutcome> ServeValueTaskCommandAsync<TRequest>(MessageContext context, string? service, string? methodName, PayloadFormat<TRequest> requestFormat, Func<MessageContext, TRequest, CancellationToken, ValueTask> method) =>
        ServeCoreAsync(context, service, methodName, requestFormat, PayloadFormat.JsonContentType, async (ctx, request, ct) =>
        {
            await method(ctx, request, ct).ConfigureAwait(false);
            return Array.Empty<byte>();
        });

    private static async ValueTask<DispatchOutcome> ServeCoreAsync<TRequest>(MessageContext context, string? service, string? methodName, PayloadFormat<TRequest> requestFormat, string replyContentType, Func<MessageContext, TRequest, CancellationToken, Task<byte[]>> call)
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
        if (!MessageDispatcher.TryRead(context, requestFormat, out var request, out var error))
        {
            WarrenTracing.Fail(activity, "malformed_request", error, null);
            server._metrics.RpcServed(context.Queue, method, "malformed");
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
            Log.RpcMethodFailed(server._logger, ex, method);
            WarrenTracing.Fail(activity, WarrenTracing.ErrorTypeOf(ex), ex.Message, ex);
            server._metrics.RpcServed(context.Queue, method, "fault");
            await server.ReplyFaultAsync(context, new RpcFault(ex.GetType().FullName ?? ex.GetType().Name, ex.Message, server._options.RpcIncludeStackTraces ? ex.StackTrace : null)).ConfigureAwait(false);
            return DispatchOutcome.Ack;
        }

        server._metrics.RpcServed(context.Queue, method, "ok");

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
            // A request without reply-to is a one-way command: handled, nobody to answer.
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
