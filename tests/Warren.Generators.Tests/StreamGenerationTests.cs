using System.Linq;
using Warren.Generators.Tests.Infrastructure;
using Xunit;

namespace Warren.Generators.Tests;

public sealed class StreamGenerationTests
{
    [Fact]
    public void A_stream_consumer_gets_stream_arguments_no_dead_letter_arguments_and_its_start()
    {
        var run = GeneratorHarness.Run("""
            using System.Text.Json.Serialization;
            using Warren;
            namespace App;
            public sealed record Reading(int N);
            [Queue("audit", Type = QueueType.Stream, MaxAge = "7D", MaxSegmentSizeBytes = 1000000, Prefetch = 50)]
            [ConsumeFrom(StreamFrom.First, StoredOffset = true)]
            [DeadLetter(MaxRetries = 0)]
            public sealed class Audit { public void Handle(Reading r) { } }
            [Queue("replay", Type = QueueType.Stream)]
            [ConsumeFrom(Timestamp = "2025-01-31T00:00:00Z")]
            public sealed class Replay { public void Handle(Reading r) { } }
            [JsonSerializable(typeof(Reading))]
            internal sealed partial class Json : JsonSerializerContext;
            """);
        var all = string.Join("\n", run.Sources.Values);

        Assert.Empty(run.CompileDiagnostics);
        Assert.Contains("Stream = new global::Warren.StreamConsumer(global::Warren.StreamOffset.First, StoreOffsets: true)", all);
        Assert.Contains("global::Warren.StreamOffset.After(global::System.DateTimeOffset.FromUnixTimeSeconds(1738281600L))", all);
        Assert.Contains("\"x-stream-max-segment-size-bytes\"", all);
        Assert.Contains("\"7D\"", all);
        var auditDeclaration = all.Split('\n').Where(l => l.Contains("\"audit\"", System.StringComparison.Ordinal) && l.Contains("x-dead-letter-exchange", System.StringComparison.Ordinal));
        Assert.Empty(auditDeclaration);
    }

    [Theory]
    [InlineData("")]
    [InlineData("[DeadLetter(ImmediateRetries = 2)]")]
    [InlineData("[DeadLetter(Queue = \"audit.failed\", MaxRetries = 2, RetryDelays = new[] { \"1s\", \"5s\" })]")]
    public void A_stream_declares_a_quorum_dead_letter_queue_and_no_retry_queues_and_its_policy_has_no_delayed_retries(string deadLetter)
    {
        var run = GeneratorHarness.Run($$"""
            using System.Text.Json.Serialization;
            using Warren;
            namespace App;
            public sealed record Reading(int N);
            [Queue("audit", Type = QueueType.Stream)]
            {{deadLetter}}
            public sealed class Audit
            {
                public void Handle(Reading r) { }
            }
            [Queue("work")]
            public sealed class Work { public void Handle(Reading r) { } }
            [JsonSerializable(typeof(Reading))]
            internal sealed partial class Json : JsonSerializerContext;
            """);
        var topology = GeneratedApp.Load(run).Topology;
        var deadLetterQueue = deadLetter.Contains("audit.failed", System.StringComparison.Ordinal) ? "audit.failed" : "audit.dlq";

        Assert.DoesNotContain(topology.Queues, q => q.Name.StartsWith("audit.", System.StringComparison.Ordinal) && q.Name.Contains(".retry.", System.StringComparison.Ordinal));
        var dlq = Assert.Single(topology.Queues, q => q.Name == deadLetterQueue);
        Assert.True(dlq.Durable);
        Assert.Equal("quorum", dlq.Arguments?["x-queue-type"]);

        // Other queues keep their classic dead-letter queue and their retry queues.
        Assert.True(topology.Queues.Single(q => q.Name == "work.dlq").Arguments is null or { Count: 0 });
        Assert.Equal(3, topology.Queues.Count(q => q.Name.StartsWith("work.retry.", System.StringComparison.Ordinal)));

        var registration = run.Sources["Warren.Registration.g.cs"];
        var policy = registration.Substring(registration.IndexOf("\"audit\"", System.StringComparison.Ordinal));
        policy = policy.Substring(0, policy.IndexOf("});", System.StringComparison.Ordinal));
        Assert.Contains("MaxRetries = 0,", policy, System.StringComparison.Ordinal);
        Assert.DoesNotContain("Delays =", policy, System.StringComparison.Ordinal);
    }

    /// <summary>
    /// A class consuming a stream's dead-letter queue in the same assembly declares that queue as the stream's service
    /// does, a quorum queue, unless it says otherwise or has options a quorum queue refuses.
    /// </summary>
    [Theory]
    [InlineData("[Queue(\"audit.dlq\")]", "quorum")]
    [InlineData("[Queue(\"audit.dlq\", Prefetch = 5)]", "quorum")]
    [InlineData("[Queue(\"audit.dlq\", Durable = false)]", null)]
    [InlineData("[Queue(\"audit.dlq\")] [Priority(Max = 5)]", null)]
    public void A_consumer_of_a_streams_dead_letter_queue_declares_it_as_a_quorum_queue(string queue, string? type)
    {
        var run = GeneratorHarness.Run($$"""
            using System.Text.Json.Serialization;
            using Warren;
            namespace App;
            public sealed record Reading(int N);
            [Queue("audit", Type = QueueType.Stream)]
            public sealed class Audit { public void Handle(Reading r) { } }
            {{queue}}
            public sealed class AuditFailures { public void Handle(Reading r) { } }
            [JsonSerializable(typeof(Reading))]
            internal sealed partial class Json : JsonSerializerContext;
            """);
        var topology = GeneratedApp.Load(run).Topology;

        var dlq = Assert.Single(topology.Queues, q => q.Name == "audit.dlq");
        Assert.Equal(type, dlq.Arguments is { } arguments && arguments.TryGetValue("x-queue-type", out var declared) ? (string?)declared : null);
        Assert.False(dlq.Arguments?.ContainsKey("x-dead-letter-exchange") ?? false);
    }
}
