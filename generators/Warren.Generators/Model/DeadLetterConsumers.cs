using System.Collections.Generic;
using System.Linq;

namespace Warren.Generators.Model;

/// <summary>
/// Consumers of dead-letter queues. A class consuming another queue's dead-letter queue must receive only what is
/// dead-lettered there: the default-binding rule (bind to the message's exchange with its routing key) would give it
/// every message of the work queue too, so it gets no default bindings. With the default failure policy its queue is
/// declared without arguments, exactly as the dead-letter queue is, and failed messages still go to its own
/// dead-letter queue (<c>{queue}.dlq</c>) through the copies Warren publishes; it never dead-letters back.
/// </summary>
internal static class DeadLetterConsumers
{
    public static List<ConsumerModel> Mark(List<ConsumerModel> consumers)
    {
        var deadLetterQueues = new HashSet<string>(consumers
            .SelectMany(c => new[] { c.Queue.DeadLetter }.Concat(c.Handlers.Select(h => h.RetryOverride)))
            .Where(d => d is not null)
            .Select(d => d!.Queue));
        var streamDeadLetterQueues = new HashSet<string>(consumers
            .Where(c => c.Queue.StreamStart is not null)
            .SelectMany(c => new[] { c.Queue.DeadLetter }.Concat(c.Handlers.Select(h => h.RetryOverride)))
            .Where(d => d is not null)
            .Select(d => d!.Queue));
        return consumers
            .Select(c => c.Queue.IsDeadLetterQueue || deadLetterQueues.Contains(c.Queue.Name) ? AsDeadLetterConsumer(c) : c)
            .Select(c => streamDeadLetterQueues.Contains(c.Queue.Name) ? AsStreamDeadLetterQueue(c) : c)
            .ToList();
    }

    /// <summary>
    /// A stream's dead-letter queue is a quorum queue (see <see cref="TopologyPlan"/>): a class consuming it declares it
    /// so too when it names no queue type, as the stream's service declares it; otherwise the consumer's own declaration
    /// would win here as a classic queue and differ from the stream service's (406 PRECONDITION_FAILED for whichever
    /// declares second). Options a quorum queue refuses (WRN016 when written with <c>Type = QueueType.Quorum</c>) keep the
    /// declaration as written.
    /// </summary>
    private static ConsumerModel AsStreamDeadLetterQueue(ConsumerModel consumer)
    {
        var queue = consumer.Queue;
        if (queue.Arguments.Any(a => a.Name is "x-queue-type" or "x-max-priority") || !queue.Durable || queue.Exclusive || queue.AutoDelete)
        {
            return consumer;
        }

        var arguments = queue.Arguments.Append(new QueueArgument("x-queue-type", "\"quorum\"", "\"quorum\"")).OrderBy(a => a.Name, System.StringComparer.Ordinal).ToEquatableArray();
        return consumer with { Queue = queue with { Arguments = arguments } };
    }

    private static ConsumerModel AsDeadLetterConsumer(ConsumerModel consumer)
    {
        var queue = consumer.Queue;
        var arguments = queue.DeadLetter is { IsDefault: true }
            ? queue.Arguments.Where(a => a.Name is not ("x-dead-letter-exchange" or "x-dead-letter-routing-key")).ToEquatableArray()
            : queue.Arguments;
        var handlers = consumer.Handlers
            .Select(h => h with { Bindings = h.Bindings.Where(b => !b.FromMessage).ToEquatableArray() })
            .ToEquatableArray();
        return consumer with { Queue = queue with { Arguments = arguments, IsDeadLetterQueue = true }, Handlers = handlers };
    }
}
