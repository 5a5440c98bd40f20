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
}
