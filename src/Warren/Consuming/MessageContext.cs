using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.DependencyInjection;

namespace Warren;

/// <summary>
/// One delivery as a handler sees it: its AMQP properties, headers, delivery facts and the per-message service scope.
/// Valid only while the dispatcher runs; <see cref="Body"/> in particular must not be kept.
/// </summary>
/// <remarks>
/// <para>
/// A queue's consumer reuses the contexts of generated dispatchers that no handler received: once such a delivery is
/// handled, its context is emptied and serves a later delivery. A context handed to a handler (a handler method that
/// takes <see cref="MessageContext"/>, a <c>MessageDispatcher.Create</c> delegate, a hand-written dispatcher) is never
/// reused and keeps its values, though <see cref="Body"/> and <see cref="Services"/> end with the handling.
/// </para>
/// <para>
/// The consumer creates the per-message DI scope when something first asks for <see cref="Services"/> (a scoped or
/// transient handler class, or a handler that resolves services from it), and disposes it when the delivery is
/// handled. A handler class registered as a singleton is resolved from the application's root provider, so its
/// deliveries need no scope unless it asks for one.
/// </para>
/// </remarks>
public sealed class MessageContext
{
    /// <summary>Creates a context (the consumer does this; tests may too).</summary>
    public MessageContext(string queue, ReadOnlyMemory<byte> body, IServiceProvider services, CancellationToken cancellationToken)
    {
        _queue = queue;
        _body = body;
        ArgumentNullException.ThrowIfNull(services);
        _services = services;
        _cancellationToken = cancellationToken;
    }

    /// <summary>The most a compressed body may decode to: the consumer's Warren:MaxMessageSize.</summary>
    internal int MaxDecodedBytes { get; set; } = JsonBody.MaxDecodedBytes;

    /// <summary>A context whose scope is created on first use of <see cref="Services"/> (the consumer's).</summary>
    internal MessageContext(string queue, ReadOnlyMemory<byte> body, HandlerLifetimes lifetimes, CancellationToken cancellationToken)
    {
        _queue = queue;
        _body = body;
        _lifetimes = lifetimes;
        _cancellationToken = cancellationToken;
    }

    /// <summary>
    /// Fills a context of the consumer's <see cref="MessageContextPool"/> for one delivery: every delivery fact is set,
    /// the headers and deaths read for an earlier delivery are dropped, and the scope starts unmade.
    /// </summary>
    internal void Reuse(
        ReadOnlyMemory<byte> body,
        CancellationToken cancellationToken,
        string exchange,
        string routingKey,
        RabbitMQ.Client.IReadOnlyBasicProperties properties,
        IDictionary<string, object?>? headers,
        DateTimeOffset? timestamp,
        bool redelivered,
        ulong deliveryTag,
        long? streamOffset,
        long deliveryCount,
        int retryCount)
    {
        _body = body;
        _cancellationToken = cancellationToken;
        _exchange = exchange;
        _routingKey = routingKey;
        _messageType = properties.Type;
        _messageId = properties.MessageId;
        _correlationId = properties.CorrelationId;
        _replyTo = properties.ReplyTo;
        _contentType = properties.ContentType;
        _contentEncoding = properties.ContentEncoding;
        _timestamp = timestamp;
        _priority = properties.IsPriorityPresent() ? properties.Priority : null;
        _redelivered = redelivered;
        _deliveryTag = deliveryTag;
        _streamOffset = streamOffset;
        _deliveryCount = deliveryCount;
        _retryCount = retryCount;
        _rawHeaders = headers;
        _headers = null;
        _deaths = null;
        _services = null;
        Volatile.Write(ref _scope, null);
    }

    /// <summary>True once the context was handed to code that may keep it: it is then never reused.</summary>
    internal bool IsShared => Volatile.Read(ref _shared);

    /// <summary>Keeps the context out of reuse (see <see cref="WarrenDispatch.Shared"/>).</summary>
    internal void MarkShared() => Volatile.Write(ref _shared, true);

    /// <summary>
    /// Empties a handled delivery's context before it goes back to the pool (after <see cref="DisposeScopeAsync"/>), so
    /// that it keeps nothing of the delivery alive; its scope stays ended until <see cref="Reuse"/>.
    /// </summary>
    internal void Clear()
    {
        _body = default;
        _cancellationToken = default;
        _exchange = string.Empty;
        _routingKey = string.Empty;
        _messageType = null;
        _messageId = null;
        _correlationId = null;
        _replyTo = null;
        _contentType = null;
        _contentEncoding = null;
        _timestamp = null;
        _priority = null;
        _redelivered = false;
        _deliveryTag = 0;
        _streamOffset = null;
        _deliveryCount = 0;
        _retryCount = 0;
        _rawHeaders = null;
        _headers = null;
        _deaths = null;
        _services = null;
    }

    /// <summary>The queue the message was consumed from.</summary>
    public string Queue => _queue;

    /// <summary>The raw body. Only valid until the dispatcher's task completes.</summary>
    public ReadOnlyMemory<byte> Body => _body;

    /// <summary>The per-message DI scope's service provider (created when first asked for).</summary>
    public IServiceProvider Services => _services ?? CreateScope();

    /// <summary>Cancelled when the handler must give up (shutdown timeout or handler timeout).</summary>
    public CancellationToken CancellationToken => _cancellationToken;

    /// <summary>The exchange the message was published to (<c>""</c> for the default exchange).</summary>
    public string Exchange
    {
        get => _exchange;
        init => _exchange = value;
    }

    /// <summary>The routing key it was published with.</summary>
    public string RoutingKey
    {
        get => _routingKey;
        init => _routingKey = value;
    }

    /// <summary>The AMQP <c>type</c> property: the message's contract name, when the publisher set one.</summary>
    public string? MessageType
    {
        get => _messageType;
        init => _messageType = value;
    }

    /// <summary>The <c>message-id</c> property: use it to make handlers idempotent under at-least-once delivery.</summary>
    public string? MessageId
    {
        get => _messageId;
        init => _messageId = value;
    }

    /// <summary>The <c>correlation-id</c> property.</summary>
    public string? CorrelationId
    {
        get => _correlationId;
        init => _correlationId = value;
    }

    /// <summary>The <c>reply-to</c> property.</summary>
    public string? ReplyTo
    {
        get => _replyTo;
        init => _replyTo = value;
    }

    /// <summary>The <c>content-type</c> property.</summary>
    public string? ContentType
    {
        get => _contentType;
        init => _contentType = value;
    }

    /// <summary>The <c>content-encoding</c> property (<c>gzip</c>, …), when set.</summary>
    public string? ContentEncoding
    {
        get => _contentEncoding;
        init => _contentEncoding = value;
    }

    /// <summary>The <c>timestamp</c> property, when set.</summary>
    public DateTimeOffset? Timestamp
    {
        get => _timestamp;
        init => _timestamp = value;
    }

    /// <summary>The <c>priority</c> property, when set.</summary>
    public byte? Priority
    {
        get => _priority;
        init => _priority = value;
    }

    /// <summary>True when the broker delivered this message before (to any consumer) without an acknowledgement.</summary>
    public bool Redelivered
    {
        get => _redelivered;
        init => _redelivered = value;
    }

    /// <summary>How many earlier deliveries the broker counted (<c>x-delivery-count</c>, kept by quorum queues); 0 when unknown.</summary>
    public long DeliveryCount
    {
        get => _deliveryCount;
        init => _deliveryCount = value;
    }

    /// <summary>How many delayed retries this message has had (<c>x-warren-retries</c>); 0 on its first delivery.</summary>
    public int RetryCount
    {
        get => _retryCount;
        init => _retryCount = value;
    }

    /// <summary>The message's offset in its stream (<c>x-stream-offset</c>), for deliveries from a stream queue.</summary>
    public long? StreamOffset
    {
        get => _streamOffset;
        init => _streamOffset = value;
    }

    /// <summary>The delivery tag on the consumer's channel.</summary>
    public ulong DeliveryTag
    {
        get => _deliveryTag;
        init => _deliveryTag = value;
    }

    /// <summary>Headers with their values as text (AMQP strings arrive as bytes; they are decoded as UTF-8).</summary>
    public IReadOnlyDictionary<string, string?> Headers
    {
        get => _headers ??= AmqpHeaders.ToText(RawHeaders);
        init => _headers = value;
    }

    /// <summary>The parsed <c>x-death</c> header, newest first, as the broker keeps it.</summary>
    public IReadOnlyList<DeathRecord> Deaths
    {
        get => _deaths ??= AmqpHeaders.ReadDeaths(RawHeaders);
        init => _deaths = value;
    }

    /// <summary>The headers as the client delivered them; converted only when asked for.</summary>
    public IDictionary<string, object?>? RawHeaders
    {
        get => _rawHeaders;
        init => _rawHeaders = value;
    }

    private CancellationToken _cancellationToken;
    private ReadOnlyMemory<byte> _body;
    private string _queue;
    private string _exchange = string.Empty;
    private string _routingKey = string.Empty;
    private string? _messageType;
    private string? _messageId;
    private string? _correlationId;
    private string? _replyTo;
    private string? _contentType;
    private string? _contentEncoding;
    private DateTimeOffset? _timestamp;
    private byte? _priority;
    private bool _redelivered;
    private long _deliveryCount;
    private int _retryCount;
    private long? _streamOffset;
    private ulong _deliveryTag;
    private IDictionary<string, object?>? _rawHeaders;
    private IReadOnlyDictionary<string, string?>? _headers;
    private bool _shared;
    private IReadOnlyList<DeathRecord>? _deaths;
    private readonly HandlerLifetimes? _lifetimes;
    private IServiceProvider? _services;
    /// <summary>The scope made for this delivery, or <see cref="Ended"/> once the delivery was handled.</summary>
    private IServiceScope? _scope;

    /// <summary>What <see cref="_scope"/> holds after <see cref="DisposeScopeAsync"/>.</summary>
    private static readonly IServiceScope Ended = new EndedScope();

    /// <summary>
    /// The handler class <typeparamref name="T"/>: from the root provider when the application registered it as a
    /// singleton (no scope needed), otherwise from <see cref="Services"/>.
    /// </summary>
    internal T Handler<T>()
        where T : notnull =>
        _lifetimes is not null && _lifetimes.TryGetSingleton<T>(out var singleton) ? singleton : Services.GetRequiredService<T>();

    /// <summary>Disposes the per-message scope, if one was created.</summary>
    internal ValueTask DisposeScopeAsync()
    {
        var scope = Interlocked.Exchange(ref _scope, Ended);
        if (ReferenceEquals(scope, Ended))
        {
            return default;
        }

        if (scope is IAsyncDisposable asyncDisposable)
        {
            return asyncDisposable.DisposeAsync();
        }

        scope?.Dispose();
        return default;
    }

    private IServiceProvider CreateScope()
    {
        // After the delivery was handled no scope would be disposed any more: refuse, as the disposed scope itself would.
        if (_lifetimes is null || ReferenceEquals(Volatile.Read(ref _scope), Ended))
        {
            throw new ObjectDisposedException(nameof(IServiceScope), "The message's DI scope ended when its handling did.");
        }

        // Handlers may ask from several threads at once: one scope wins, a losing one is disposed unused.
        var scope = _lifetimes.Scopes.CreateScope();
        if (Interlocked.CompareExchange(ref _scope, scope, null) is { } existing)
        {
            scope.Dispose();
            ObjectDisposedException.ThrowIf(ReferenceEquals(existing, Ended), typeof(IServiceScope));
            return existing.ServiceProvider;
        }

        _services = scope.ServiceProvider;
        return _services;
    }

    /// <summary>The marker of a delivery whose scope has ended.</summary>
    private sealed class EndedScope : IServiceScope
    {
        public IServiceProvider ServiceProvider => throw new ObjectDisposedException(nameof(IServiceScope));

        public void Dispose()
        {
        }
    }
}
