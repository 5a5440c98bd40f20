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
        return consumers.Select(c => c.Queue.IsDeadLetterQueue || deadLetterQueues.Contains(c.Queue.Name) ? AsDeadLetterConsumer(c) : c).ToList();
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
