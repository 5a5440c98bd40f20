using System;

namespace Warren;

/// <summary>
/// On an interface: an RPC contract. The generator emits a client proxy implementing the interface (inject the
/// interface to call the service over RabbitMQ) and, for every class implementing it, a server that consumes the
/// service's queue. Methods take one request message and an optional <see cref="System.Threading.CancellationToken"/>
/// and return <c>Task&lt;T&gt;</c>, <c>ValueTask&lt;T&gt;</c>, <c>Task</c> or <c>ValueTask</c> (the last two: an
/// acknowledged command). Requests travel on the default exchange to the service's queue, replies over direct reply-to.
/// </summary>
[AttributeUsage(AttributeTargets.Interface, AllowMultiple = false, Inherited = false)]
public sealed class RpcServiceAttribute : Attribute
{
    /// <summary>Names the service; its queue is <c>rpc.{name}</c> unless <see cref="Queue"/> says otherwise.</summary>
    public RpcServiceAttribute(string name)
    {
        Name = name;
    }

    /// <summary>The service name, the prefix of its methods' contract names (<c>{name}.{method}</c>).</summary>
    public string Name { get; }

    /// <summary>The queue servers consume; default <c>rpc.{name}</c>.</summary>
    public string? Queue { get; set; }

    /// <summary>How long a call waits for its reply, as <c>"30s"</c>, <c>"500ms"</c>…; also the request's <c>expiration</c>, so a request nobody took in time is never processed late. Default 30 s.</summary>
    public string? Timeout { get; set; }

    /// <summary>The queue's <c>x-queue-type</c>. Default classic.</summary>
    public QueueType QueueType { get; set; } = QueueType.Classic;

    /// <summary>
    /// Whether the servers declare the queue durable (it survives a broker restart). Default true. Set false to share a
    /// queue another client declares non-durable, such as the RabbitMQ tutorials' <c>rpc_queue</c>: the broker refuses a
    /// declaration that differs from an existing queue (<c>406 PRECONDITION_FAILED</c>). Quorum queues are always durable.
    /// </summary>
    public bool Durable { get; set; } = true;

    /// <summary>Handlers running at once per server; 0 uses <c>Warren:Concurrency</c>.</summary>
    public int Concurrency { get; set; }

    /// <summary>The servers' prefetch; 0 uses <c>Warren:Prefetch</c>.</summary>
    public int Prefetch { get; set; }
}

/// <summary>Per-method RPC options.</summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class RpcAttribute : Attribute
{
    /// <summary>The method's contract name (the request's <c>type</c>); default <c>{service}.{method-in-kebab-case}</c>.</summary>
    public string? Name { get; set; }

    /// <summary>This method's timeout, overriding the service's.</summary>
    public string? Timeout { get; set; }
}
