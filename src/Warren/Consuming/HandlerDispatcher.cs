using System;
using System.ComponentModel;
using System.Diagnostics.CodeAnalysis;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using System.Threading.Tasks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Warren.Infrastructure;

/// <summary>
/// The dispatcher of the most common consumer class, as data: one handler method taking one JSON message type, bound
/// by topic, direct or fanout bindings. Generated code creates one per such class (its queue, contract name, the
/// application's <see cref="JsonSerializerContext"/>, the handler call, and the bindings), instead of a class of its
/// own; other shapes get a generated dispatcher class. The handler call is a static lambda for a value-type message, and
/// for a class an index into a method the generated file shares among its dispatchers.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public abstract class HandlerDispatcher : IReleasesMessageContext
{
    private protected HandlerDispatcher(string queue, string contract)
    {
        ArgumentException.ThrowIfNullOrEmpty(queue);
        ArgumentException.ThrowIfNullOrEmpty(contract);
        Queue = queue;
        Contract = contract;
    }

    /// <summary>The queue whose deliveries it dispatches.</summary>
    public string Queue { get; }

    /// <summary>The contract name (the <c>type</c> property) of the handler's message type.</summary>
    public string Contract { get; }

    /// <summary>The serialization metadata of the handler's message type.</summary>
    public abstract JsonTypeInfo TypeInfo { get; }

    /// <summary>
    /// The QoS prefetch of the queue's consumer (<c>[Queue(Prefetch = …)]</c>), null for the default: generated
    /// registration reads it with the dispatcher, so a class's settings stay with its dispatcher in one list.
    /// </summary>
    public ushort? Prefetch { get; init; }

    /// <summary>The handlers running at once for the queue (<c>[Queue(Concurrency = …)]</c>), null for the default.</summary>
    public int? Concurrency { get; init; }

    /// <summary>Registers the handler class: scoped, one instance per message (unless registered otherwise before).</summary>
    public abstract void AddHandlerTo(IServiceCollection services);

    /// <inheritdoc />
    public abstract ValueTask<DispatchOutcome> DispatchAsync(MessageContext context);
}

/// <summary>
/// Dispatches a queue's deliveries to the one handler method of <typeparamref name="THandler"/>: a message of its
/// contract, or without a type (sent straight to the queue, or from a dead-letter exchange), can only be meant for it; a
/// message of another type must have come through one of the handler's bindings (its body may be anything), else it is
/// dead-lettered with a reason naming type, exchange and key. A body that is not valid JSON for
/// <typeparamref name="TMessage"/> is dead-lettered with the serializer's reason; the delivery is acknowledged when the
/// handler's task completes, and a failure goes to the queue's retry policy.
/// </summary>
/// <typeparam name="THandler">The consumer class, resolved per delivery (<see cref="WarrenDispatch.Handler{T}"/>).</typeparam>
/// <typeparam name="TMessage">The message type of the handler method.</typeparam>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class HandlerDispatcher<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] THandler, TMessage> : HandlerDispatcher
    where THandler : class
{
    private readonly JsonSerializerContext _json;
    private readonly Func<THandler, TMessage, MessageContext, Task>? _handle;
    private readonly Func<int, object, object, MessageContext, Task>? _handlers;
    private readonly int _index;
    private readonly RoutingBinding[] _bindings;
    private JsonTypeInfo<TMessage>? _typeInfo;

    /// <summary>Creates the dispatcher of one handler method.</summary>
    /// <param name="queue">The queue, named in dead-letter reasons.</param>
    /// <param name="contract">The contract name of <typeparamref name="TMessage"/>.</param>
    /// <param name="json">The application's context listing <typeparamref name="TMessage"/>; its metadata is looked up on first use.</param>
    /// <param name="handle">Calls the handler method with the message (and the context or its cancellation token).</param>
    /// <param name="bindings">The handler's bindings, which select a message of another type.</param>
    public HandlerDispatcher(string queue, string contract, JsonSerializerContext json, Func<THandler, TMessage, MessageContext, Task> handle, params RoutingBinding[] bindings)
        : base(queue, contract)
    {
        ArgumentNullException.ThrowIfNull(json);
        ArgumentNullException.ThrowIfNull(handle);
        ArgumentNullException.ThrowIfNull(bindings);
        _json = json;
        _handle = handle;
        _bindings = bindings;
    }

    /// <summary>
    /// Creates the dispatcher of one handler method of a class (reference-type) message, called as
    /// <paramref name="index"/> of <paramref name="handlers"/>: a method shared by the dispatchers of a generated file, a
    /// switch whose arms cast the handler and the message back to their types. The compiler builds one method for many
    /// handlers instead of a lambda each; the casts of a class cost a type check, no allocation.
    /// </summary>
    /// <param name="queue">The queue, named in dead-letter reasons.</param>
    /// <param name="contract">The contract name of <typeparamref name="TMessage"/>.</param>
    /// <param name="json">The application's context listing <typeparamref name="TMessage"/>; its metadata is looked up on first use.</param>
    /// <param name="index">Which handler of <paramref name="handlers"/> this one is.</param>
    /// <param name="handlers">Calls handler <paramref name="index"/> with the handler class, the message and the context.</param>
    /// <param name="bindings">The handler's bindings, which select a message of another type.</param>
    /// <exception cref="ArgumentException"><typeparamref name="TMessage"/> is a value type, which would be boxed per message.</exception>
    public HandlerDispatcher(string queue, string contract, JsonSerializerContext json, int index, Func<int, object, object, MessageContext, Task> handlers, params RoutingBinding[] bindings)
        : base(queue, contract)
    {
        ArgumentNullException.ThrowIfNull(json);
        ArgumentNullException.ThrowIfNull(handlers);
        ArgumentNullException.ThrowIfNull(bindings);
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        if (typeof(TMessage).IsValueType)
        {
            throw new ArgumentException($"{TypeDisplayName<TMessage>.Value} is a value type: pass a typed handler call, which does not box it.", nameof(handlers));
        }

        _json = json;
        _handlers = handlers;
        _index = index;
        _bindings = bindings;
    }

    /// <inheritdoc />
    public override JsonTypeInfo TypeInfo => Metadata;

    private JsonTypeInfo<TMessage> Metadata => _typeInfo ??= JsonMetadata.Of<TMessage>(_json);

    /// <inheritdoc />
    public override void AddHandlerTo(IServiceCollection services) => services.TryAddScoped<THandler>();

    /// <inheritdoc />
    public override ValueTask<DispatchOutcome> DispatchAsync(MessageContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var type = context.MessageType;
        if (!string.IsNullOrEmpty(type) && !string.Equals(type, Contract, StringComparison.Ordinal))
        {
            var (exchange, key) = RoutingKeys.Published(context);
            if (!Bound(exchange, key))
            {
                return WarrenDispatch.NoHandler(context, Queue, exchange, key);
            }
        }

        if (!MessageDispatcher.TryDeserialize(context, Metadata, out var message, out var error))
        {
            return WarrenDispatch.DeadLetter(error!);
        }

        var handler = WarrenDispatch.Handler<THandler>(context);
        return WarrenDispatch.AckWhenDone(_handle is { } handle ? handle(handler, message!, context) : _handlers!(_index, handler, message!, context));
    }

    private bool Bound(string exchange, string key)
    {
        foreach (var binding in _bindings)
        {
            if (binding.Matches(exchange, key))
            {
                return true;
            }
        }

        return false;
    }
}
