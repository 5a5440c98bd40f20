using System;
using System.Text.Json.Serialization;

namespace Warren.Benchmarks;

/// <summary>The message both sides send: an id and a text padded so the JSON body is about the requested size.</summary>
public sealed record Payload(long Id, string Data)
{
    public static Payload Create(long id, int size) => new(id, new string('x', Math.Max(1, size - 24)));
}

[JsonSerializable(typeof(Payload))]
internal sealed partial class BenchJson : JsonSerializerContext;
