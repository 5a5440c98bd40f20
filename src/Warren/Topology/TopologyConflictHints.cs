using System;
using System.Text.RegularExpressions;

namespace Warren;

/// <summary>
/// The Warren option behind an argument the broker names when it refuses a declaration
/// (<c>PRECONDITION_FAILED - inequivalent arg 'durable' for exchange 'hello.dlx' …</c>): the error then says what to change.
/// </summary>
internal static partial class TopologyConflictHints
{
    /// <summary>The broker's refusal with the option to change appended, when the argument maps to one; else as it is.</summary>
    public static string Describe(string refusal)
    {
        var hint = Hint(refusal);
        return hint is null ? refusal : refusal + ". " + hint;
    }

    /// <summary>What to change for the argument the refusal names, or null.</summary>
    public static string? Hint(string refusal)
    {
        var match = InequivalentArgument().Match(refusal ?? string.Empty);
        if (!match.Success)
        {
            return null;
        }

        var argument = match.Groups["arg"].Value;
        var exchange = match.Groups["kind"].Value == "exchange";
        var option = exchange ? null : FailurePolicyQueueOption(argument, match.Groups["name"].Value);
        option ??= argument switch
        {
            "durable" when exchange => "Durable ([Exchange(Durable = …)], ExchangeDeclaration.Durable)",
            "durable" => "Durable ([Queue(Durable = …)], QueueDeclaration.Durable)",
            "auto_delete" when exchange => "AutoDelete ([Exchange(AutoDelete = …)], ExchangeDeclaration.AutoDelete)",
            "auto_delete" => "AutoDelete ([Queue(AutoDelete = …)], QueueDeclaration.AutoDelete)",
            "exclusive" => "Exclusive ([Queue(Exclusive = …)], QueueDeclaration.Exclusive)",
            "type" when exchange => "the exchange kind ([Exchange(name, ExchangeKind.…)], ExchangeDeclaration.Type)",
            "x-dead-letter-exchange" or "x-dead-letter-routing-key" =>
                "DeadLetterArguments ([Queue(DeadLetterArguments = false)] declares the queue without them and Warren still dead-letters and retries), or [DeadLetter(Exchange = …)]",
            "x-queue-type" => "Type ([Queue(Type = QueueType.…)])",
            "x-message-ttl" => "MessageTtl ([Queue(MessageTtl = …)])",
            "x-max-length" => "MaxLength ([Queue(MaxLength = …)])",
            "x-max-length-bytes" => "MaxLengthBytes ([Queue(MaxLengthBytes = …)])",
            "x-overflow" => "Overflow ([Queue(Overflow = …)])",
            "x-delivery-limit" => "DeliveryLimit ([Queue(DeliveryLimit = …)])",
            "x-single-active-consumer" => "SingleActiveConsumer ([Queue(SingleActiveConsumer = …)])",
            "x-max-priority" => "[Priority(Max = …)] on the consumer class",
            "x-max-age" => "MaxAge ([Queue(MaxAge = …)])",
            "x-stream-max-segment-size-bytes" => "MaxSegmentSizeBytes ([Queue(MaxSegmentSizeBytes = …)])",
            _ => null,
        };
        return option is null
            ? null
            : $"Declare '{argument}' as the existing {match.Groups["kind"].Value} has it (Warren option: {option}), or delete the {match.Groups["kind"].Value} so it is declared anew";
    }

    /// <summary>
    /// The option behind an argument of a queue a failure policy declares, which no <c>[Queue]</c> setting of its own
    /// gives: a retry queue (<c>{queue}.retry.{n}</c>) takes its TTL from <c>[DeadLetter(RetryDelays)]</c>, dead-letters
    /// back to its work queue and has the work queue's type; a dead-letter queue (<c>{queue}.dlq</c>) has the work
    /// queue's type. Null for any other queue or argument.
    /// </summary>
    private static string? FailurePolicyQueueOption(string argument, string queue)
    {
        var retry = RetryQueue().IsMatch(queue);
        if (!retry && !queue.EndsWith(".dlq", StringComparison.Ordinal))
        {
            return null;
        }

        return argument switch
        {
            "x-message-ttl" when retry =>
                "RetryDelays ([DeadLetter(RetryDelays = …)] of the consumer of the work queue: the n-th delay is the TTL of retry queue n, the last repeating; every service consuming the queue must give the same delays)",
            "x-dead-letter-exchange" or "x-dead-letter-routing-key" when retry =>
                "the work queue the retry queue returns messages to (the consumer's [Queue] name, or [DeadLetter] settings naming the retry queues)",
            "x-queue-type" => "Type ([Queue(Type = QueueType.…)] of the work queue, whose retry and dead-letter queues have its type)",
            _ => null,
        };
    }

    [GeneratedRegex(@"\.retry\.[0-9]+$", RegexOptions.CultureInvariant)]
    private static partial Regex RetryQueue();

    [GeneratedRegex(@"inequivalent arg '(?<arg>[^']+)' for (?<kind>exchange|queue) (?:'(?<name>[^']*)')?", RegexOptions.CultureInvariant)]
    private static partial Regex InequivalentArgument();
}
