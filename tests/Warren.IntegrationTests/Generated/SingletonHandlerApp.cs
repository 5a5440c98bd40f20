using System;
using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Threading;
using Microsoft.Extensions.DependencyInjection;

namespace Warren.IntegrationTests.Generated;

/// <summary>
/// A handler class the test registers as a singleton (the generated default is scoped): every delivery must reach the
/// same instance, and a scoped service it asks <see cref="MessageContext.Services"/> for must be per delivery and
/// disposed after it.
/// </summary>
[Queue("gen.singleton-handler")]
public sealed class SingletonHandlerProbe(Recorder recorder)
{
    [Topic("order.*.placed")]
    public void Handle(OrderPlaced order, MessageContext context)
    {
        var scoped = context.Services.GetService<PerDeliveryService>();
        scoped?.Use(order.Id);
        recorder.Add("singleton-handler:" + RuntimeHelpers.GetHashCode(this), order.Id, context);
    }
}

/// <summary>A scoped service that records which delivery used it and whether its scope was disposed.</summary>
public sealed class PerDeliveryService(PerDeliveryLog log) : IDisposable
{
    private string? _id;

    public void Use(string id)
    {
        if (Interlocked.CompareExchange(ref _id, id, null) is { } other)
        {
            log.Shared.Enqueue(other + "/" + id);
        }
    }

    public void Dispose()
    {
        if (_id is { } id)
        {
            log.Disposed.Enqueue(id);
        }
    }
}

public sealed class PerDeliveryLog
{
    public ConcurrentQueue<string> Disposed { get; } = new();

    public ConcurrentQueue<string> Shared { get; } = new();
}
