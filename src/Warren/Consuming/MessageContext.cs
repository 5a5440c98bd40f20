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
/// The consumer creates the per-message DI scope when something first asks for <see cref="Services"/> (a scoped or
/// transient handler class, or a handler that resolves services from it), and disposes it when the delivery is
/// handled. A handler class registered as a singleton is resolved from the application's root provider, so its
/// deliveries need no scope unless it asks for one.
/// </remarks>
public sealed class MessageContext
{
    /// <summary>Creates a context (the consumer does this; tests may too).</summary>
    public MessageContext(string queue, ReadOnlyMemory<byte> body, IServiceProvider services, CancellationToken cancellationToken)
    {
        Queue = queue;
        Body = body;
        ArgumentNullException.ThrowIfNull(services);
        _services = services;
        CancellationToken = cancellationToken;
    }

    /// <summary>A context whose scope is created on first use of <see cref="Services"/> (the consumer's).</summary>
    internal MessageContext(string queue, ReadOnlyMemory<byte> body, HandlerLifetimes lifetimes, CancellationToken cancellationToken)
    {
        Queue = queue;
        Body = body;
        _lifetimes = lifetimes;
        CancellationToken = cancellationToken;
    }

    /// <summary>The queue the message was consumed from.</summary>
    public string Queue { get; }

    /// <summary>The raw body. Only valid until the dispatcher's task completes.</summary>
    public ReadOnlyMemory<byte> Body { get; }

    /// <summary>The per-message DI scope's service provider (created when first asked for).</summary>
    public IServiceProvider Services => _services ?? CreateScope();

    /// <summary>Cancelled when the handler must give up (shutdown timeout or handler timeout).</summary>
    public CancellationToken CancellationToken { get; }

    /// <summary>The exchange the message was published to (<c>""</c> for the default exchange).</summary>
    public string Exchange { get; init; } = string.Empty;

    /// <summary>The routing key it was published with.</summary>
    public string RoutingKey { get; init; } = string.Empty;

    /// <summary>The AMQP <c>type</c> property: the message's contract name, when the publisher set one.</summary>
    public string? MessageType { get; init; }

    /// <summary>The <c>message-id</c> property: use it to make handlers idempotent under at-least-once delivery.</summary>
    public string? MessageId { get; init; }

    /// <summary>The <c>correlation-id</c> property.</summary>
    public string? CorrelationId { get; init; }

    /// <summary>The <c>reply-to</c> property.</summary>
    public string? ReplyTo { get; init; }

    /// <summary>The <c>content-type</c> property.</summary>
    public string? ContentType { get; init; }

    /// <summary>The <c>content-encoding</c> property (<c>gzip</c>, …), when set.</summary>
    public string? ContentEncoding { get; init; }

    /// <summary>The <c>timestamp</c> property, when set.</summary>
    public DateTimeOffset? Timestamp { get; init; }

    /// <summary>The <c>priority</c> property, when set.</summary>
    public byte? Priority { get; init; }

    /// <summary>True when the broker delivered this message before (to any consumer) without an acknowledgement.</summary>
    public bool Redelivered { get; init; }

    /// <summary>How many earlier deliveries the broker counted (<c>x-delivery-count</c>, kept by quorum queues); 0 when unknown.</summary>
    public long DeliveryCount { get; init; }

    /// <summary>How many delayed retries this message has had (<c>x-warren-retries</c>); 0 on its first delivery.</summary>
    public int RetryCount { get; init; }

    /// <summary>The message's offset in its stream (<c>x-stream-offset</c>), for deliveries from a stream queue.</summary>
    public long? StreamOffset { get; init; }

    /// <summary>The delivery tag on the consumer's channel.</summary>
    public ulong DeliveryTag { get; init; }

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
    public IDictionary<string, object?>? RawHeaders { get; init; }

    private IReadOnlyDictionary<string, string?>? _headers;
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
        _lifetimes is not null && _lifetimes.IsSingleton(typeof(T))
            ? _lifetimes.Root!.GetRequiredService<T>()
            : Services.GetRequiredService<T>();

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
