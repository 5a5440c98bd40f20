using System.Collections.Generic;

namespace Warren;

/// <summary>
/// The publishes of one confirming channel waiting for the broker's answer, kept in order of incarnation and sequence (a
/// list through the publishes themselves) and indexed by sequence number and by message id. A channel that recovers
/// numbers its publishes from 1 again: each publish carries the <see cref="ConfirmChannel.Pending.Epoch"/> (incarnation)
/// it was sent on, and an answer settles only publishes of the epoch it names, so that an ack of one incarnation never
/// settles a publish of another with the same number. An ack or nack with <c>multiple</c> takes
/// the publishes from the front of the list up to its tag: its cost is that of the publishes it settles, however far
/// its tag is from the last one settled (publishes settled singly, forgotten or timed out leave no gap to walk).
/// Not thread-safe: <see cref="ConfirmChannel"/> holds its lock around every call.
/// </summary>
internal sealed class PendingConfirms
{
    private readonly Dictionary<ulong, ConfirmChannel.Pending> _bySequence = [];

    /// <summary>The mandatory publishes whose id Warren made, by the counter of that id: how a return names its publish.</summary>
    private readonly Dictionary<ulong, ConfirmChannel.Pending> _byMessageId = [];

    private ConfirmChannel.Pending? _first;
    private ConfirmChannel.Pending? _last;

    /// <summary>Publishes waiting for their confirmation.</summary>
    public int Count { get; private set; }

    /// <summary>Publishes a return can be matched to by their message id.</summary>
    public int ReturnableCount => _byMessageId.Count;

    /// <summary>
    /// Adds a publish with its <see cref="ConfirmChannel.Pending.Epoch"/> and <see cref="ConfirmChannel.Pending.Sequence"/>
    /// set. Sequence numbers grow with each send and epochs with each recovery, so it goes at the end; one that sorts
    /// lower than the last goes to its place in order, found from the end.
    /// </summary>
    public void Add(ConfirmChannel.Pending pending)
    {
        var after = _last;
        while (after is not null && (after.Epoch > pending.Epoch || (after.Epoch == pending.Epoch && after.Sequence > pending.Sequence)))
        {
            after = after.Previous;
        }

        pending.Previous = after;
        pending.Next = after is null ? _first : after.Next;
        if (pending.Next is null)
        {
            _last = pending;
        }
        else
        {
            pending.Next.Previous = pending;
        }

        if (after is null)
        {
            _first = pending;
        }
        else
        {
            after.Next = pending;
        }

        pending.Listed = true;
        Count++;
        _bySequence[pending.Sequence] = pending;
        if (pending.MessageIdCounter != 0)
        {
            _byMessageId[pending.MessageIdCounter] = pending;
        }
    }

    /// <summary>
    /// Takes out the publishes an ack or nack of epoch <paramref name="epoch"/> settles into <paramref name="settled"/>:
    /// with <paramref name="multiple"/> every one of that epoch up to <paramref name="tag"/>, else the one of that epoch
    /// with that number (none when it is no longer waiting). Publishes of other epochs are never taken.
    /// </summary>
    public void Take(long epoch, ulong tag, bool multiple, List<ConfirmChannel.Pending> settled)
    {
        if (multiple)
        {
            // Earlier epochs sort first: step over them (a lost incarnation's publishes are failed, never acked).
            var pending = _first;
            while (pending is not null && pending.Epoch < epoch)
            {
                pending = pending.Next;
            }

            while (pending is not null && pending.Epoch == epoch && pending.Sequence <= tag)
            {
                var next = pending.Next;
                Remove(pending);
                settled.Add(pending);
                pending = next;
            }
        }
        else if (_bySequence.TryGetValue(tag, out var pending) && pending.Epoch == epoch)
        {
            Remove(pending);
            settled.Add(pending);
        }
    }

    /// <summary>Takes out a publish whose caller stopped waiting; false when it is not waiting here (settled already, or never added).</summary>
    public bool Forget(ConfirmChannel.Pending pending)
    {
        if (!pending.Listed)
        {
            return false;
        }

        Remove(pending);
        return true;
    }

    /// <summary>Takes out the publishes whose deadline is at or before <paramref name="now"/>; null when there are none.</summary>
    public List<ConfirmChannel.Pending>? TakeExpired(long now)
    {
        List<ConfirmChannel.Pending>? expired = null;
        var pending = _first;
        while (pending is not null)
        {
            var next = pending.Next;
            if (now >= pending.Deadline)
            {
                Remove(pending);
                (expired ??= []).Add(pending);
            }

            pending = next;
        }

        return expired;
    }

    /// <summary>Takes out the publishes of epochs before <paramref name="epoch"/> (incarnations of the channel that are gone); null when there are none.</summary>
    public List<ConfirmChannel.Pending>? TakeBefore(long epoch)
    {
        List<ConfirmChannel.Pending>? stale = null;
        while (_first is { } first && first.Epoch < epoch)
        {
            Remove(first);
            (stale ??= []).Add(first);
        }

        return stale;
    }

    /// <summary>Takes out every publish (the channel is gone), in order.</summary>
    public List<ConfirmChannel.Pending> TakeAll()
    {
        var all = new List<ConfirmChannel.Pending>(Count);
        while (_first is { } first)
        {
            Remove(first);
            all.Add(first);
        }

        return all;
    }

    /// <summary>
    /// The waiting publish of epoch <paramref name="epoch"/> a returned message names: by its sequence header when it has
    /// one (a caller-chosen id), else by the counter of the message id Warren made. Null when none is waiting under either.
    /// </summary>
    public ConfirmChannel.Pending? FindReturned(long epoch, long sequence, ulong messageIdCounter)
    {
        if (sequence > 0 && _bySequence.TryGetValue((ulong)sequence, out var numbered) && numbered.Epoch == epoch)
        {
            return numbered;
        }

        return messageIdCounter != 0 && _byMessageId.TryGetValue(messageIdCounter, out var pending) && pending.Epoch == epoch ? pending : null;
    }

    private void Remove(ConfirmChannel.Pending pending)
    {
        if (pending.Previous is null)
        {
            _first = pending.Next;
        }
        else
        {
            pending.Previous.Next = pending.Next;
        }

        if (pending.Next is null)
        {
            _last = pending.Previous;
        }
        else
        {
            pending.Next.Previous = pending.Previous;
        }

        pending.Previous = null;
        pending.Next = null;
        pending.Listed = false;
        Count--;

        // The indexes hold this publish unless a later one with the same number or id took its place.
        if (_bySequence.TryGetValue(pending.Sequence, out var bySequence) && ReferenceEquals(bySequence, pending))
        {
            _bySequence.Remove(pending.Sequence);
        }

        if (pending.MessageIdCounter != 0 && _byMessageId.TryGetValue(pending.MessageIdCounter, out var byId) && ReferenceEquals(byId, pending))
        {
            _byMessageId.Remove(pending.MessageIdCounter);
        }
    }
}
