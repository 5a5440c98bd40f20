using System;
using System.Collections.Generic;
using System.ComponentModel;
using System.Threading;

namespace Warren.Infrastructure;

/// <summary>
/// The routing keys last built for a message type with placeholders, keyed by the placeholder values themselves (the
/// property, or a tuple of the properties), so that publishing a message whose values were seen recently builds and
/// formats nothing: no string per publish, no formatting of integers, no box of a <c>bool</c> or nullable value.
/// Generated code calls it; a miss builds the key with the same checks as before and keeps it.
/// </summary>
/// <remarks>
/// A small direct-mapped table (16 entries per message type): each entry is an immutable pair published by one
/// reference write, so concurrent publishes read either the old or the new pair, never half of each. Values with many
/// distinct combinations (a customer id in the key) miss most of the time and cost what they did before plus one small
/// entry object; values with few (a region, a version) hit.
/// </remarks>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class RoutingKeyCache
{
    private const int Size = 16;

    /// <summary>
    /// The routing key for <paramref name="values"/>: the one kept in <paramref name="slot"/> (a field of the generated
    /// code, holding the table once made) when the same values built it, otherwise <paramref name="build"/>'s, kept.
    /// </summary>
    public static string Get<TValues>(ref object? slot, TValues values, Func<TValues, string> build)
    {
        ArgumentNullException.ThrowIfNull(build);
        var table = slot as Entry<TValues>?[] ?? Create<TValues>(ref slot);
        var hash = values is null ? 0 : EqualityComparer<TValues>.Default.GetHashCode(values);
        var index = (hash ^ (hash >> 16)) & (Size - 1);
        var entry = Volatile.Read(ref table[index]);
        if (entry is not null && EqualityComparer<TValues>.Default.Equals(entry.Values, values))
        {
            return entry.Key;
        }

        // A miss (or an exception: bad values are never kept) builds the key with its checks.
        var key = build(values);
        Volatile.Write(ref table[index], new Entry<TValues>(values, key));
        return key;
    }

    private static Entry<TValues>?[] Create<TValues>(ref object? slot)
    {
        var created = new Entry<TValues>?[Size];
        return Interlocked.CompareExchange(ref slot, created, null) as Entry<TValues>?[] ?? created;
    }

    private sealed class Entry<TValues>(TValues values, string key)
    {
        public TValues Values { get; } = values;

        public string Key { get; } = key;
    }
}
