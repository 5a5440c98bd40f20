using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json.Serialization;
using System.Threading;
using System.Threading.Tasks;

namespace Warren.IntegrationTests.Generated;

// A batch consumer written only with attributes: the generated dispatcher gathers deliveries through BatchDispatcher.

[Exchange("gen.readings", ExchangeKind.Direct)]
[Topic("reading")]
public sealed record SensorReading(string Id, bool Poison = false);

[JsonSerializable(typeof(SensorReading))]
internal sealed partial class BatchAppJson : JsonSerializerContext;

[Queue("gen.batch", Prefetch = 20)]
[DeadLetter]
public sealed class ReadingBatcher(BatchLog log)
{
    [Batch(Size = 10, Timeout = "5s")]
    public Task Handle(IReadOnlyList<SensorReading> readings, CancellationToken cancellationToken)
    {
        var poisoned = readings.Any(r => r.Poison);
        log.Calls.Enqueue((readings.Select(r => r.Id).ToArray(), !poisoned));
        return poisoned ? throw new InvalidOperationException("a poison reading") : Task.CompletedTask;
    }
}

/// <summary>Every call of the batch handler: the ids it received and whether it succeeded.</summary>
public sealed class BatchLog
{
    public ConcurrentQueue<(string[] Ids, bool Succeeded)> Calls { get; } = new();

    public string[] Handled => Calls.Where(c => c.Succeeded).SelectMany(c => c.Ids).ToArray();
}

[Exchange("gen.reminders", ExchangeKind.Direct)]
[Topic("reminder")]
public sealed record Reminder(string Id);

[JsonSerializable(typeof(Reminder))]
internal sealed partial class ReminderJson : JsonSerializerContext;

[Queue("gen.reminders")]
public sealed class ReminderConsumer(Recorder recorder)
{
    public void Handle(Reminder reminder, MessageContext context) => recorder.Add("reminder", reminder.Id, context);
}

/// <summary>A generated publisher whose methods delay: a TimeSpan is PublishOptions.Delay, a DateTimeOffset PublishOptions.DeliverAt.</summary>
[Publisher]
public partial interface IReminders
{
    ValueTask Later(Reminder reminder, TimeSpan delay, CancellationToken cancellationToken = default);

    Task At(Reminder reminder, DateTimeOffset deliverAt);
}
