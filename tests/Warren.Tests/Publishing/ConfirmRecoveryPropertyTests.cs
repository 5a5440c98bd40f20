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
/// The confirm bookkeeping of a publishing channel across recoveries, whose channel numbers its publishes from 1 again:
/// random interleavings of publishes, acks and nacks of the current incarnation, late answers of an earlier one,
/// losses whose shutdown is processed at once, and recoveries whose shutdown is processed only later (after publishes
/// went out on the recovered channel). Every publish is settled exactly once; an answer settles only publishes of the
/// incarnation that sent it; a publish of a lost incarnation ends either answered by its own incarnation or failed
/// with the channel-loss error, never acked by another incarnation's ack.
/// </summary>
public sealed class ConfirmRecoveryPropertyTests
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
        StaleAck,
        Lose,
        RecoverBeforeShutdown,
        LateShutdown,
    }

    private sealed record Op(Step Step, bool Flag, int Pick, int Tag);

    private sealed class Sent(int incarnation, SentMessage message)
    {
        public int Incarnation { get; } = incarnation;

        public SentMessage Message { get; } = message;

        public bool Returned { get; set; }
    }

    private static readonly Gen<Op> OpGen =
        Gen.Frequency(
            (6, Gen.Bool.Select(mandatory => new Op(Step.Publish, mandatory, 0, 0))),
            (3, Gen.Select(Gen.Bool, Gen.Int[0, 1000], (multiple, pick) => new Op(Step.Ack, multiple, pick, 0))),
            (1, Gen.Select(Gen.Bool, Gen.Int[0, 1000], (multiple, pick) => new Op(Step.Nack, multiple, pick, 0))),
            (1, Gen.Int[0, 1000].Select(pick => new Op(Step.Return, false, pick, 0))),
            (2, Gen.Select(Gen.Bool, Gen.Int[0, 1000], Gen.Int[1, 12], (multiple, pick, tag) => new Op(Step.StaleAck, multiple, pick, tag))),
            (1, Gen.Const(new Op(Step.Lose, false, 0, 0))),
            (2, Gen.Const(new Op(Step.RecoverBeforeShutdown, false, 0, 0))),
            (2, Gen.Int[0, 1000].Select(pick => new Op(Step.LateShutdown, false, pick, 0))));

    [Fact]
    public void Every_publish_is_settled_once_and_only_by_an_answer_of_its_own_incarnation()
    {
        Property.ForAll(OpGen.Array[1, 100], 400, ops => RunAsync(ops).GetAwaiter().GetResult(), ops => string.Join(", ", ops.Select(o => o.ToString())));
        Assert.Equal(400, Property.LastCount);
    }

    /// <summary>
    /// The case the property found on the bookkeeping that numbered publishes only by sequence: publishes 1 and 2 of the
    /// first channel wait when it recovers, its shutdown not processed yet; the recovered channel's publish 1 is acked
    /// (multiple). That ack settles the new publish only; the old ones fail with the channel-loss error.
    /// </summary>
    [Fact]
    public async Task A_multiple_ack_of_the_recovered_channel_settles_none_of_the_lost_channels_publishes()
    {
        var (channel, fake) = FakeConfirmingChannel.Create();
        await using var confirms = new ConfirmChannel(channel, TimeSpan.FromMinutes(10), TimeProvider.System);
        var old1 = await SendAsync(confirms, mandatory: false);
        var old2 = await SendAsync(confirms, mandatory: false);
        var lost = fake.LoseAndRecoverBeforeShutdown();
        var fresh = await SendAsync(confirms, mandatory: false);
        await fake.AckAsync(1, multiple: true);
        Assert.Equal(Outcome.Confirmed, OutcomeOf(fresh));
        Assert.Equal(Outcome.Interrupted, OutcomeOf(old1));
        Assert.Equal(Outcome.Interrupted, OutcomeOf(old2));

        // The lost channel's shutdown, processed now, fails nothing of the recovered one.
        var next = await SendAsync(confirms, mandatory: false);
        await fake.ShutdownLateAsync(lost);
        Assert.Equal(Outcome.Waiting, OutcomeOf(next));
        await fake.AckAsync(2, multiple: false);
        Assert.Equal(Outcome.Confirmed, OutcomeOf(next));
        Assert.Equal(0, confirms.PendingCount);
    }

    private static async Task RunAsync(Op[] ops)
    {
        var (channel, fake) = FakeConfirmingChannel.Create();
        await using var confirms = new ConfirmChannel(channel, TimeSpan.FromMinutes(10), TimeProvider.System);
        var publishes = new List<ConfirmChannel.Pending>();
        var sent = new List<Sent>();
        var outcomes = new List<Outcome>();
        var incarnations = new List<object> { fake.Incarnation };
        var answered = new HashSet<int>();
        var lateShutdowns = new List<object>();
        var current = 0;

        foreach (var op in ops)
        {
            // What each publish may become in this step besides staying as it is: a publish of a lost incarnation may
            // fail with the channel-loss error at any step; any other change must be one this step allows.
            var allowed = new Dictionary<int, Outcome>();
            var required = new Dictionary<int, Outcome>();
            switch (op.Step)
            {
                case Step.Publish:
                    publishes.Add(await SendAsync(confirms, op.Flag));
                    sent.Add(new Sent(current, fake.Sent[^1]));
                    outcomes.Add(Outcome.Waiting);
                    break;
                case Step.Ack or Step.Nack:
                    var live = Unanswered(current).ToList();
                    if (live.Count == 0)
                    {
                        break;
                    }

                    var target = live[op.Pick % live.Count];
                    foreach (var i in live.Where(i => op.Flag ? sent[i].Message.Sequence <= sent[target].Message.Sequence : i == target))
                    {
                        required[i] = op.Step == Step.Nack ? Outcome.Rejected : sent[i].Returned ? Outcome.Unroutable : Outcome.Confirmed;
                    }

                    answered.Add(current);
                    var tag = sent[target].Message.Sequence;
                    await (op.Step == Step.Ack ? fake.AckAsync(tag, op.Flag) : fake.NackAsync(tag, op.Flag));
                    break;
                case Step.Return:
                    var returnable = Unanswered(current).Where(i => sent[i].Message.Mandatory && !sent[i].Returned).ToList();
                    if (returnable.Count > 0)
                    {
                        var returned = returnable[op.Pick % returnable.Count];
                        sent[returned].Returned = true;
                        await fake.ReturnAsync(sent[returned].Message);
                    }

                    break;
                case Step.StaleAck:
                    // A late ack of an earlier incarnation that answered before (RabbitMQ.Client raises it with that
                    // incarnation's channel): it may settle that incarnation's publishes, nothing else.
                    var earlier = answered.Where(k => k < current).OrderBy(k => k).ToList();
                    if (earlier.Count == 0)
                    {
                        break;
                    }

                    var from = earlier[op.Pick % earlier.Count];
                    foreach (var i in Unanswered(from).Where(i => op.Flag ? sent[i].Message.Sequence <= (ulong)op.Tag : sent[i].Message.Sequence == (ulong)op.Tag))
                    {
                        allowed[i] = sent[i].Returned ? Outcome.Unroutable : Outcome.Confirmed;
                    }

                    await fake.AckAsync((ulong)op.Tag, op.Flag, incarnations[from]);
                    break;
                case Step.Lose:
                    foreach (var i in Enumerable.Range(0, publishes.Count).Where(i => outcomes[i] == Outcome.Waiting))
                    {
                        required[i] = Outcome.Interrupted;
                    }

                    await fake.LoseAndRecoverAsync();
                    incarnations.Add(fake.Incarnation);
                    current++;
                    break;
                case Step.RecoverBeforeShutdown:
                    lateShutdowns.Add(fake.LoseAndRecoverBeforeShutdown());
                    incarnations.Add(fake.Incarnation);
                    current++;
                    break;
                case Step.LateShutdown when lateShutdowns.Count > 0:
                    var lost = lateShutdowns[op.Pick % lateShutdowns.Count];
                    lateShutdowns.Remove(lost);
                    await fake.ShutdownLateAsync(lost);
                    break;
            }

            Check(op.ToString(), allowed, required);
        }

        // Every loss is processed in the end, the last one with the channel closed: nothing is left waiting.
        foreach (var lost in lateShutdowns)
        {
            await fake.ShutdownLateAsync(lost);
        }

        Check("late shutdowns", [], []);
        var required2 = Enumerable.Range(0, publishes.Count).Where(i => outcomes[i] == Outcome.Waiting).ToDictionary(i => i, _ => Outcome.Interrupted);
        await fake.LoseAndRecoverAsync();
        Check("final loss", [], required2);
        Assert.Equal(0, confirms.PendingCount);

        IEnumerable<int> Unanswered(int incarnation) =>
            Enumerable.Range(0, publishes.Count).Where(i => sent[i].Incarnation == incarnation && outcomes[i] == Outcome.Waiting);

        void Check(string step, Dictionary<int, Outcome> allowed, Dictionary<int, Outcome> required)
        {
            for (var i = 0; i < publishes.Count; i++)
            {
                var before = outcomes[i];
                var now = OutcomeOf(publishes[i]);
                var where = $"publish {i} (incarnation {sent[i].Incarnation}, sequence {sent[i].Message.Sequence}) after {step}: was {before}, is {now}";
                if (required.TryGetValue(i, out var must))
                {
                    // What the current incarnation's answer or a loss processed at once settles, exactly.
                    Assert.True(now == must, $"{where}, expected {must}");
                }
                else if (now != before)
                {
                    Assert.True(before == Outcome.Waiting, $"{where}: settled twice");
                    var lostIncarnation = sent[i].Incarnation < current;
                    Assert.True((lostIncarnation && now == Outcome.Interrupted) || (allowed.TryGetValue(i, out var may) && may == now), $"{where}: not settled by an answer of its own incarnation");
                }

                outcomes[i] = now;
            }
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

    private static async Task<ConfirmChannel.Pending> SendAsync(ConfirmChannel confirms, bool mandatory)
    {
        var properties = new BasicProperties { MessageId = "chosen-" + Guid.NewGuid().ToString("N") };
        return await confirms.SendAsync("orders", "order.placed", mandatory, properties, new byte[] { 1 }, 0, default, long.MaxValue, CancellationToken.None);
    }
}
