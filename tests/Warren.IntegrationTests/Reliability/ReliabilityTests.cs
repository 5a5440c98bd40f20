using System;
using System.Linq;
using System.Text;
using System.Threading.Tasks;
using RabbitMQ.Client;
using Warren.IntegrationTests.Generated;
using Warren.IntegrationTests.Runtime;
using Xunit;

namespace Warren.IntegrationTests.Reliability;

/// <summary>Retries, dead-lettering and poison messages, counted on the real broker.</summary>
[Collection(BrokerCollection.Name)]
public sealed class ReliabilityTests(BrokerFixture broker)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task A_handler_failing_twice_then_succeeding_is_retried_through_the_retry_queues_and_acked()
    {
        var attempts = new Attempts();
        await using var app = await StartAsync(attempts);
        var id = Names.Unique("twice");

        await app.Publisher.PublishAsync(new Flaky(id, FailTimes: 2));
        await Broker.WaitUntilAsync(() => attempts.Of(id).Length == 3, Wait, "three attempts");
        await Task.Delay(700); // a fourth attempt or a dead-lettered copy would show up now

        var seen = attempts.Of(id);
        Assert.Equal([0, 1, 2], seen.Select(a => a.RetryCount));
        Assert.Contains("rel.flaky.retry.1:expired", seen[1].DeathQueues);
        Assert.Contains("rel.flaky.retry.2:expired", seen[2].DeathQueues);
        await using var connection = await broker.ConnectAsync();
        Assert.Equal(0u, await Broker.ReadyCountAsync(connection, "rel.flaky"));
        Assert.Equal(0u, await Broker.ReadyCountAsync(connection, "rel.flaky.dlq"));
    }

    [Fact]
    public async Task A_handler_always_failing_ends_in_the_dead_letter_queue_with_the_reason()
    {
        var attempts = new Attempts();
        await using var app = await StartAsync(attempts);
        var id = Names.Unique("always");

        await app.Publisher.PublishAsync(new Flaky(id, FailTimes: 99));
        var dead = await TakeDeadLetterAsync("rel.flaky.dlq", id);

        Assert.Equal(4, attempts.Of(id).Length); // the first attempt and three retries
        Assert.Equal("Gave up after 3 retries: System.InvalidOperationException: attempt 4 of " + id + " fails", Header(dead, DeadLetterHeaders.Reason));
        Assert.Equal("System.InvalidOperationException", Header(dead, DeadLetterHeaders.ExceptionType));
        Assert.Equal("rel.work", Header(dead, DeadLetterHeaders.OriginalExchange));
        Assert.Equal("flaky", Header(dead, DeadLetterHeaders.OriginalRoutingKey));
        Assert.Equal("rel.flaky", Header(dead, DeadLetterHeaders.Queue));
        Assert.NotNull(Header(dead, DeadLetterHeaders.FailedAt));
        Assert.Equal("flaky", dead.BasicProperties.Type);
    }

    [Fact]
    public async Task A_handler_with_its_own_policy_overrides_the_queue_policy()
    {
        var attempts = new Attempts();
        await using var app = await StartAsync(attempts);
        var id = Names.Unique("fragile");

        await app.Publisher.PublishAsync(new Fragile(id));
        var dead = await TakeDeadLetterAsync("rel.flaky.dlq", id);

        var seen = attempts.Of(id);
        Assert.Equal([0, 1], seen.Select(a => a.RetryCount));
        Assert.Contains("rel.flaky.rel.fragile.retry.1:expired", seen[1].DeathQueues);
        Assert.StartsWith("Gave up after 1 retries", Header(dead, DeadLetterHeaders.Reason), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_non_retryable_exception_is_dead_lettered_at_once()
    {
        var attempts = new Attempts();
        await using var app = await StartAsync(attempts);
        var id = Names.Unique("never");

        await app.Publisher.PublishAsync(new Flaky(id, FailTimes: 0, NotRetryable: true));
        var dead = await TakeDeadLetterAsync("rel.flaky.dlq", id);

        Assert.Single(attempts.Of(id));
        Assert.Equal("System.ArgumentException", Header(dead, DeadLetterHeaders.ExceptionType));
    }

    [Theory]
    [InlineData("malformed", "flaky", "{ this is not json", "not valid JSON for Flaky", "rel.work", "flaky")]
    // A foreign type through a binding goes by routing key; straight to the queue nothing selects a handler.
    [InlineData("unknown-type", "rel.no-such-type", "{}", "has no handler for message type 'rel.no-such-type'", "", "rel.flaky")]
    public async Task Poison_messages_go_to_the_dead_letter_queue_after_one_delivery(string id, string type, string body, string reason, string exchange, string key)
    {
        var attempts = new Attempts();
        await using var app = await StartAsync(attempts);
        await using var connection = await broker.ConnectAsync();
        await using (var channel = await connection.CreateChannelAsync())
        {
            await channel.BasicPublishAsync(exchange, key, mandatory: true, new BasicProperties { Type = type, MessageId = id }, Encoding.UTF8.GetBytes(body));
        }

        var dead = await TakeDeadLetterAsync("rel.flaky.dlq", id, byMessageId: true);

        Assert.Contains(reason, Header(dead, DeadLetterHeaders.Reason), StringComparison.Ordinal);
        Assert.Equal(body, Encoding.UTF8.GetString(dead.Body.Span));
        Assert.Equal(0, (int)AmqpHeaders.ReadLong(dead.BasicProperties.Headers, RetryPolicy.RetriesHeader));
        Assert.Empty(attempts.Of(id));
    }

    [Fact]
    public async Task An_oversize_message_is_dead_lettered_without_retries()
    {
        var attempts = new Attempts();
        await using var app = await StartAsync(attempts, o => o.MaxMessageSize = 512);
        var id = Names.Unique("big");
        await using var connection = await broker.ConnectAsync();
        await using (var channel = await connection.CreateChannelAsync())
        {
            var body = Encoding.UTF8.GetBytes($$"""{"Id":"{{id}}","FailTimes":0,"Padding":"{{new string('x', 2000)}}"}""");
            await channel.BasicPublishAsync("rel.work", "flaky", mandatory: true, new BasicProperties { Type = "flaky", MessageId = id }, body);
        }

        var dead = await TakeDeadLetterAsync("rel.flaky.dlq", id, byMessageId: true);

        Assert.Contains("over Warren:MaxMessageSize (512)", Header(dead, DeadLetterHeaders.Reason), StringComparison.Ordinal);
        Assert.Empty(attempts.Of(id));
    }

    [Fact]
    public async Task A_handler_timeout_cancels_the_handler_and_follows_the_retry_policy()
    {
        var attempts = new Attempts();
        await using var app = await StartAsync(attempts);
        var id = Names.Unique("slow");

        await app.Publisher.PublishAsync(new Slow(id));
        var dead = await TakeDeadLetterAsync("rel.slow.dlq", id);

        Assert.Equal(2, attempts.Of(id).Length); // the first attempt and one retry
        Assert.Equal(2, attempts.CancellationsOf(id));
        Assert.Equal("System.TimeoutException", Header(dead, DeadLetterHeaders.ExceptionType));
        Assert.Contains("did not finish within", Header(dead, DeadLetterHeaders.Reason), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Immediate_retries_happen_in_process_before_any_delayed_retry()
    {
        var attempts = new Attempts();
        await using var app = await StartAsync(attempts);
        var id = Names.Unique("eager");

        await app.Publisher.PublishAsync(new Eager(id, FailTimes: 2));
        await Broker.WaitUntilAsync(() => attempts.SuccessesOf(id) == 1, Wait, "the third, successful attempt");

        Assert.Equal([0, 0, 0], attempts.Of(id).Select(a => a.RetryCount));
        Assert.All(attempts.Of(id), a => Assert.Empty(a.DeathQueues));
    }

    private Task<TestApp> StartAsync(Attempts attempts, Action<WarrenOptions>? options = null) =>
        GeneratedHost.StartAsync(broker.AmqpUrl, attempts: attempts, options: options);

    private async Task<BasicGetResult> TakeDeadLetterAsync(string queue, string id, bool byMessageId = false)
    {
        await using var connection = await broker.ConnectAsync();
        await using var channel = await connection.CreateChannelAsync();
        var deadline = DateTime.UtcNow + Wait;
        while (DateTime.UtcNow < deadline)
        {
            var message = await channel.BasicGetAsync(queue, autoAck: false);
            if (message is null)
            {
                await Task.Delay(20);
                continue;
            }

            var matches = byMessageId ? message.BasicProperties.MessageId == id : Encoding.UTF8.GetString(message.Body.Span).Contains(id, StringComparison.Ordinal);
            if (matches)
            {
                await channel.BasicAckAsync(message.DeliveryTag, false);
                return message;
            }

            await channel.BasicNackAsync(message.DeliveryTag, false, requeue: true);
        }

        throw new TimeoutException($"{id} did not reach {queue} within {Wait}.");
    }

    private static string? Header(BasicGetResult message, string name) =>
        message.BasicProperties.Headers is { } headers && headers.TryGetValue(name, out var value) ? AmqpHeaders.AsText(value) : null;
}
