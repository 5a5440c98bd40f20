using System.Collections;
using System.Collections.Generic;

namespace Warren;

/// <summary>
/// The logging scope around the handling of one delivery: every log line written while it is handled — Warren's and
/// the handler's own, through any <c>ILogger</c> of the application — carries the message id, its contract (the AMQP
/// <c>type</c>), the queue and the correlation id.
/// </summary>
internal sealed class MessageLogScope(string? messageId, string? contract, string queue, string? correlationId) : IReadOnlyList<KeyValuePair<string, object?>>
{
    public const string MessageIdKey = "MessageId";
    public const string ContractKey = "MessageContract";
    public const string QueueKey = "Queue";
    public const string CorrelationIdKey = "CorrelationId";

    public int Count => 4;

    public KeyValuePair<string, object?> this[int index] => index switch
    {
        0 => new(MessageIdKey, messageId),
        1 => new(ContractKey, contract),
        2 => new(QueueKey, queue),
        3 => new(CorrelationIdKey, correlationId),
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

    public override string ToString() => $"MessageId:{messageId} MessageContract:{contract} Queue:{queue} CorrelationId:{correlationId}";
}
