using System;
using System.Text.Json.Serialization;

namespace Warren.IntegrationTests.Generated;

// A stream consumer written only with attributes, with the default failure policy: immediate handling, then a copy to
// its dead-letter queue; no delayed retries, so no retry queues.

[Exchange("gen.stream-notes", ExchangeKind.Direct)]
[Topic("note")]
public sealed record StreamNote(string Id, bool Poison = false);

[JsonSerializable(typeof(StreamNote))]
internal sealed partial class StreamAppJson : JsonSerializerContext;

[Queue("gen.stream", Type = QueueType.Stream, Prefetch = 20)]
public sealed class StreamNoteReader(Recorder recorder)
{
    public void Handle(StreamNote note, MessageContext context)
    {
        if (note.Poison)
        {
            throw new InvalidOperationException("a poison note");
        }

        recorder.Add("stream", note.Id, context);
    }
}
