using System;
using RabbitMQ.Client;

namespace Warren;

/// <summary>
/// Where a stream consumer starts reading (the <c>x-stream-offset</c> argument of <c>basic.consume</c>): the first message
/// the stream still holds, the last chunk, the next message published, an exact offset, or the first message published
/// at or after a point in time (the broker has a precision of one second and starts at the beginning of the chunk
/// holding it, so a few earlier messages may come too).
/// </summary>
public readonly record struct StreamOffset
{
    private readonly string? _keyword;
    private readonly long _offset;
    private readonly DateTimeOffset? _timestamp;

    private StreamOffset(string? keyword, long offset, DateTimeOffset? timestamp)
    {
        _keyword = keyword;
        _offset = offset;
        _timestamp = timestamp;
    }

    /// <summary>The first message the stream still holds (a replay of everything retained).</summary>
    public static StreamOffset First { get; } = new("first", 0, null);

    /// <summary>The last chunk of messages written (a few of the most recent messages, then everything new).</summary>
    public static StreamOffset Last { get; } = new("last", 0, null);

    /// <summary>Only messages published after the subscription (the broker's default).</summary>
    public static StreamOffset Next { get; } = new("next", 0, null);

    /// <summary>The message at <paramref name="offset"/> (0-based position in the stream) and everything after it.</summary>
    public static StreamOffset At(long offset)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        return new StreamOffset(null, offset, null);
    }

    /// <summary>Messages published at or after <paramref name="timestamp"/> (one-second precision).</summary>
    public static StreamOffset After(DateTimeOffset timestamp) => new(null, 0, timestamp);

    /// <summary>The <c>x-stream-offset</c> value: <c>"first"</c>, <c>"last"</c>, <c>"next"</c>, a 64-bit offset or an AMQP timestamp.</summary>
    internal object ToArgument() =>
        _keyword is { } keyword ? keyword
        : _timestamp is { } timestamp ? new AmqpTimestamp(Math.Max(0, timestamp.ToUnixTimeSeconds()))
        : _offset;

    /// <inheritdoc />
    public override string ToString() =>
        _keyword ?? (_timestamp is { } timestamp ? "timestamp " + timestamp.ToString("O", System.Globalization.CultureInfo.InvariantCulture) : "offset " + _offset.ToString(System.Globalization.CultureInfo.InvariantCulture));
}

/// <summary>How a consumer reads a stream queue (<c>x-queue-type: stream</c>).</summary>
/// <param name="Start">
/// Where it starts when there is no stored offset (or <paramref name="StoreOffsets"/> is false). A subscription the
/// consumer re-creates after a channel loss resumes after the last message it settled, whatever this says.
/// </param>
/// <param name="StoreOffsets">
/// Read the offset to resume from from the registered <see cref="IStreamOffsetStore"/> at start-up, and save the offset of
/// the last message handled to it while consuming and at a graceful stop.
/// </param>
public sealed record StreamConsumer(StreamOffset Start, bool StoreOffsets = false)
{
    /// <summary>The header carrying each delivery's offset in the stream.</summary>
    public const string OffsetHeader = "x-stream-offset";
}
