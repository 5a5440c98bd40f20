using System.Collections;
using System.Collections.Generic;

namespace Warren;

/// <summary>
/// The logging scope around a batch handler: the queue, the number of messages in the batch and their contract (the
/// AMQP <c>type</c> of the delivery that opened the batch). No message id: a batch is many messages.
/// </summary>
internal sealed class BatchLogScope(string queue, int size, string? contract) : IReadOnlyList<KeyValuePair<string, object?>>
{
    public const string QueueKey = "Queue";
    public const string SizeKey = "BatchSize";
    public const string ContractKey = "MessageContract";

    public int Count => 3;

    public KeyValuePair<string, object?> this[int index] => index switch
    {
        0 => new(QueueKey, queue),
        1 => new(SizeKey, size),
        2 => new(ContractKey, contract),
        _ => throw new System.ArgumentOutOfRangeException(nameof(index)),
    };

    public IEnumerator<KeyValuePair<string, object?>> GetEnumerator()
    {
        for (var i = 0; i < Count; i++)
        {
            yield return this[i];
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public override string ToString() => $"Queue:{queue} BatchSize:{size} MessageContract:{contract}";
}
