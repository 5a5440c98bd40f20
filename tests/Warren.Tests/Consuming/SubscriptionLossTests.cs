using System;
using System.Reflection;
using System.Threading;
using System.Threading.Tasks;
using RabbitMQ.Client;
using Xunit;

namespace Warren.Tests.Consuming;

/// <summary>How a subscription records the losses of its channel sessions, without a broker.</summary>
public sealed class SubscriptionLossTests
{
    private static readonly SubscriptionLoss ConnectionLoss = new("the connection closed", ConnectionLost: true);

    [Fact]
    public async Task A_second_connection_loss_before_the_consumer_resumes_is_recorded()
    {
        var (subscription, channel) = Create();
        using var sessionA = new CancellationTokenSource();
        using var sessionB = new CancellationTokenSource();
        Assert.True(subscription.Admit(sessionA.Token));
        subscription.ReportLoss(ConnectionLoss);
        Assert.True(subscription.Lost.IsCompleted);
        Assert.Equal(1, subscription.Losses);

        // RabbitMQ.Client recovered the channel (session B) and lost it again before the consumer's Resume.
        Assert.True(subscription.Admit(sessionB.Token));
        var beforeSecond = subscription.Losses;
        channel.Open = false;
        subscription.ReportLoss(new SubscriptionLoss("the connection closed again", ConnectionLost: true));

        Assert.Equal(2, subscription.Losses);
        Assert.True(subscription.LostSince(beforeSecond));
        Assert.True(subscription.IsLostSession(sessionA.Token));
        Assert.True(subscription.IsLostSession(sessionB.Token));

        // The consumer resumes after the first loss: the second is its own, taken now (logged once), not forgotten.
        channel.Open = true;
        Assert.Equal(ResumeOutcome.LostAgain, subscription.Resume(out var again));
        Assert.Equal("the connection closed again", again!.Cause);

        // Taken and resumed: the subscription now waits for the next loss.
        Assert.Equal(ResumeOutcome.Resumed, subscription.Resume(out _));
        Assert.False(subscription.Lost.IsCompleted);
    }

    [Fact]
    public void The_channels_notice_of_a_connection_loss_already_recorded_records_nothing()
    {
        var (subscription, channel) = Create();
        using var session = new CancellationTokenSource();
        Assert.True(subscription.Admit(session.Token));
        channel.Open = false;
        subscription.ReportLoss(ConnectionLoss);
        subscription.ReportLoss(new SubscriptionLoss("the channel closed with its connection", ConnectionLost: true));

        Assert.Equal(1, subscription.Losses);

        // Recovered before the consumer resumes: it watches for the next loss instead of taking the same one again.
        channel.Open = true;
        Assert.Equal(ResumeOutcome.Resumed, subscription.Resume(out _));
        Assert.False(subscription.Lost.IsCompleted);
    }

    [Fact]
    public async Task Resume_finding_the_channel_closed_again_reports_nothing_again()
    {
        var (subscription, channel) = Create();
        subscription.ReportLoss(ConnectionLoss);
        var taken = await subscription.Lost;
        channel.Open = false;

        // Still the loss the consumer took (and logged): nothing new to take, the consumer waits for the recovery again.
        Assert.Equal(ResumeOutcome.StillClosed, subscription.Resume(out var again));
        Assert.Null(again);
        Assert.Same(taken, await subscription.Lost);
        Assert.Equal(1, subscription.Losses);

        channel.Open = true;
        Assert.Equal(ResumeOutcome.Resumed, subscription.Resume(out _));
        Assert.False(subscription.Lost.IsCompleted);
    }

    [Fact]
    public void A_first_delivery_of_a_session_starting_after_its_loss_is_not_admitted_nor_settled()
    {
        var (subscription, channel) = Create();
        using var sessionA = new CancellationTokenSource();
        using var sessionB = new CancellationTokenSource();
        Assert.True(subscription.Admit(sessionA.Token));
        subscription.ReportLoss(ConnectionLoss);
        channel.Open = true;
        Assert.Equal(ResumeOutcome.Resumed, subscription.Resume(out _));

        // Session B is lost before any delivery of it was seen; its first delivery starts after the loss was reported and
        // before RabbitMQ.Client shut session B down (its token is not cancelled yet).
        channel.Open = false;
        subscription.ReportLoss(ConnectionLoss);
        var losses = subscription.Losses;
        Assert.False(subscription.Admit(sessionB.Token));
        Assert.False(subscription.CanSettle(losses, sessionB.Token));

        // Recovered (session C): B's deliveries are still told apart, and its outcome is neither settled nor copied.
        channel.Open = true;
        Assert.True(subscription.IsLostSession(sessionB.Token));
        Assert.False(subscription.CanSettle(losses, sessionB.Token));
    }

    [Fact]
    public void An_outcome_is_not_settled_once_the_channel_is_closed_even_before_its_notice()
    {
        var (subscription, channel) = Create();
        using var session = new CancellationTokenSource();
        Assert.True(subscription.Admit(session.Token));
        var losses = subscription.Losses;
        Assert.True(subscription.CanSettle(losses, session.Token));

        channel.Open = false;

        Assert.False(subscription.CanSettle(losses, session.Token));
    }

    [Fact]
    public void A_broker_cancel_leaves_the_open_channel_session_live()
    {
        var (subscription, _) = Create();
        using var session = new CancellationTokenSource();
        Assert.True(subscription.Admit(session.Token));
        var losses = subscription.Losses;

        subscription.ReportLoss(new SubscriptionLoss("the broker cancelled the subscription", ConnectionLost: false, ChannelClosed: false));

        // The consumer is told, but the deliveries of the session are still settled on its open channel.
        Assert.True(subscription.Lost.IsCompleted);
        Assert.False(subscription.LostSince(losses));
        Assert.False(subscription.IsLostSession(session.Token));
    }

    [Fact]
    public void A_late_delivery_of_a_lost_session_does_not_stand_for_the_current_one()
    {
        var (subscription, channel) = Create();
        using var sessionA = new CancellationTokenSource();
        using var sessionB = new CancellationTokenSource();
        Assert.True(subscription.Admit(sessionA.Token));
        subscription.ReportLoss(ConnectionLoss);
        Assert.Equal(ResumeOutcome.Resumed, subscription.Resume(out _));

        // Session B delivers, then a delivery of lost session A arrives late (not admitted); then B is lost.
        Assert.True(subscription.Admit(sessionB.Token));
        Assert.False(subscription.Admit(sessionA.Token));
        channel.Open = false;
        subscription.ReportLoss(ConnectionLoss);

        Assert.True(subscription.IsLostSession(sessionB.Token));
    }

    private static (Subscription Subscription, FakeChannel Channel) Create()
    {
        var connection = DispatchProxy.Create<IConnection, NullEndpointConnection>();
        var channel = DispatchProxy.Create<IChannel, FakeChannel>();
        var fake = (FakeChannel)(object)channel;
        var subscription = new Subscription(connection, channel, new AckTracker(new FakeBroker(), 10, TimeProvider.System, TimeSpan.FromSeconds(1)), DateTimeOffset.UtcNow);
        return (subscription, fake);
    }

    /// <summary>A channel whose only state is whether it is open.</summary>
    public class FakeChannel : DispatchProxy
    {
        public bool Open { get; set; } = true;

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args) =>
            targetMethod?.Name == "get_IsOpen" ? Open : throw new NotSupportedException(targetMethod?.Name);
    }

    /// <summary>A connection with no known endpoint, open.</summary>
    public class NullEndpointConnection : DispatchProxy
    {
        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args) => targetMethod?.Name switch
        {
            "get_Endpoint" => null,
            "get_IsOpen" => true,
            _ => throw new NotSupportedException(targetMethod?.Name),
        };
    }
}
