using System;
using System.Linq;
using CsCheck;
using Xunit;

namespace Warren.Tests.Consuming;

public sealed class StreamOffsetTrackerTests
{
    [Fact]
    public void The_watermark_waits_for_the_lowest_unsettled_delivery()
    {
        var tracker = new StreamOffsetTracker();
        Assert.Null(tracker.Watermark);
        tracker.Settle(2, 102);
        Assert.Null(tracker.Watermark);
        tracker.Settle(1, 101);
        Assert.Equal(102, tracker.Watermark);
        tracker.Settle(4, 104);
        Assert.Equal(102, tracker.Watermark);
        tracker.Settle(3, null);
        Assert.Equal(104, tracker.Watermark);
        tracker.Settle(2, 999);
        Assert.Equal(104, tracker.Watermark);
    }

    /// <summary>
    /// Any order of settlements over any subset of tags: the watermark is the offset of the longest run of settled tags
    /// from 1 (offsets increase with tags but may skip), never an offset past an unsettled delivery.
    /// </summary>
    [Fact]
    public void Any_settlement_order_gives_the_offset_of_the_settled_run()
    {
        var gen =
            from count in Gen.Int[1, 60]
            from gaps in Gen.Int[1, 5].Array[count]
            from settled in Gen.Bool.Array[count]
            from order in Gen.Int.Array[count]
            select (Gaps: gaps, Settled: settled, Order: order);
        Property.ForAll(gen, 300, c =>
        {
            var offsets = new long[c.Gaps.Length];
            for (var i = 0; i < offsets.Length; i++)
            {
                offsets[i] = (i == 0 ? 0 : offsets[i - 1]) + c.Gaps[i];
            }

            var tracker = new StreamOffsetTracker();
            var settledTags = Enumerable.Range(0, offsets.Length).Where(i => c.Settled[i]).OrderBy(i => c.Order[i]).ToList();
            foreach (var i in settledTags)
            {
                tracker.Settle((ulong)i + 1, offsets[i]);
            }

            var run = c.Settled.TakeWhile(s => s).Count();
            Assert.Equal(run == 0 ? null : offsets[run - 1], tracker.Watermark);
        }, c => $"gaps [{string.Join(",", c.Gaps)}] settled [{string.Join(",", c.Settled.Select(s => s ? 1 : 0))}] order [{string.Join(",", c.Order)}]");
        Assert.Equal(300, Property.LastCount);
    }
}
