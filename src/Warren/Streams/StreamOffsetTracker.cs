using System.Collections.Generic;

namespace Warren;

/// <summary>
/// The offset below which every delivery of one subscription is settled. Delivery tags of a channel run 1, 2, 3…, so
/// the watermark advances over the run of settled tags from the lowest unsettled one; the offset of the last tag of
/// that run is the one to resume after. Handlers may finish out of order (concurrency above one, batches).
/// </summary>
internal sealed class StreamOffsetTracker
{
    private readonly object _gate = new();
    private readonly Dictionary<ulong, long?> _settled = [];
    private ulong _next = 1;

    private long? _watermark;

    /// <summary>The offset of the last message of the settled run, or null when nothing is settled yet.</summary>
    public long? Watermark
    {
        get
        {
            lock (_gate)
            {
                return _watermark;
            }
        }
    }

    /// <summary>Records delivery <paramref name="deliveryTag"/> (at <paramref name="offset"/>, null when the delivery carried none) as settled.</summary>
    public void Settle(ulong deliveryTag, long? offset)
    {
        lock (_gate)
        {
            if (deliveryTag < _next)
            {
                return;
            }

            _settled[deliveryTag] = offset;
            while (_settled.Remove(_next, out var settled))
            {
                _watermark = settled ?? _watermark;
                _next++;
            }
        }
    }
}
