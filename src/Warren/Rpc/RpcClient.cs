using System;
using System.ComponentModel;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Logging;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using RabbitMQ.Client.Exceptions;

namespace Warren.Infrastructure;

/// <summary>
/// Makes RPC calls for generated proxies: one channel of the publishing connection publishes requests (mandatory, with
/// <c>correlation-id</c>, <c>reply-to = amq.rabbitmq.reply-to</c> and <c>expiration</c> = the timeout) and consumes
/// every reply over direct reply-to. Pending calls live in a correlation map that timeouts, cancellations, returns and
/// lost channels all clean; a reply nobody waits for any more is dropped. A channel the broker closes fails only the
/// calls waiting on it; the next call opens a new one. A reply body over <see cref="WarrenOptions.MaxMessageSize"/>, or
/// one that decodes to more, fails its call at once with an <see cref="RpcException"/> naming its size and the limit.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class RpcClient : IAsyncDisposable
{
    /// <summary>The largest per-message TTL RabbitMQ accepts (2^32 - 1 ms); a larger one is a channel error.</summary>
    private const double MaxExpirationMs = uint.MaxValue;

    private const int MaxSendAttempts = 3;

    private readonly WarrenConnections _connections;
    private readonly ILogger _logger;
    private readonly WarrenMetrics _metrics;
    private readonly ConcurrentDictionary<string, Pending> _pending = new(StringComparer.Ordinal);
    private readonly ChannelHolder<IChannel> _channel;
    private readonly LentHeadersPool _headers = new(256);

    /// <summary>The largest reply body read, and the most a compressed one may decode to: Warren:MaxMessageSize.</summary>
    private readonly int _maxMessageSize;

    /// <summary>Created by DI.</summary>
    public RpcClient(WarrenConnections connections, ILogger<RpcClient> logger, WarrenMetrics metrics)
    {
        _connections = connections;
        _metrics = metrics;
        _logger = logger;
        _maxMessageSize = connections.Options.MaxMessageSize;
        _channel = new ChannelHolder<IChannel>("RPC client", _connections.GetPublishConnectionAsync, OpenChannelAsync, c => c, ChannelClosing.CloseQuietlyAsync, logger);
    }

    /// <summary>The channel requests go out on right now (tests break it to check that it is replaced).</summary>
    internal IChannel? CurrentChannel => _channel.Current;

    /// <summary>Calls awaiting their reply right now (0 when idle: the map never keeps finished calls).</summary>
    public int PendingCalls => _pending.Count;

    /// <summary>Calls a method that returns a value.</summary>
    public Task<TResponse> CallAsync<TRequest, TResponse>(string service, string queue, string method, TRequest request, JsonTypeInfo<TRequest> requestInfo, JsonTypeInfo<TResponse> responseInfo, TimeSpan timeout, CancellationToken cancellationToken = default) =>
        CallAsync(service, queue, method, request, PayloadFormat.Json(requestInfo), PayloadFormat.Json(responseInfo), timeout, cancellationToken);

    /// <summary>Calls a method without a result: completes when the server has handled the request.</summary>
    public Task CallAsync<TRequest>(string service, string queue, string method, TRequest request, JsonTypeInfo<TRequest> requestInfo, TimeSpan timeout, CancellationToken cancellationToken = default) =>
        CallAsync(service, queue, method, request, PayloadFormat.Json(requestInfo), timeout, cancellationToken);

    /// <summary>
    /// Calls a method that returns a value, with the request and reply in the given formats (text, bytes or JSON): the
    /// request carries the request format's <c>content-type</c>, the reply is read in its own <c>content-type</c>.
    /// </summary>
    public async Task<TResponse> CallAsync<TRequest, TResponse>(string service, string queue, string method, TRequest request, PayloadFormat<TRequest> requestFormat, PayloadFormat<TResponse> responseFormat, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(responseFormat);
        var reply = await SendAsync(service, queue, method, request, requestFormat, timeout, cancellationToken).ConfigureAwait(false);
        if (!responseFormat.TryRead(reply.Body, reply.ContentType, reply.ContentEncoding, _maxMessageSize, out var response, out var error))
        {
            throw new RpcException(service, method, $"RPC {method} to service '{service}' returned a reply that is not a {typeof(TResponse).Name}: {error}");
        }

        return response ?? throw new RpcException(service, method, $"RPC {method} to service '{service}' returned JSON null.");
    }

    /// <summary>Calls a method without a result, with the request in the given format: completes when the server has handled the request.</summary>
    public async Task CallAsync<TRequest>(string service, string queue, string method, TRequest request, PayloadFormat<TRequest> requestFormat, TimeSpan timeout, CancellationToken cancellationToken = default) =>
        await SendAsync(service, queue, method, request, requestFormat, timeout, cancellationToken).ConfigureAwait(false);

    /// <summary>Closes the reply channel; pending calls fail.</summary>
    public ValueTask DisposeAsync() => _channel.DisposeAsync();

    private async Task<Reply> SendAsync<TRequest>(string service, string queue, string method, TRequest request, PayloadFormat<TRequest> requestFormat, TimeSpan timeout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(requestFormat);
        var time = _connections.Time;
        var started = time.GetTimestamp();
        var body = Write(request, requestFormat);
        var correlationId = Guid.NewGuid().ToString("N");
        var properties = new BasicProperties
        {
            CorrelationId = correlationId,
            MessageId = correlationId,
            ReplyTo = RpcWire.DirectReplyTo,
            Type = method,
            ContentType = requestFormat.ContentType,
            Timestamp = new AmqpTimestamp(DateTimeOffset.UtcNow.ToUnixTimeSeconds()),
        };
        if (timeout > TimeSpan.Zero && timeout.TotalMilliseconds <= MaxExpirationMs)
        {
            // Nobody processes the request once the caller has given up. (No expiration for an infinite timeout: the
            // broker closes the channel for one it cannot read.)
            properties.Expiration = ((long)Math.Ceiling(timeout.TotalMilliseconds)).ToString(CultureInfo.InvariantCulture);
        }

        // A Client span named by service and method (both fixed by the contract); its context travels in the request.
        using var activity = WarrenTracing.Source.HasListeners() ? WarrenTracing.Source.StartActivity(TelemetryNames.RpcClientSpanName(service, method), ActivityKind.Client) : null;
        if (activity is { IsAllDataRequested: true })
        {
            WarrenTracing.DescribeRpc(activity, service, method);
            activity.AddTag(SemanticConventions.MessagingSystem, SemanticConventions.RabbitMQSystem);
            activity.AddTag(SemanticConventions.DestinationName, queue);
            activity.AddTag(SemanticConventions.MessageId, correlationId);
            activity.AddTag(SemanticConventions.ConversationId, correlationId);
        }

        // The trace context goes into headers lent for the call from a pool (with the traceparent as reused bytes, which
        // the client encodes as the same long string): no header table nor traceparent string per call.
        var headers = (activity ?? Activity.Current) is { } traced ? _headers.Rent(TraceContext.Of(traced)) : null;
        properties.Headers = headers?.Table;

        var outcome = "error";
        using var timer = new CancellationTokenSource(timeout, time);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timer.Token);
        try
        {
            var reply = await CallOnceAsync(queue, service, method, correlationId, properties, body, deadline.Token).ConfigureAwait(false);
            outcome = "ok";
            return reply;
        }
        catch (OperationCanceledException ex) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            outcome = "timeout";
            var timedOut = new RpcTimeoutException(service, method, time.GetElapsedTime(started));
            WarrenTracing.Fail(activity, WarrenTracing.ErrorTypeOf(timedOut), timedOut.Message, ex);
            throw timedOut;
        }
        catch (Exception ex) when (ex is OperationInterruptedException or IOException)
        {
            var failed = new RpcException(service, method, $"RPC {method} to service '{service}' could not be sent: {ex.Message}", ex);
            WarrenTracing.Fail(activity, WarrenTracing.ErrorTypeOf(ex), failed.Message, ex);
            throw failed;
        }
        catch (Exception ex)
        {
            outcome = ex switch
            {
                OperationCanceledException => "cancelled",
                RemoteRpcException => "fault",
                RpcNoServerException => "no_server",
                _ => "error",
            };
            WarrenTracing.Fail(activity, WarrenTracing.ErrorTypeOf(ex), ex.Message, ex);
            throw;
        }
        finally
        {
            _metrics.RpcCalled(service, method, outcome, started);
            if (headers is not null)
            {
                // Every send of this call has completed (the client encodes the headers before BasicPublishAsync
                // completes and keeps no reference to them): the next call may fill them.
                properties.Headers = null;
                _headers.Return(headers);
            }
        }
    }

    /// <summary>Sends the request (again on a new channel when the first one was closed a moment before) and waits for its reply.</summary>
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

    private async Task<Reply> CallOnceAsync(string queue, string service, string method, string correlationId, BasicProperties properties, byte[] body, CancellationToken token)
    {
        try
        {
            for (var attempt = 1; ; attempt++)
            {
                var channel = await _channel.GetAsync(token).ConfigureAwait(false);
                var pending = new Pending(service, method, queue, channel);
                _pending[correlationId] = pending;
                try
                {
                    await channel.BasicPublishAsync(string.Empty, queue, mandatory: true, properties, body, token).ConfigureAwait(false);
                }
                catch (OperationInterruptedException) when (attempt < MaxSendAttempts && !token.IsCancellationRequested)
                {
                    // Not sent: the channel was closed a moment ago. The next attempt gets a new or recovered one.
                    _pending.TryRemove(correlationId, out _);
                    continue;
                }

                return await pending.Reply.WaitAsync(token).ConfigureAwait(false);
            }
        }
        finally
        {
            _pending.TryRemove(correlationId, out _);
        }
    }

    private async Task<IChannel> OpenChannelAsync(IConnection connection, CancellationToken cancellationToken)
    {
        var channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        try
        {
            var consumer = new AsyncEventingBasicConsumer(channel);
            consumer.ReceivedAsync += OnReplyAsync;
            channel.BasicReturnAsync += OnReturnAsync;
            channel.ChannelShutdownAsync += (_, reason) => OnShutdownAsync(channel, reason);

            // Direct reply-to: the pseudo-queue must be consumed (auto-ack) on the channel that publishes requests.
            await channel.BasicConsumeAsync(RpcWire.DirectReplyTo, autoAck: true, consumer, cancellationToken).ConfigureAwait(false);
            return channel;
        }
        catch
        {
            await ChannelClosing.CloseQuietlyAsync(channel).ConfigureAwait(false);
            throw;
        }
    }

    private Task OnReplyAsync(object sender, BasicDeliverEventArgs delivery)
    {
        var correlationId = delivery.BasicProperties.CorrelationId;
        if (correlationId is null || !_pending.TryRemove(correlationId, out var pending))
        {
            Log.LateReply(_logger, correlationId ?? "(none)");
            return Task.CompletedTask;
        }

        if (delivery.Body.Length > _maxMessageSize)
        {
            // Not copied nor read: the caller hears why at once, rather than waiting for its timeout.
            pending.Fail(new RpcException(pending.Service, pending.Method, $"RPC {pending.Method} to service '{pending.Service}' returned a reply of {delivery.Body.Length} bytes, over Warren:MaxMessageSize ({_maxMessageSize} bytes); it was not read."));
            return Task.CompletedTask;
        }

        // The body is only valid during this callback: copy it before handing it to the caller.
        if (AmqpHeaders.AsText(delivery.BasicProperties.Headers is { } h && h.TryGetValue(RpcWire.StatusHeader, out var status) ? status : null) == RpcWire.Fault)
        {
            var fault = Deserialize(delivery.Body.Span);
            pending.Fail(new RemoteRpcException(pending.Service, pending.Method, fault.Type, fault.Message, fault.StackTrace));
        }
        else
        {
            pending.Succeed(new Reply(delivery.Body.ToArray(), delivery.BasicProperties.ContentType, delivery.BasicProperties.ContentEncoding));
        }

        return Task.CompletedTask;
    }

    private static RpcFault Deserialize(ReadOnlySpan<byte> body)
    {
        try
        {
            return JsonSerializer.Deserialize(body, RpcJson.Default.RpcFault) ?? new RpcFault("unknown", "empty fault reply", null);
        }
        catch (JsonException ex)
        {
            return new RpcFault("unknown", "unreadable fault reply: " + ex.Message, null);
        }
    }

    private Task OnReturnAsync(object sender, BasicReturnEventArgs e)
    {
        if (e.BasicProperties.CorrelationId is { } id && _pending.TryRemove(id, out var pending))
        {
            pending.Fail(new RpcNoServerException(pending.Service, pending.Method, pending.Queue));
        }

        return Task.CompletedTask;
    }

    private Task OnShutdownAsync(IChannel channel, ShutdownEventArgs reason)
    {
        // Replies for the calls sent on this channel can no longer arrive: fail them now rather than at their timeout.
        foreach (var (id, pending) in _pending)
        {
            if (ReferenceEquals(pending.Channel, channel) && _pending.TryRemove(id, out _))
            {
                pending.Fail(new RpcException(pending.Service, pending.Method, $"RPC {pending.Method} to service '{pending.Service}' lost its reply channel ({reason.ReplyCode} {reason.ReplyText}); it may or may not have been processed."));
            }
        }

        return Task.CompletedTask;
    }

    private sealed class Pending(string service, string method, string queue, IChannel channel)
    {
        public IChannel Channel { get; } = channel;

        private readonly TaskCompletionSource<Reply> _reply = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public string Service { get; } = service;

        public string Method { get; } = method;

        public string Queue { get; } = queue;

        public Task<Reply> Reply => _reply.Task;

        public void Succeed(Reply reply) => _reply.TrySetResult(reply);

        public void Fail(Exception error) => _reply.TrySetException(error);
    }
}

/// <summary>
/// Header tables for the trace context of RPC requests, each lent to one call from before its first send until its
/// last send has completed, with a buffer for its <c>traceparent</c> bytes. At most <c>capacity</c> are kept.
/// </summary>
internal sealed class LentHeadersPool(int capacity)
{
    private readonly ConcurrentQueue<LentHeaders> _items = new();
    private int _count;

    /// <summary>A header table holding <paramref name="trace"/>'s <c>traceparent</c> (and <c>tracestate</c>) and nothing else.</summary>
    public LentHeaders Rent(in ActivityContext trace)
    {
        if (_items.TryDequeue(out var headers))
        {
            Interlocked.Decrement(ref _count);
        }
        else
        {
            headers = new LentHeaders();
        }

        headers.Table.Clear();
        TraceContext.Inject(trace, headers.Table, headers.TraceParent);
        return headers;
    }

    /// <summary>Takes back headers no send refers to any more.</summary>
    public void Return(LentHeaders headers)
    {
        headers.Table.Clear();
        if (Interlocked.Increment(ref _count) <= capacity)
        {
            _items.Enqueue(headers);
        }
        else
        {
            Interlocked.Decrement(ref _count);
        }
    }
}

/// <summary>A header table and the buffer its <c>traceparent</c> value is written into.</summary>
internal sealed class LentHeaders
{
    public Dictionary<string, object?> Table { get; } = new(2, StringComparer.Ordinal);

    public byte[] TraceParent { get; } = TraceContext.NewTraceParentBuffer();
}

/// <summary>A reply's body (copied out of the delivery) and the properties needed to read it.</summary>
internal readonly record struct Reply(byte[] Body, string? ContentType, string? ContentEncoding);
