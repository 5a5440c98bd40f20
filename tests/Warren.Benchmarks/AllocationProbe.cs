using System;
using System.Collections.Concurrent;
using System.Diagnostics.Tracing;
using System.Linq;

namespace Warren.Benchmarks;

/// <summary>
/// With WARREN_BENCH_ALLOC_TYPES set, the <c>otel</c> scenario samples the runtime's allocation events (GCAllocationTick:
/// one per ~100 KB allocated, with the type of the object that crossed the threshold) by run and prints the bytes per
/// message of each type before its summary: a statistical breakdown of the bytes per message, good to a few tens of bytes
/// over tens of thousands of messages.
/// </summary>
internal sealed class AllocationProbe : EventListener
{
    public static readonly AllocationProbe? Instance = Environment.GetEnvironmentVariable("WARREN_BENCH_ALLOC_TYPES") is { Length: > 0 } ? new AllocationProbe() : null;

    private readonly ConcurrentDictionary<(string Mode, string Type), long> _bytes = new();
    private readonly ConcurrentDictionary<string, long> _messages = new();

    public static volatile string Mode = "setup";

    public static void Count(string mode, int messages) => Instance?._messages.AddOrUpdate(mode, messages, (_, v) => v + messages);

    protected override void OnEventSourceCreated(EventSource source)
    {
        if (source.Name == "Microsoft-Windows-DotNETRuntime")
        {
            EnableEvents(source, EventLevel.Verbose, (EventKeywords)0x1);
        }
    }

    protected override void OnEventWritten(EventWrittenEventArgs e)
    {
        if (e.EventName is null || !e.EventName.StartsWith("GCAllocationTick", StringComparison.Ordinal) || e.PayloadNames is null || e.Payload is null)
        {
            return;
        }

        var typeIndex = e.PayloadNames.IndexOf("TypeName");
        var amountIndex = e.PayloadNames.IndexOf("AllocationAmount64");
        if (typeIndex < 0 || amountIndex < 0)
        {
            return;
        }

        var type = e.Payload[typeIndex] as string ?? "?";
        var amount = Convert.ToInt64(e.Payload[amountIndex]);
        _bytes.AddOrUpdate((Mode, type), amount, (_, v) => v + amount);
    }

    public static void Print()
    {
        if (Instance is null)
        {
            return;
        }

        foreach (var mode in Instance._messages.Keys.Order())
        {
            var messages = Instance._messages[mode];
            Console.WriteLine($"-- allocation ticks, {mode}, {messages} messages: B/msg by type");
            foreach (var ((_, type), bytes) in Instance._bytes.Where(p => p.Key.Mode == mode).OrderByDescending(p => p.Value).Take(30))
            {
                Console.WriteLine($"   {bytes / (double)messages,8:F1}  {type}");
            }
        }
    }
}
