using System.Collections.Concurrent;
using System.Threading;
using RabbitMQ.Client;

namespace Warren;

/// <summary>
/// The AMQP properties of finished publishes, reused by the next ones. A publish holds its properties until it ends
/// (confirmed, failed or timed out), because a publish sent again after a lost channel sends them again; it returns
/// them only then. Reuse is safe because RabbitMQ.Client 7 writes the properties into the frame before
/// <c>BasicPublishAsync</c> completes (<c>SessionBase.TransmitAsync</c> serializes method, header and body, then queues
/// the bytes) and keeps no reference to them afterwards.
/// </summary>
/// <remarks>
/// A struct header instead of the class is no gain on a confirming channel: for any properties type other than
/// <see cref="BasicProperties"/>, the client copies them into a new <see cref="BasicProperties"/> to add its headers.
/// </remarks>
internal sealed class PropertiesPool(int capacity)
{
    private readonly ConcurrentQueue<BasicProperties> _items = new();
    private int _count;

    /// <summary>Properties to fill (every field Warren sets is set by <see cref="MessagePublisher.FillProperties"/>).</summary>
    public BasicProperties Rent()
    {
        if (_items.TryDequeue(out var properties))
        {
            Interlocked.Decrement(ref _count);
            return properties;
        }

        return new BasicProperties();
    }

    /// <summary>Takes back the properties of a publish that has ended; they keep no headers or ids alive meanwhile.</summary>
    public void Return(BasicProperties properties)
    {
        properties.Headers = null;
        properties.MessageId = null;
        properties.CorrelationId = null;
        properties.ReplyTo = null;
        properties.Expiration = null;
        if (Interlocked.Increment(ref _count) <= capacity)
        {
            _items.Enqueue(properties);
        }
        else
        {
            Interlocked.Decrement(ref _count);
        }
    }
}
