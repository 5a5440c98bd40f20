using Xunit;

namespace Warren.Tests;

/// <summary>A declaration the broker refuses names the Warren option to change, where the argument maps to one.</summary>
public sealed class TopologyConflictHintsTests
{
    [Theory]
    [InlineData("406 PRECONDITION_FAILED - inequivalent arg 'durable' for exchange 'hello.dlx' in vhost '/': received 'false' but current is 'true'", "Durable ([Exchange(Durable = …)], ExchangeDeclaration.Durable)")]
    [InlineData("406 PRECONDITION_FAILED - inequivalent arg 'durable' for queue 'hello' in vhost '/': received 'true' but current is 'false'", "Durable ([Queue(Durable = …)], QueueDeclaration.Durable)")]
    [InlineData("406 PRECONDITION_FAILED - inequivalent arg 'x-dead-letter-exchange' for queue 'hello' in vhost '/': received the value 'hello.dlx' of type 'longstr' but current is none", "DeadLetterArguments ([Queue(DeadLetterArguments = false)]")]
    [InlineData("406 PRECONDITION_FAILED - inequivalent arg 'x-queue-type' for queue 'orders' in vhost '/': received the value 'quorum' of type 'longstr' but current is none", "Type ([Queue(Type = QueueType.…)])")]
    [InlineData("406 PRECONDITION_FAILED - inequivalent arg 'x-max-priority' for queue 'jobs' in vhost '/': received the value '5' of type 'signedint' but current is none", "[Priority(Max = …)]")]
    [InlineData("406 PRECONDITION_FAILED - inequivalent arg 'type' for exchange 'logs' in vhost '/': received 'topic' but current is 'fanout'", "the exchange kind ([Exchange(name, ExchangeKind.…)]")]
    public void The_refusal_names_the_option_behind_the_argument(string refusal, string option)
    {
        var message = TopologyConflictHints.Describe("The broker refused the queue 'hello': " + refusal);

        Assert.StartsWith("The broker refused the queue 'hello': " + refusal, message, System.StringComparison.Ordinal);
        Assert.Contains("Warren option: " + option, message, System.StringComparison.Ordinal);
    }

    /// <summary>
    /// A retry queue's TTL comes from <c>[DeadLetter(RetryDelays)]</c>, not from a <c>[Queue(MessageTtl)]</c> of its own,
    /// and the queue types of retry and dead-letter queues follow their work queue: the hint names what to change.
    /// </summary>
    [Theory]
    [InlineData("inequivalent arg 'x-message-ttl' for queue 'orders.billing-results.retry.1' in vhost '/': received the value '5000' of type 'signedint' but current is the value '1000' of type 'long'", "RetryDelays ([DeadLetter(RetryDelays = …)]")]
    [InlineData("inequivalent arg 'x-message-ttl' for queue 'orders.billing-results.retry.12' in vhost '/': received the value '5000' of type 'signedint' but current is the value '1000' of type 'long'", "RetryDelays ([DeadLetter(RetryDelays = …)]")]
    [InlineData("inequivalent arg 'x-dead-letter-routing-key' for queue 'orders.retry.2' in vhost '/': received the value 'orders' of type 'longstr' but current is the value 'other' of type 'longstr'", "the work queue the retry queue returns messages to")]
    [InlineData("inequivalent arg 'x-queue-type' for queue 'orders.retry.1' in vhost '/': received the value 'quorum' of type 'longstr' but current is none", "Type ([Queue(Type = QueueType.…)] of the work queue, whose retry and dead-letter queues have its type)")]
    [InlineData("inequivalent arg 'x-queue-type' for queue 'orders.dlq' in vhost '/': received the value 'quorum' of type 'longstr' but current is none", "Type ([Queue(Type = QueueType.…)] of the work queue, whose retry and dead-letter queues have its type)")]
    public void A_failure_policy_queue_names_the_option_that_gives_its_argument(string refusal, string option)
    {
        var message = TopologyConflictHints.Describe("The broker refused the topology: 406 PRECONDITION_FAILED - " + refusal);

        Assert.Contains("Warren option: " + option, message, System.StringComparison.Ordinal);
        Assert.DoesNotContain("[Queue(MessageTtl", message, System.StringComparison.Ordinal);
    }

    /// <summary>A work queue's own TTL is still <c>[Queue(MessageTtl)]</c>, whatever its name ends with otherwise.</summary>
    [Fact]
    public void A_work_queue_ttl_still_names_message_ttl() =>
        Assert.Contains(
            "Warren option: MessageTtl ([Queue(MessageTtl = …)])",
            TopologyConflictHints.Describe("406 PRECONDITION_FAILED - inequivalent arg 'x-message-ttl' for queue 'orders.retry' in vhost '/': received the value '5000' of type 'signedint' but current is none"),
            System.StringComparison.Ordinal);

    [Theory]
    [InlineData("403 ACCESS_REFUSED - access to exchange 'x' in vhost '/' refused for user 'guest'")]
    [InlineData("406 PRECONDITION_FAILED - inequivalent arg 'x-unknown' for queue 'q' in vhost '/': received none but current is the value '1' of type 'long'")]
    public void A_refusal_without_a_matching_option_is_left_as_it_is(string refusal) =>
        Assert.Equal(refusal, TopologyConflictHints.Describe(refusal));
}
