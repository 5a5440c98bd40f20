using System.Threading;

namespace Warren;

/// <summary>
/// A queue consumer's <see cref="MessageContext"/> objects, reused from one delivery to the next so that a delivery
/// allocates no context, for dispatchers that keep none (<see cref="Infrastructure.IReleasesMessageContext"/>); a
/// context handed to a handler (<see cref="MessageContext.IsShared"/>) is not taken back. A context is taken when a dispatch starts and given back, emptied, after the dispatcher's task
/// has completed and the delivery's scope has been disposed; never while a handler may still run with it. One slot per
/// concurrent handler: when more contexts are out than slots (immediate retries overlapping, a burst), the extra ones
/// are made and dropped as before.
/// </summary>
internal sealed class MessageContextPool
{
    private readonly string _queue;
    private readonly HandlerLifetimes _lifetimes;
    private readonly MessageContext?[] _slots;

    public MessageContextPool(string queue, HandlerLifetimes lifetimes, int slots)
    {
        _queue = queue;
        _lifetimes = lifetimes;
        _slots = new MessageContext?[System.Math.Clamp(slots, 1, 64)];
    }

    /// <summary>An empty context for one delivery (fill it with <see cref="MessageContext.Reuse"/>).</summary>
    public MessageContext Rent()
    {
        for (var i = 0; i < _slots.Length; i++)
        {
            if (Volatile.Read(ref _slots[i]) is not null && Interlocked.Exchange(ref _slots[i], null) is { } context)
            {
                return context;
            }
        }

        return new MessageContext(_queue, default, _lifetimes, default);
    }

    /// <summary>Takes back the context of a handled delivery whose scope has been disposed.</summary>
    public void Return(MessageContext context)
    {
        if (context.IsShared)
        {
            // Handed to a handler, which may keep it: it keeps its values and goes to the garbage collector.
            return;
        }

        context.Clear();
        for (var i = 0; i < _slots.Length; i++)
        {
            if (Volatile.Read(ref _slots[i]) is null && Interlocked.CompareExchange(ref _slots[i], context, null) is null)
            {
                return;
            }
        }
    }
}
