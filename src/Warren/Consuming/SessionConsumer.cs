using System;
using System.Threading;
using System.Threading.Tasks;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace Warren;

/// <summary>
/// The RabbitMQ.Client consumer of one subscription, which tells the callbacks of a lost channel session from those of
/// the current one.
/// </summary>
/// <remarks>
/// RabbitMQ.Client 7 runs the callbacks of a channel session through that session's dispatcher, on as many workers as
/// the consumer dispatch concurrency. When the session is lost (its connection goes), the dispatcher still runs what was
/// queued before the loss — deliveries waiting for a worker, a broker cancel — and then a shutdown notice, each only when
/// a worker is free: with every worker held by a running handler, they reach the consumer when those handlers return,
/// which may be after RabbitMQ.Client recovered the connection and subscribed this same consumer again on a new session.
/// Every callback carries the cancellation token of its session's dispatcher (one per session, cancelled when that session
/// shuts down), by which <see cref="Subscription.IsLostSession"/> tells a callback of a session that is gone: its
/// delivery is the broker's again, and its cancel notice says nothing of the current subscription. The shutdown notice is
/// never taken for a cancel: the loss is reported when the connection or the channel closes.
/// </remarks>
internal sealed class SessionConsumer(IChannel channel, Func<BasicDeliverEventArgs, Task> received, Action<CancellationToken> cancelled) : AsyncDefaultBasicConsumer(channel)
{
    public override Task HandleBasicDeliverAsync(string consumerTag, ulong deliveryTag, bool redelivered, string exchange, string routingKey, IReadOnlyBasicProperties properties, ReadOnlyMemory<byte> body, CancellationToken cancellationToken = default) =>
        received(new BasicDeliverEventArgs(consumerTag, deliveryTag, redelivered, exchange, routingKey, properties, body, cancellationToken));

    /// <summary>The broker cancelled the subscription (its queue was deleted, …): reported with the token of the session it came on.</summary>
    public override async Task HandleBasicCancelAsync(string consumerTag, CancellationToken cancellationToken = default)
    {
        await base.HandleBasicCancelAsync(consumerTag, cancellationToken).ConfigureAwait(false);
        cancelled(cancellationToken);
    }
}
