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
        subscription.NoteSession(sessionA.Token);
        subscription.ReportLoss(ConnectionLoss);
        Assert.True(subscription.Lost.IsCompleted);
        Assert.Equal(1, subscription.Losses);

        // RabbitMQ.Client recovered the channel (session B) and lost it again before the consumer's Resume.
        subscription.NoteSession(sessionB.Token);
        var beforeSecond = subscription.Losses;
        channel.Open = false;
        subscription.ReportLoss(new SubscriptionLoss("the connection closed again", ConnectionLost: true));

        Assert.Equal(2, subscription.Losses);
        Assert.True(subscription.LostSince(beforeSecond));
        Assert.True(subscription.IsLostSession(sessionA.Token));
        Assert.True(subscription.IsLostSession(sessionB.Token));

        // The consumer resumes after the first loss: the second is reported again at once, not forgotten.
        channel.Open = true;
        subscription.Resume();
        Assert.True(subscription.Lost.IsCompleted);
        Assert.Equal("the connection closed again", (await subscription.Lost).Cause);

        // Taken and resumed: the subscription now waits for the next loss.
        subscription.Resume();
        Assert.False(subscription.Lost.IsCompleted);
    }

    [Fact]
    public void The_channels_notice_of_a_connection_loss_already_recorded_records_nothing()
    {
        var (subscription, channel) = Create();
        using var session = new CancellationTokenSource();
        subscription.NoteSession(session.Token);
        channel.Open = false;
        subscription.ReportLoss(ConnectionLoss);
        subscription.ReportLoss(new SubscriptionLoss("the channel closed with its connection", ConnectionLost: true));

        Assert.Equal(1, subscription.Losses);

        // Recovered before the consumer resumes: it watches for the next loss instead of taking the same one again.
        channel.Open = true;
        subscription.Resume();
        Assert.False(subscription.Lost.IsCompleted);
    }

    [Fact]
    public void Resume_reports_the_loss_again_when_the_channel_is_closed_again()
    {
        var (subscription, channel) = Create();
        subscription.ReportLoss(ConnectionLoss);
        channel.Open = false;

        subscription.Resume();

        Assert.True(subscription.Lost.IsCompleted);
    }

    [Fact]
    public void A_broker_cancel_leaves_the_open_channel_session_live()
    {
        var (subscription, _) = Create();
        using var session = new CancellationTokenSource();
        subscription.NoteSession(session.Token);
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
        subscription.NoteSession(sessionA.Token);
        subscription.ReportLoss(ConnectionLoss);
        subscription.Resume();

        // Session B delivers, then a delivery of lost session A arrives late; then B is lost.
        subscription.NoteSession(sessionB.Token);
        subscription.NoteSession(sessionA.Token);
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

    /// <summary>A connection with no known endpoint.</summary>
    public class NullEndpointConnection : DispatchProxy
    {
        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args) =>
            targetMethod?.Name == "get_Endpoint" ? null : throw new NotSupportedException(targetMethod?.Name);
    }
}
