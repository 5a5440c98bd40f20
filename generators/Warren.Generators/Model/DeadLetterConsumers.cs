using System.Collections.Generic;
using System.Linq;

namespace Warren.Generators.Model;

/// <summary>
/// Consumers of dead-letter queues. A class consuming another queue's dead-letter queue must receive only what is
/// dead-lettered there: the default-binding rule (bind to the message's exchange with its routing key) would give it
/// every message of the work queue too, so it gets no default bindings. With the default failure policy its queue is
/// declared as the dead-letter queue is (without arguments, or as a quorum queue), and failed messages still go to its own
/// dead-letter queue (<c>{queue}.dlq</c>) through the copies Warren publishes; it never dead-letters back.
/// </summary>
internal static class DeadLetterConsumers
{
    /// <summary>
    /// Marks the consumers of dead-letter queues: those of <paramref name="consumers"/> and those the consumers of
    /// referenced assemblies declare (<paramref name="referenced"/>, see <see cref="ReferencedModel.DeadLetterQueues"/>),
    /// so a class reading a dead-letter queue declares it as the assembly owning the work queue does, wherever each is.
    /// </summary>
    public static List<ConsumerModel> Mark(List<ConsumerModel> consumers, IEnumerable<DeadLetterQueueModel>? referenced = null)
    {
        var declared = DeadLetterQueues(consumers).Concat(referenced ?? []).ToList();
        var deadLetterQueues = new HashSet<string>(declared.Select(d => d.Queue));
        var quorumDeadLetterQueues = new HashSet<string>(declared.Where(d => d.Quorum).Select(d => d.Queue));
        return consumers
            .Select(c => c.Queue.IsDeadLetterQueue || deadLetterQueues.Contains(c.Queue.Name) ? AsDeadLetterConsumer(c) : c)
            .Select(c => quorumDeadLetterQueues.Contains(c.Queue.Name) ? AsQuorumDeadLetterQueue(c) : c)
            .ToList();
    }

    /// <summary>
    /// The dead-letter queues the consumers' topology declares (<see cref="TopologyPlan"/>), each once: a quorum queue
    /// when any work queue dead-lettering to it is a quorum queue or a stream (replicated like the queue whose failures
    /// it keeps), else a classic queue.
    /// </summary>
    public static List<DeadLetterQueueModel> DeadLetterQueues(IEnumerable<ConsumerModel> consumers) =>
        consumers
            .SelectMany(c => new[] { c.Queue.DeadLetter }.Concat(c.Handlers.Select(h => h.RetryOverride)).Where(d => d is not null).Select(d => new DeadLetterQueueModel(d!.Queue, IsReplicated(c.Queue))))
            .GroupBy(d => d.Queue)
            .Select(g => new DeadLetterQueueModel(g.Key, g.Any(d => d.Quorum)))
            .OrderBy(d => d.Queue, System.StringComparer.Ordinal)
            .ToList();

    /// <summary>A quorum queue or a stream: its dead-letter and retry queues are quorum queues.</summary>
    public static bool IsReplicated(QueueModel queue) =>
        queue.StreamStart is not null || queue.Arguments.Any(a => a.Name == "x-queue-type" && a.JsonValue is "\"quorum\"" or "\"stream\"");

    /// <summary>
    /// A quorum dead-letter queue (see <see cref="DeadLetterQueues"/>): a class consuming it declares it so too when it
    /// names no queue type, as the work queue's service declares it; otherwise the consumer's own declaration would win
    /// here as a classic queue and differ from the work queue service's (406 PRECONDITION_FAILED for whichever declares
    /// second). Options a quorum queue refuses (WRN016 when written with <c>Type = QueueType.Quorum</c>) keep the
    /// declaration as written.
    /// </summary>
    private static ConsumerModel AsQuorumDeadLetterQueue(ConsumerModel consumer)
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
