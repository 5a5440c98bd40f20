using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using RabbitMQ.Client;
using Xunit;

namespace Warren.Tests.Consuming;

public sealed class FailureCopyTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);

    public static TheoryData<string, object?> DeathHistories => new()
    {
        { "a string", Encoding.UTF8.GetBytes("[]") },
        { "a list holding text", new List<object?> { Encoding.UTF8.GetBytes("not a table") } },
        { "a table among text", new List<object?> { Death("q", "expired", 1L), Encoding.UTF8.GetBytes("x") } },
        { "a count that is text", new List<object?> { new Dictionary<string, object?> { ["queue"] = Encoding.UTF8.GetBytes("q"), ["reason"] = Encoding.UTF8.GetBytes("expired"), ["count"] = Encoding.UTF8.GetBytes("1") } } },
        { "two entries for one queue and reason", new List<object?> { Death("q", "expired", 1L), Death("q", "expired", 2L) } },
    };

    [Theory]
    [MemberData(nameof(DeathHistories))]
    public void A_death_history_the_broker_cannot_extend_is_left_out_and_named(string shape, object? deaths)
    {
        var original = new BasicProperties { Headers = new Dictionary<string, object?> { ["x-death"] = deaths, ["tenant"] = "acme" } };

        var copy = FailureCopy.Create(original, "orders", "shop", "orders.placed", "boom", null, 1, Now);

        Assert.False(copy.Headers!.ContainsKey("x-death"), shape);
        Assert.Contains("x-death, malformed", Assert.IsType<string>(copy.Headers[DeadLetterHeaders.DroppedHeaders]));
        Assert.Equal("acme", copy.Headers["tenant"]);
    }

    [Fact]
    public void A_death_history_the_broker_wrote_travels_with_the_copy()
    {
        var deaths = new List<object?> { Death("orders.retry.1", "expired", 2L), Death("orders", "rejected", 1L) };
        var original = new BasicProperties { Headers = new Dictionary<string, object?> { ["x-death"] = deaths } };

        var copy = FailureCopy.Create(original, "orders", "shop", "orders.placed", "boom", null, 1, Now);

        Assert.Same(deaths, copy.Headers!["x-death"]);
        Assert.False(copy.Headers.ContainsKey(DeadLetterHeaders.DroppedHeaders));
    }

    private static Dictionary<string, object?> Death(string queue, string reason, long count) => new()
    {
        ["queue"] = Encoding.UTF8.GetBytes(queue),
        ["reason"] = Encoding.UTF8.GetBytes(reason),
        ["exchange"] = Encoding.UTF8.GetBytes(string.Empty),
        ["count"] = count,
    };

    [Fact]
    public void A_copy_drops_expiration_and_publish_tracking_headers_and_keeps_the_rest()
    {
        var original = new BasicProperties
        {
            MessageId = "m-1",
            Type = "orders.placed",
            Expiration = "60000",
            Headers = new Dictionary<string, object?>
            {
                [ConfirmChannel.SequenceHeader] = 12L,
                [FailureCopy.ClientSequenceHeader] = 12L,
                ["tenant"] = Encoding.UTF8.GetBytes("acme"),
            },
        };

        var copy = FailureCopy.Create(original, "orders", "shop", "orders.placed", "boom", new InvalidOperationException("bad"), 2, Now);

        Assert.Null(copy.Expiration);
        Assert.False(copy.IsExpirationPresent());
        Assert.Equal("m-1", copy.MessageId);
        Assert.Equal("orders.placed", copy.Type);
        var headers = copy.Headers!;
        Assert.False(headers.ContainsKey(ConfirmChannel.SequenceHeader));
        Assert.False(headers.ContainsKey(FailureCopy.ClientSequenceHeader));
        Assert.Equal("acme", Encoding.UTF8.GetString((byte[])headers["tenant"]!));
        Assert.Equal(2, headers[RetryPolicy.RetriesHeader]);
        Assert.Equal("boom", headers[DeadLetterHeaders.Reason]);
        Assert.Equal("orders", headers[DeadLetterHeaders.Queue]);
        Assert.Equal("shop", headers[DeadLetterHeaders.OriginalExchange]);
        Assert.Equal("orders.placed", headers[DeadLetterHeaders.OriginalRoutingKey]);
        Assert.Equal("System.InvalidOperationException", headers[DeadLetterHeaders.ExceptionType]);
        Assert.Equal("bad", headers[DeadLetterHeaders.ExceptionMessage]);
        Assert.False(headers.ContainsKey(DeadLetterHeaders.DroppedHeaders));
    }

    [Fact]
    public void Reasons_and_exception_texts_are_cut_to_the_documented_length()
    {
        var longText = new string('x', 300_000);
        var copy = FailureCopy.Create(new BasicProperties(), "q", "", "q", longText, new InvalidOperationException(longText), 0, Now);

        var reason = (string)copy.Headers![DeadLetterHeaders.Reason]!;
        var message = (string)copy.Headers[DeadLetterHeaders.ExceptionMessage]!;
        Assert.Equal(DeadLetterHeaders.MaxTextLength, reason.Length);
        Assert.EndsWith("…", reason);
        Assert.Equal(DeadLetterHeaders.MaxTextLength, message.Length);
    }

    [Fact]
    public void Original_headers_too_large_to_carry_are_dropped_largest_first_and_named()
    {
        var original = new BasicProperties
        {
            Headers = new Dictionary<string, object?>
            {
                ["huge"] = new byte[120_000],
                ["big-list"] = Enumerable.Range(0, 5_000).Select(i => (object?)Encoding.UTF8.GetBytes("entry-" + i)).ToList(),
                ["small"] = Encoding.UTF8.GetBytes("kept"),
                ["x-death"] = new List<object?> { new Dictionary<string, object?> { ["count"] = 1L, ["queue"] = Encoding.UTF8.GetBytes("q") } },
            },
        };

        var copy = FailureCopy.Create(original, "q", "", "q", "reason", null, 0, Now);

        var headers = copy.Headers!;
        Assert.False(headers.ContainsKey("huge"));
        Assert.False(headers.ContainsKey("big-list"));
        Assert.True(headers.ContainsKey("small"));
        Assert.True(headers.ContainsKey("x-death"));
        var note = (string)headers[DeadLetterHeaders.DroppedHeaders]!;
        Assert.Contains("huge (", note);
        Assert.Contains("big-list (", note);
        var total = headers.Sum(h => FailureCopy.EstimateSize(h.Key, h.Value));
        Assert.True(total < DeadLetterHeaders.MaxCarriedHeaderBytes + 4 * 1024, $"the copy's headers are about {total} bytes");
    }
}
