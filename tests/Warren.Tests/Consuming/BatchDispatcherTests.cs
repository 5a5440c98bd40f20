using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using CsCheck;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Warren.Tests.Consuming;

public sealed record BatchItem(int N);

[System.Text.Json.Serialization.JsonSerializable(typeof(BatchItem))]
internal sealed partial class BatchTestJson : System.Text.Json.Serialization.JsonSerializerContext;

/// <summary>
/// The batch dispatcher's bookkeeping without a broker: for random message counts, batch sizes and sets of poison
/// messages, every poison message is failed alone, every other message is acknowledged after exactly one successful
/// handler call, and no batch is larger than its size.
/// </summary>
public sealed class BatchDispatcherTests
{
    private static readonly IServiceProvider Services = new ServiceCollection().BuildServiceProvider();

    [Fact]
    public void Poison_messages_fail_alone_and_every_other_message_succeeds_exactly_once()
    {
        var gen = Gen.Select(Gen.Int[1, 60], Gen.Int[1, 20], Gen.Int[0, 4], Gen.Int);
        Property.ForAll(gen, 60, c =>
        {
            var (count, size, poisonCount, seed) = c;
            var random = new Random(seed);
            var poison = Enumerable.Range(0, poisonCount).Select(_ => random.Next(count)).ToHashSet();
            var successes = new ConcurrentDictionary<int, int>();
            var largest = 0;
            var dispatcher = new BatchDispatcher<BatchItem>(BatchTestJson.Default.BatchItem, size, TimeSpan.FromMilliseconds(20), (list, _) =>
            {
                InterlockedMax(ref largest, list.Count);
                if (list.Any(m => poison.Contains(m.N)))
                {
                    throw new InvalidOperationException("poison");
                }

                foreach (var m in list)
                {
                    successes.AddOrUpdate(m.N, 1, (_, n) => n + 1);
                }

                return ValueTask.CompletedTask;
            });

            var outcomes = Task.WhenAll(Enumerable.Range(0, count).Select(n => dispatcher.DispatchAsync(Context(n)).AsTask())).GetAwaiter().GetResult();

            Assert.InRange(largest, 1, size);
            for (var n = 0; n < count; n++)
            {
                if (poison.Contains(n))
                {
                    Assert.Equal(DispatchAction.Requeue, outcomes[n].Action);
                    Assert.False(successes.ContainsKey(n));
                }
                else
                {
                    Assert.Equal(DispatchAction.Ack, outcomes[n].Action);
                    Assert.Equal(1, successes[n]);
                }
            }
        }, c => $"count {c.Item1}, size {c.Item2}, poison {c.Item3}, seed {c.Item4}");
    }

    [Fact]
    public async Task A_body_that_is_not_the_type_is_dead_lettered_and_joins_no_batch()
    {
        var calls = 0;
        var dispatcher = new BatchDispatcher<BatchItem>(BatchTestJson.Default.BatchItem, 2, TimeSpan.FromMilliseconds(20), (_, _) =>
        {
            Interlocked.Increment(ref calls);
            return ValueTask.CompletedTask;
        });
        var outcome = await dispatcher.DispatchAsync(new MessageContext("q", "not json"u8.ToArray(), Services, CancellationToken.None));
        Assert.Equal(DispatchAction.DeadLetter, outcome.Action);
        Assert.Equal(0, calls);
    }

    [Fact]
    public async Task Flush_hands_over_the_partial_batch_without_waiting_for_the_timeout()
    {
        var handled = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var dispatcher = new BatchDispatcher<BatchItem>(BatchTestJson.Default.BatchItem, 10, TimeSpan.FromHours(1), (list, _) =>
        {
            handled.TrySetResult(list.Count);
            return ValueTask.CompletedTask;
        });
        var pending = Enumerable.Range(0, 3).Select(n => dispatcher.DispatchAsync(Context(n)).AsTask()).ToArray();
        Assert.False(handled.Task.IsCompleted);
        dispatcher.Flush();
        Assert.Equal(3, await handled.Task.WaitAsync(TimeSpan.FromSeconds(5)));
        Assert.All(await Task.WhenAll(pending), o => Assert.Equal(DispatchAction.Ack, o.Action));
    }

    [Fact]
    public async Task A_batch_is_named_after_the_first_contract_its_deliveries_name_even_when_the_opening_one_names_none()
    {
        const string Queue = "batch-contract-unit";
        var spans = new ConcurrentQueue<System.Diagnostics.Activity>();
        using var listener = new System.Diagnostics.ActivityListener
        {
            ShouldListenTo = s => s.Name == WarrenTracing.Source.Name,
            Sample = (ref System.Diagnostics.ActivityCreationOptions<System.Diagnostics.ActivityContext> _) => System.Diagnostics.ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = spans.Enqueue,
        };
        System.Diagnostics.ActivitySource.AddActivityListener(listener);
        var dispatcher = new BatchDispatcher<BatchItem>(BatchTestJson.Default.BatchItem, 3, TimeSpan.FromHours(1), (_, _) => ValueTask.CompletedTask);
        var types = new[] { null, "shop.item", "shop.item-alias" };
        var outcomes = await Task.WhenAll(types.Select((type, n) => dispatcher.DispatchAsync(new MessageContext(Queue, JsonSerializer.SerializeToUtf8Bytes(new BatchItem(n), BatchTestJson.Default.BatchItem), Services, CancellationToken.None) { MessageType = type }).AsTask()));

        Assert.All(outcomes, o => Assert.Equal(DispatchAction.Ack, o.Action));
        // The span ends just after the batch's outcomes are known.
        Assert.True(SpinWait.SpinUntil(() => spans.Any(s => (string?)s.GetTagItem("messaging.destination.name") == Queue), TimeSpan.FromSeconds(10)), "the batch span");
        var batch = Assert.Single(spans, s => (string?)s.GetTagItem("messaging.destination.name") == Queue);
        Assert.Equal("shop.item", batch.GetTagItem("warren.message.contract"));
    }

    private static MessageContext Context(int n) =>
        new("q", JsonSerializer.SerializeToUtf8Bytes(new BatchItem(n), BatchTestJson.Default.BatchItem), Services, CancellationToken.None);

    private static void InterlockedMax(ref int target, int value)
    {
        int current;
        while (value > (current = Volatile.Read(ref target)) && Interlocked.CompareExchange(ref target, value, current) != current)
        {
        }
    }
}
