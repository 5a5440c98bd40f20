using System.Collections.Generic;
using System.Text;
using BenchmarkDotNet.Attributes;

namespace Warren.Benchmarks;

/// <summary>In-process costs on the consume path that do not need a broker.</summary>
[MemoryDiagnoser]
public class HeaderParsingBenchmarks
{
    private readonly Dictionary<string, object?> _headers = new()
    {
        ["tenant"] = Encoding.UTF8.GetBytes("acme"),
        ["x-delivery-count"] = 2L,
        ["traceparent"] = Encoding.UTF8.GetBytes("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"),
    };

    [Benchmark]
    public long DeliveryCount() => AmqpHeaders.ReadLong(_headers, "x-delivery-count");

    [Benchmark]
    public int HeadersAsText() => AmqpHeaders.ToText(_headers).Count;
}
