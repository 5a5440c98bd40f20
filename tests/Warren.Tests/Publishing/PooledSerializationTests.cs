using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Threading.Tasks;
using CsCheck;
using Xunit;

namespace Warren.Tests.Publishing;

/// <summary>A message of any size, with text that JSON escapes (quotes, control characters, non-ASCII).</summary>
public sealed record SerializedProbe(long Id, string Text, int[] Numbers);

[JsonSerializable(typeof(SerializedProbe))]
internal sealed partial class SerializedProbeJson : JsonSerializerContext;

/// <summary>
/// A publish's body is serialized into a scratch buffer and JSON writer kept per thread and reused by the next body:
/// whatever came before (a larger body, a body over the size limit that threw, a body too large for the scratch buffer
/// to be kept), each body is exactly what System.Text.Json writes for that message alone.
/// </summary>
public sealed class PooledSerializationTests
{
    private static readonly Gen<string> Text = Gen.OneOf(
        Gen.String[Gen.Char.AlphaNumeric, 0, 40],
        Gen.String[Gen.Char, 0, 300],
        Gen.Int[0, 100_000].Select(n => new string('"', n % 7) + new string('é', n % 13) + new string('x', n)));

    private static readonly Gen<SerializedProbe> Message =
        Gen.Select(Gen.Long, Text, Gen.Int.Array[0, 50], (id, text, numbers) => new SerializedProbe(id, text, numbers));

    [Fact]
    public void Each_body_is_the_message_alone_whatever_was_serialized_before()
    {
        // A run of messages in a row on one thread, some over a size limit chosen per case: a body that fails the limit
        // must leave nothing behind either.
        Property.ForAll(Gen.Select(Message, Gen.Int[0, 100_000]).Array[1, 12], 150, sequence =>
        {
            foreach (var (message, limit) in sequence)
            {
                var expected = JsonSerializer.SerializeToUtf8Bytes(message, SerializedProbeJson.Default.SerializedProbe);
                if (expected.Length > limit)
                {
                    var error = Assert.Throws<WarrenPublishException>(() => MessagePublisher.Serialize(message, SerializedProbeJson.Default.SerializedProbe, "x", "k", limit));
                    Assert.Contains($"is {expected.Length} bytes", error.Message, StringComparison.Ordinal);
                    continue;
                }

                using var body = MessagePublisher.Serialize(message, SerializedProbeJson.Default.SerializedProbe, "x", "k", limit);
                Assert.Equal(expected, body.WrittenMemory.ToArray());
            }
        }, sequence => string.Join("; ", sequence.Select(s => $"id {s.Item1.Id}, text of {s.Item1.Text.Length} chars, {s.Item1.Numbers.Length} numbers, limit {s.Item2}")));
        Assert.Equal(150, Property.LastCount);
    }

    [Fact]
    public async Task Bodies_held_at_once_and_made_on_many_threads_do_not_share_bytes()
    {
        var messages = Message.Array[200].Single(_ => true, Property.Seed);
        var expected = messages.Select(m => JsonSerializer.SerializeToUtf8Bytes(m, SerializedProbeJson.Default.SerializedProbe)).ToArray();
        var results = await Task.WhenAll(Enumerable.Range(0, 4).Select(worker => Task.Run(() =>
        {
            // Every body of this worker is kept until the end: none may be overwritten by a later one.
            var bodies = new List<PooledBody>();
            try
            {
                for (var i = worker; i < messages.Length; i += 4)
                {
                    bodies.Add(MessagePublisher.Serialize(messages[i], SerializedProbeJson.Default.SerializedProbe, "x", "k", int.MaxValue));
                }

                return bodies.Select(b => b.WrittenMemory.ToArray()).ToArray();
            }
            finally
            {
                bodies.ForEach(b => b.Dispose());
            }
        })));

        for (var worker = 0; worker < 4; worker++)
        {
            for (int i = worker, j = 0; i < messages.Length; i += 4, j++)
            {
                Assert.Equal(expected[i], results[worker][j]);
            }
        }
    }
}
