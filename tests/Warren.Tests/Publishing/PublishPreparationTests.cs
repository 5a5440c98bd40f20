using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading.Tasks;
using CsCheck;
using RabbitMQ.Client;
using Xunit;

namespace Warren.Tests.Publishing;

/// <summary>
/// What a publish prepares without a broker: message ids (unique, GUID-shaped) and properties taken from the pool,
/// which must carry nothing of the publish that used them before.
/// </summary>
public sealed class PublishPreparationTests
{
    [Fact]
    public void Message_ids_are_32_lowercase_hex_digits_readable_as_a_guid()
    {
        for (var i = 0; i < 1_000; i++)
        {
            var id = MessageIds.Next();
            Assert.Equal(32, id.Length);
            Assert.All(id, c => Assert.True(c is >= '0' and <= '9' or >= 'a' and <= 'f', $"'{c}' in {id}"));
            Assert.True(Guid.TryParseExact(id, "N", out _), id);
        }
    }

    [Fact]
    public void Message_ids_are_unique_across_threads()
    {
        var ids = new ConcurrentBag<string>();
        Parallel.For(0, 8, _ =>
        {
            for (var i = 0; i < 25_000; i++)
            {
                ids.Add(MessageIds.Next());
            }
        });

        Assert.Equal(200_000, ids.Count);
        Assert.Equal(ids.Count, ids.Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public void A_message_id_is_the_prefix_then_the_counter_in_hex()
    {
        Property.ForAll(
            Gen.Select(Gen.ULong, Gen.ULong),
            2_000,
            t =>
            {
                var (prefix, counter) = t;
                var id = MessageIds.Format(prefix, counter);
                Assert.Equal(prefix.ToString("x16", CultureInfo.InvariantCulture) + counter.ToString("x16", CultureInfo.InvariantCulture), id);
                Assert.True(Guid.TryParseExact(id, "N", out _), id);
            },
            t => $"prefix {t.Item1:x16}, counter {t.Item2:x16}");
    }

    [Fact]
    public void The_counter_of_an_id_is_read_back_only_from_an_id_of_this_process()
    {
        // How a returned message is matched to its publish: any other text must read as no counter at all.
        Property.ForAll(
            Gen.Select(Gen.ULong, Gen.ULong, Gen.ULong),
            2_000,
            t =>
            {
                var (prefix, counter, other) = t;
                var id = MessageIds.Format(prefix, counter);
                Assert.Equal(counter != 0, MessageIds.TryReadCounter(id, prefix, out var read));
                Assert.Equal(counter != 0 ? counter : 0, read);
                Assert.Equal(other == prefix && counter != 0, MessageIds.TryReadCounter(MessageIds.Format(other, counter), prefix, out _));
                Assert.False(MessageIds.TryReadCounter(id.ToUpperInvariant(), prefix, out _) && id.Any(char.IsAsciiLetter));
                Assert.False(MessageIds.TryReadCounter(id[..31], prefix, out _));
                Assert.False(MessageIds.TryReadCounter(id + "0", prefix, out _));
                Assert.False(MessageIds.TryReadCounter("+" + id[1..], prefix, out _));
                Assert.False(MessageIds.TryReadCounter(id[..16] + " " + id[17..], prefix, out _));
            },
            t => $"prefix {t.Item1:x16}, counter {t.Item2:x16}, other prefix {t.Item3:x16}");

        Assert.True(MessageIds.TryReadCounter(MessageIds.Of(42), out var own));
        Assert.Equal(42UL, own);
        Assert.False(MessageIds.TryReadCounter(null, out _));
        Assert.False(MessageIds.TryReadCounter(string.Empty, out _));
        Assert.False(MessageIds.TryReadCounter(Guid.NewGuid().ToString("N"), out _));
        Assert.False(MessageIds.TryReadCounter("order-42", out _));
    }

    [Fact]
    public void Consecutive_message_ids_share_the_prefix_and_count_up()
    {
        var ids = Enumerable.Range(0, 100).Select(_ => MessageIds.Next()).ToList();
        Assert.Single(ids.Select(id => id[..16]).Distinct(StringComparer.Ordinal));
        var counters = ids.Select(id => ulong.Parse(id[16..], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture)).ToList();

        // Other tests make ids meanwhile: each counter is above the one before (modulo wrap-around from a random start).
        for (var i = 1; i < counters.Count; i++)
        {
            Assert.NotEqual(0UL, unchecked(counters[i] - counters[i - 1]));
            Assert.True(unchecked(counters[i] - counters[i - 1]) < 1UL << 32, $"{ids[i - 1]} then {ids[i]}");
        }
    }

    /// <summary>Random publish options, as a caller may set them.</summary>
    private static readonly Gen<PublishOptions?> Options =
        Gen.Select(Gen.Bool, Gen.Bool, Gen.Bool, Gen.Bool, Gen.Int[0, 3], Gen.Byte, Gen.Int[0, 100_000], Gen.Bool)
            .Select(t =>
            {
                var (any, correlation, replyTo, persistent, headers, priority, expirationMs, id) = t;
                if (!any)
                {
                    return null;
                }

                return new PublishOptions
                {
                    CorrelationId = correlation ? "c-" + expirationMs : null,
                    ReplyTo = replyTo ? "amq.rabbitmq.reply-to" : null,
                    Persistent = persistent,
                    Priority = priority % 3 == 0 ? null : priority,
                    Expiration = expirationMs % 2 == 0 ? null : TimeSpan.FromMilliseconds(expirationMs),
                    MessageId = id ? "id-" + expirationMs : null,
                    Headers = headers == 0 ? null : Enumerable.Range(0, headers).ToDictionary(i => "h" + i, i => (object?)i),
                    ContentType = correlation && replyTo ? "application/x-other" : null,
                };
            });

    [Fact]
    public void Pooled_properties_carry_nothing_of_the_previous_publish()
    {
        // Every pair of publishes in a row on one reused instance: the second's properties are exactly those a fresh
        // instance would get (the message id and timestamp aside, which are new for each).
        var pool = new PropertiesPool(1);
        Property.ForAll(Gen.Select(Options, Options, Gen.Byte.Array[0, 1]), 300, c =>
        {
            var (first, second, defaultPriority) = c;
            byte? priority = defaultPriority.Length == 0 ? null : defaultPriority[0];
            var used = MessagePublisher.FillProperties(pool.Rent(), "first.contract", first, 7);
            used.Headers ??= new Dictionary<string, object?>();
            used.Headers["traceparent"] = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
            pool.Return(used);

            var reused = pool.Rent();
            Assert.Same(used, reused);
            MessagePublisher.FillProperties(reused, "second.contract", second, priority);
            var fresh = MessagePublisher.CreateProperties("second.contract", second, priority);
            Assert.Equal(Describe(fresh), Describe(reused));
            Assert.NotNull(reused.MessageId);
            if (second?.MessageId is { } id)
            {
                Assert.Equal(id, reused.MessageId);
            }
        }, c => $"first {Print(c.Item1)}, second {Print(c.Item2)}, default priority [{string.Join(",", c.Item3)}]");
        Assert.Equal(300, Property.LastCount);
    }

    [Fact]
    public void The_pool_keeps_at_most_its_capacity()
    {
        var pool = new PropertiesPool(2);
        var taken = Enumerable.Range(0, 4).Select(_ => pool.Rent()).ToList();
        Assert.Equal(4, taken.Distinct().Count());
        taken.ForEach(pool.Return);
        var again = Enumerable.Range(0, 4).Select(_ => pool.Rent()).ToList();
        Assert.Equal(2, again.Count(taken.Contains));
    }

    private static string Describe(BasicProperties p) =>
        string.Join("|",
            p.ContentType, p.ContentEncoding, p.Type, p.DeliveryMode, p.Priority, p.IsPriorityPresent(), p.CorrelationId, p.ReplyTo, p.Expiration,
            p.UserId, p.AppId, p.ClusterId, p.Headers is null ? "no headers" : string.Join(",", p.Headers.Select(h => $"{h.Key}={h.Value}")));

    private static string Print(PublishOptions? o) => o is null
        ? "none"
        : $"{{correlation {o.CorrelationId}, reply-to {o.ReplyTo}, persistent {o.Persistent}, priority {o.Priority}, expiration {o.Expiration}, id {o.MessageId}, headers {o.Headers?.Count}, content-type {o.ContentType}}}";
}
