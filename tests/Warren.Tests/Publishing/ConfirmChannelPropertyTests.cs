using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using CsCheck;
using RabbitMQ.Client;
using Warren.Tests.Support;
using Xunit;

namespace Warren.Tests.Publishing;

/// <summary>
/// The confirm bookkeeping of a publishing channel against a broker the test plays: random interleavings of publishes
/// (mandatory or not, with an id Warren made or one the caller chose), single and multiple acks and nacks, returns and
/// channel losses. After every step each publish is settled exactly when the broker's answers settle it, with the
/// outcome they give it.
/// </summary>
public sealed class ConfirmChannelPropertyTests
{
    private enum Outcome
    {
        Waiting,
        Confirmed,
        Unroutable,
        Rejected,
        Interrupted,
    }

    private enum Step
    {
        Publish,
        Ack,
        Nack,
        Return,
        Lose,
    }

    private sealed record Op(Step Step, bool Flag, bool OwnId, int Pick);

    private static readonly Gen<Op> OpGen =
        Gen.Frequency(
            (6, Gen.Select(Gen.Bool, Gen.Bool, (mandatory, own) => new Op(Step.Publish, mandatory, own, 0))),
            (3, Gen.Select(Gen.Bool, Gen.Int[0, 1000], (multiple, pick) => new Op(Step.Ack, multiple, false, pick))),
            (1, Gen.Select(Gen.Bool, Gen.Int[0, 1000], (multiple, pick) => new Op(Step.Nack, multiple, false, pick))),
            (1, Gen.Int[0, 1000].Select(pick => new Op(Step.Return, false, false, pick))),
            (1, Gen.Const(new Op(Step.Lose, false, false, 0))));

    [Fact]
    public void Every_publish_is_settled_once_when_its_answer_comes_with_the_outcome_it_gives()
    {
        Property.ForAll(OpGen.Array[1, 120], 300, ops => RunAsync(ops).GetAwaiter().GetResult(), ops => string.Join(", ", ops.Select(o => o.ToString())));
        Assert.Equal(300, Property.LastCount);
    }

    /// <summary>
    /// A multiple ack costs what it settles, not the span of sequence numbers since the last one settled: two publishes
    /// numbered 1 and 2^40 are settled by one multiple ack at once (walking every number between them would take hours).
    /// </summary>
    [Fact]
    public async Task A_multiple_ack_far_beyond_the_last_settled_number_settles_its_publishes_at_once()
    {
        var (channel, fake) = FakeConfirmingChannel.Create();

        // Disposed only once the ack is through: a walk of the span would still hold the bookkeeping lock.
        var confirms = new ConfirmChannel(channel, TimeSpan.FromMinutes(1), TimeProvider.System);
        var first = await SendAsync(confirms, mandatory: false, messageId: 1);
        fake.NextSequence = 1UL << 40;
        var second = await SendAsync(confirms, mandatory: false, messageId: 2);
        await fake.AckAsync(1, multiple: false);
        await Task.Run(() => fake.AckAsync(1UL << 40, multiple: true)).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True(first.Task.IsCompletedSuccessfully);
        Assert.True(second.Task.IsCompletedSuccessfully);
        Assert.Equal(0, confirms.PendingCount);
        await confirms.DisposeAsync();
    }

    private static async Task RunAsync(Op[] ops)
    {
        var (channel, fake) = FakeConfirmingChannel.Create();
        await using var confirms = new ConfirmChannel(channel, TimeSpan.FromMinutes(10), TimeProvider.System);
        var publishes = new List<ConfirmChannel.Pending>();
        var expected = new List<Outcome>();

        // What the broker has not answered yet, in sequence order: the publish's index and what it was sent as.
        var unanswered = new List<(int Index, SentMessage Sent)>();
        var returned = new HashSet<int>();
        ulong nextId = 1;
        foreach (var op in ops)
        {
            switch (op.Step)
            {
                case Step.Publish:
                    var pending = await SendAsync(confirms, op.Flag, op.OwnId ? nextId++ : 0);
                    publishes.Add(pending);
                    expected.Add(Outcome.Waiting);
                    unanswered.Add((publishes.Count - 1, fake.Sent[^1]));
                    break;
                case Step.Ack or Step.Nack when unanswered.Count > 0:
                    var target = unanswered[op.Pick % unanswered.Count];
                    var settled = op.Flag ? unanswered.Where(u => u.Sent.Sequence <= target.Sent.Sequence).ToList() : [target];
                    foreach (var one in settled)
                    {
                        expected[one.Index] = op.Step == Step.Nack ? Outcome.Rejected : returned.Contains(one.Index) ? Outcome.Unroutable : Outcome.Confirmed;
                        unanswered.Remove(one);
                    }

                    await (op.Step == Step.Ack ? fake.AckAsync(target.Sent.Sequence, op.Flag) : fake.NackAsync(target.Sent.Sequence, op.Flag));
                    break;
                case Step.Return:
                    var returnable = unanswered.Where(u => u.Sent.Mandatory && !returned.Contains(u.Index)).ToList();
                    if (returnable.Count > 0)
                    {
                        var message = returnable[op.Pick % returnable.Count];
                        returned.Add(message.Index);
                        await fake.ReturnAsync(message.Sent);
                    }

                    break;
                case Step.Lose:
                    foreach (var one in unanswered)
                    {
                        expected[one.Index] = Outcome.Interrupted;
                    }

                    unanswered.Clear();
                    await fake.LoseAndRecoverAsync();
                    break;
            }

            for (var i = 0; i < publishes.Count; i++)
            {
                Assert.True(expected[i] == OutcomeOf(publishes[i]), $"publish {i} (sequence {publishes[i].Sequence}) after {op}: expected {expected[i]}, is {OutcomeOf(publishes[i])}");
            }

            Assert.Equal(unanswered.Count, confirms.PendingCount);
            Assert.Equal(unanswered.Count(u => u.Sent.Mandatory && u.Sent.Properties.Headers?.ContainsKey(ConfirmChannel.SequenceHeader) != true), confirms.ReturnableCount);
        }
    }

    private static Outcome OutcomeOf(ConfirmChannel.Pending pending) => pending.Task.Status switch
    {
        TaskStatus.RanToCompletion => Outcome.Confirmed,
        TaskStatus.Faulted => pending.Task.Exception!.InnerException switch
        {
            UnroutableMessageException => Outcome.Unroutable,
            PublishRejectedException => Outcome.Rejected,
            PublishInterruptedException => Outcome.Interrupted,
            var other => throw new InvalidOperationException($"unexpected failure {other}"),
        },
        _ => Outcome.Waiting,
    };

    /// <summary>Sends one message: <paramref name="messageId"/> non-zero is an id Warren made, zero one the caller chose.</summary>
    private static async Task<ConfirmChannel.Pending> SendAsync(ConfirmChannel confirms, bool mandatory, ulong messageId)
    {
        var properties = new BasicProperties { MessageId = messageId == 0 ? "chosen-" + Guid.NewGuid().ToString("N") : null };
        return await confirms.SendAsync("orders", "order.placed", mandatory, properties, new byte[] { 1 }, messageId, default, long.MaxValue, CancellationToken.None);
    }
}
