using System;

namespace Warren;

/// <summary>Where a stream consumer starts reading.</summary>
public enum StreamFrom
{
    /// <summary>Only messages published after the consumer subscribed (the broker's default).</summary>
    Next,

    /// <summary>The first message the stream still holds: a replay of everything retained.</summary>
    First,

    /// <summary>The last chunk written: a few of the most recent messages, then everything new.</summary>
    Last,
}

/// <summary>
/// On a consumer of a stream queue (<c>[Queue(Type = QueueType.Stream)]</c>): where it starts reading. Give one of
/// <see cref="StreamFrom"/>, or an exact <see cref="Offset"/>, or a <see cref="Timestamp"/>; with
/// <see cref="StoredOffset"/> the consumer resumes after the offset kept by the application's
/// <see cref="IStreamOffsetStore"/>, and starts as this attribute says only when none is stored yet.
/// Without the attribute a stream consumer starts at <see cref="StreamFrom.Next"/>.
/// </summary>
/// <example><c>[ConsumeFrom(StreamFrom.First)]</c> replays the stream from its start on every start-up.</example>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class ConsumeFromAttribute : Attribute
{
    /// <summary>Starts at <paramref name="from"/>.</summary>
    public ConsumeFromAttribute(StreamFrom from = StreamFrom.Next)
    {
        From = from;
    }

    /// <summary>First, last or next, when neither <see cref="Offset"/> nor <see cref="Timestamp"/> is given.</summary>
    public StreamFrom From { get; }

    /// <summary>An exact offset to start at (0 is the stream's first message ever written); -1 (the default) for none.</summary>
    public long Offset { get; set; } = -1;

    /// <summary>Start at the messages published at or after this point in time, in ISO 8601 with an offset (<c>"2025-01-31T00:00:00Z"</c>); one-second precision.</summary>
    public string? Timestamp { get; set; }

    /// <summary>Resume after the offset stored in the registered <see cref="IStreamOffsetStore"/>, and save it while consuming.</summary>
    public bool StoredOffset { get; set; }
}
