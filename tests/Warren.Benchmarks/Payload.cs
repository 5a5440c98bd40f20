using System;
using System.Text.Json.Serialization;
using Warren.Benchmarks.Compare;

namespace Warren.Benchmarks;

/// <summary>The message both sides send: an id and a text padded so the JSON body is about the requested size.</summary>
[Message("bench.payload")]
public sealed record Payload(long Id, string Data)
{
    public static Payload Create(long id, int size) => new(id, new string('x', Math.Max(1, size - 24)));
}

/// <summary>
/// Warren's consumer in the scenarios, as an application writes it: a handler class whose dispatcher the generator
/// has the registration create (the scenarios register the class as a singleton and create the same dispatcher on
/// their own queue).
/// </summary>
[Queue("bench.payload")]
public sealed class PayloadHandler(RunCounter counter)
{
    public void Handle(Payload payload) => counter.Hit(payload.Id);
}

[JsonSerializable(typeof(Payload))]
internal sealed partial class BenchJson : JsonSerializerContext;
