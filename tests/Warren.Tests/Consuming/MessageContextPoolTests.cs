using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using CsCheck;
using Microsoft.Extensions.DependencyInjection;
using RabbitMQ.Client;
using Xunit;

namespace Warren.Tests.Consuming;

/// <summary>
/// The consumer's reused contexts: a context filled for a delivery shows exactly what a fresh one made for the same
/// delivery shows, whatever the earlier delivery left; an emptied one keeps nothing of its delivery and refuses a scope.
/// </summary>
public sealed class MessageContextPoolTests
{
    /// <summary>One delivery's facts, as the consumer reads them.</summary>
    private sealed record Delivery(
        byte[] Body,
        string Exchange,
        string RoutingKey,
        string? Type,
        string? MessageId,
        string? CorrelationId,
        string? ReplyTo,
        string? ContentType,
        string? ContentEncoding,
        byte? Priority,
        DateTimeOffset? Timestamp,
        bool Redelivered,
        ulong Tag,
        long? StreamOffset,
        long DeliveryCount,
        int RetryCount,
        Dictionary<string, object?>? Headers)
    {
        public BasicProperties Properties()
        {
            var properties = new BasicProperties
            {
                Type = Type,
                MessageId = MessageId,
                CorrelationId = CorrelationId,
                ReplyTo = ReplyTo,
                ContentType = ContentType,
                ContentEncoding = ContentEncoding,
                Headers = Headers,
            };
            if (Priority is { } priority)
            {
                properties.Priority = priority;
            }

            return properties;
        }

        public void FillInto(MessageContext context, CancellationToken token) =>
            context.Reuse(Body, token, Exchange, RoutingKey, Properties(), Headers, Timestamp, Redelivered, Tag, StreamOffset, DeliveryCount, RetryCount);

        /// <summary>What the consumer made before contexts were reused.</summary>
        public MessageContext Fresh(HandlerLifetimes lifetimes, CancellationToken token) =>
            new("q", Body, lifetimes, token)
            {
                Exchange = Exchange,
                RoutingKey = RoutingKey,
                MessageType = Type,
                MessageId = MessageId,
                CorrelationId = CorrelationId,
                ReplyTo = ReplyTo,
                ContentType = ContentType,
                ContentEncoding = ContentEncoding,
                Timestamp = Timestamp,
                Priority = Priority,
                Redelivered = Redelivered,
                DeliveryTag = Tag,
                StreamOffset = StreamOffset,
                DeliveryCount = DeliveryCount,
                RetryCount = RetryCount,
                RawHeaders = Headers,
            };
    }

    private static readonly Gen<string?> Text = Gen.Select(Gen.Int[0, 4], Gen.String[Gen.Char.AlphaNumeric, 0, 12], (n, s) => n == 0 ? null : s);

    private static readonly Gen<Delivery> Deliveries =
        Gen.Select(
            Gen.Byte.Array[0, 16],
            Gen.String[Gen.Char.AlphaNumeric, 0, 8],
            Gen.String[Gen.Char.AlphaNumeric, 0, 8],
            Text,
            Text,
            Text,
            Text,
            Text)
        .Select(
            Gen.Select(
                Text,
                Gen.Byte.Nullable(),
                Gen.Long[0, 4_000_000_000].Nullable(),
                Gen.Bool,
                Gen.ULong,
                Gen.Long.Nullable(),
                Gen.Long[0, 100],
                Gen.Int[0, 100]),
            Gen.Select(Gen.Bool, Gen.String[Gen.Char.AlphaNumeric, 1, 6], Text),
            (a, b, h) => new Delivery(
                a.Item1, a.Item2, a.Item3, a.Item4, a.Item5, a.Item6, a.Item7, a.Item8,
                b.Item1, b.Item2, b.Item3 is { } seconds ? DateTimeOffset.FromUnixTimeSeconds(seconds) : null, b.Item4, b.Item5, b.Item6, b.Item7, b.Item8,
                h.Item1 ? new Dictionary<string, object?> { [h.Item2] = h.Item3 } : null));

    private static HandlerLifetimes Lifetimes()
    {
        var services = new ServiceCollection();
        services.AddWarren(o => o.Url = "amqp://localhost/");
        var root = services.BuildServiceProvider();
        return new HandlerLifetimes(services, root);
    }

    private static void AssertSame(MessageContext expected, MessageContext actual)
    {
        Assert.Equal(expected.Queue, actual.Queue);
        Assert.Equal(expected.Body.ToArray(), actual.Body.ToArray());
        Assert.Equal(expected.CancellationToken, actual.CancellationToken);
        Assert.Equal(expected.Exchange, actual.Exchange);
        Assert.Equal(expected.RoutingKey, actual.RoutingKey);
        Assert.Equal(expected.MessageType, actual.MessageType);
        Assert.Equal(expected.MessageId, actual.MessageId);
        Assert.Equal(expected.CorrelationId, actual.CorrelationId);
        Assert.Equal(expected.ReplyTo, actual.ReplyTo);
        Assert.Equal(expected.ContentType, actual.ContentType);
        Assert.Equal(expected.ContentEncoding, actual.ContentEncoding);
        Assert.Equal(expected.Timestamp, actual.Timestamp);
        Assert.Equal(expected.Priority, actual.Priority);
        Assert.Equal(expected.Redelivered, actual.Redelivered);
        Assert.Equal(expected.DeliveryTag, actual.DeliveryTag);
        Assert.Equal(expected.StreamOffset, actual.StreamOffset);
        Assert.Equal(expected.DeliveryCount, actual.DeliveryCount);
        Assert.Equal(expected.RetryCount, actual.RetryCount);
        Assert.Same(expected.RawHeaders, actual.RawHeaders);
        Assert.Equal(expected.Headers, actual.Headers);
        Assert.Equal(expected.Deaths, actual.Deaths);
    }

    [Fact]
    public async Task A_reused_context_shows_what_a_fresh_one_shows_whatever_came_before()
    {
        var lifetimes = Lifetimes();
        var pool = new MessageContextPool("q", lifetimes, 1);
        using var cancellation = new CancellationTokenSource();
        var count = 0;
        Property.ForAll(
            Gen.Select(Deliveries, Deliveries, Gen.Bool),
            300,
            c =>
            {
                var (earlier, later, readEarlier) = c;
                // The earlier delivery, read in full (headers and deaths are cached per delivery) or not, with a scope.
                var context = pool.Rent();
                earlier.FillInto(context, CancellationToken.None);
                if (readEarlier)
                {
                    _ = context.Headers;
                    _ = context.Deaths;
                    _ = context.Services;
                }

                context.DisposeScopeAsync().AsTask().GetAwaiter().GetResult();
                pool.Return(context);

                var reused = pool.Rent();
                Assert.Same(context, reused);
                later.FillInto(reused, cancellation.Token);
                AssertSame(later.Fresh(lifetimes, cancellation.Token), reused);
                // A new delivery gets a new scope, not the ended one of the earlier delivery.
                Assert.NotNull(reused.Services);
                reused.DisposeScopeAsync().AsTask().GetAwaiter().GetResult();
                pool.Return(reused);
                count++;
            },
            c => c.ToString());
        Assert.Equal(300, count);
        await Task.CompletedTask;
    }

    [Fact]
    public async Task A_returned_context_keeps_nothing_of_its_delivery_and_refuses_a_scope()
    {
        var pool = new MessageContextPool("q", Lifetimes(), 1);
        var context = pool.Rent();
        context.Reuse(new byte[] { 1, 2, 3 }, CancellationToken.None, "ex", "key", new BasicProperties { MessageId = "m1", Type = "t" }, new Dictionary<string, object?> { ["a"] = "b" }, DateTimeOffset.UnixEpoch, true, 7, 3, 2, 1);
        _ = context.Services;
        await context.DisposeScopeAsync();
        pool.Return(context);

        Assert.True(context.Body.IsEmpty);
        Assert.Null(context.MessageId);
        Assert.Null(context.MessageType);
        Assert.Null(context.RawHeaders);
        Assert.Empty(context.Headers);
        Assert.Equal(string.Empty, context.RoutingKey);
        Assert.Equal(0UL, context.DeliveryTag);
        Assert.Throws<ObjectDisposedException>(() => context.Services);
    }

    [Fact]
    public async Task A_context_shared_with_a_handler_is_never_reused_and_keeps_its_values()
    {
        var pool = new MessageContextPool("q", Lifetimes(), 1);
        var context = pool.Rent();
        context.Reuse(new byte[] { 1 }, CancellationToken.None, "ex", "key", new BasicProperties { MessageId = "m1", Type = "t" }, new Dictionary<string, object?> { ["a"] = "b" }, null, false, 7, null, 0, 0);
        Assert.Same(context, Warren.Infrastructure.WarrenDispatch.Shared(context));
        await context.DisposeScopeAsync();
        pool.Return(context);

        Assert.NotSame(context, pool.Rent());
        Assert.Equal("m1", context.MessageId);
        Assert.Equal("t", context.MessageType);
        Assert.Equal("key", context.RoutingKey);
        Assert.Equal("b", context.Headers["a"]);
        Assert.Equal(7UL, context.DeliveryTag);
        Assert.Throws<ObjectDisposedException>(() => context.Services);
    }

    [Fact]
    public void Contexts_out_at_once_are_distinct_and_the_pool_keeps_at_most_its_slots()
    {
        var pool = new MessageContextPool("q", Lifetimes(), 2);
        var a = pool.Rent();
        var b = pool.Rent();
        var c = pool.Rent();
        Assert.Equal(3, new HashSet<MessageContext>(ReferenceEqualityComparer.Instance) { a, b, c }.Count);
        pool.Return(a);
        pool.Return(b);
        pool.Return(c);
        var again = new HashSet<MessageContext>(ReferenceEqualityComparer.Instance) { pool.Rent(), pool.Rent() };
        Assert.Equal(2, again.Count);
        Assert.DoesNotContain(c, again);
    }
}
