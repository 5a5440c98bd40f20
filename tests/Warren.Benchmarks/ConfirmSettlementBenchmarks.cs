using System;
using System.Collections.Generic;
using BenchmarkDotNet.Attributes;

namespace Warren.Benchmarks;

/// <summary>
/// One multiple ack settling one publish after <see cref="SettledSingly"/> publishes were confirmed by single acks (the
/// broker answers single or multiple as it goes): <see cref="PendingConfirms"/> takes the publish from the front of its
/// list, while the bookkeeping it replaced (kept here only as the baseline) walked every sequence number since its last
/// multiple ack, looking each up. Each call adds the publish and settles it.
/// </summary>
[MemoryDiagnoser]
public class ConfirmSettlementBenchmarks
{
    private readonly ConfirmChannel.Pending _pending = new("orders", "order.placed", long.MaxValue);
    private readonly List<ConfirmChannel.Pending> _settled = new(4);
    private readonly PendingConfirms _confirms = new();
    private readonly Dictionary<ulong, ConfirmChannel.Pending> _bySequence = [];
    private ulong _lowestPending = 1;
    private ulong _next = 1;

    [Params(0, 1_000, 100_000)]
    public int SettledSingly { get; set; }

    [Benchmark(Baseline = true)]
    public int SequenceWalk()
    {
        // The publishes acked singly left the watermark where it was.
        _next += (ulong)SettledSingly;
        var tag = _next++;
        _pending.Sequence = tag;
        _bySequence[tag] = _pending;
        for (var sequence = _lowestPending; sequence <= tag; sequence++)
        {
            if (_bySequence.Remove(sequence, out var pending))
            {
                _settled.Add(pending);
            }
        }

        _lowestPending = Math.Max(_lowestPending, tag + 1);
        var count = _settled.Count;
        _settled.Clear();
        return count;
    }

    [Benchmark]
    public int PendingList()
    {
        _next += (ulong)SettledSingly;
        var tag = _next++;
        _pending.Sequence = tag;
        _confirms.Add(_pending);
        _confirms.Take(0, tag, multiple: true, _settled);
        var count = _settled.Count;
        _settled.Clear();
        return count;
    }
}
