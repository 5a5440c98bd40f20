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

/// <summary>
/// Topic matching of a delivery of a foreign type against a handler's binding (<see cref="RoutingBinding"/>, the
/// runtime dispatcher's matcher), for ordinary patterns, beside the backtracking matcher it replaced (kept here only as
/// the baseline of this comparison).
/// </summary>
[MemoryDiagnoser]
public class TopicMatchBenchmarks
{
    private readonly RoutingBinding _star = RoutingBinding.Topic("orders", "order.*.placed");
    private readonly RoutingBinding _middleHash = RoutingBinding.Topic("orders", "order.#.placed");
    private readonly RoutingBinding _trailingHash = RoutingBinding.Topic("orders", "order.#");
    private readonly string[] _starWords = "order.*.placed".Split('.');
    private readonly string[] _middleHashWords = "order.#.placed".Split('.');
    private readonly string[] _trailingHashWords = "order.#".Split('.');

    [Params("order.eu.placed", "order.eu.west.1.placed", "invoice.eu.sent")]
    public string Key { get; set; } = string.Empty;

    [Benchmark(Baseline = true)]
    public int Backtracking() =>
        (Matches(_starWords, "orders", Key) ? 1 : 0) + (Matches(_middleHashWords, "orders", Key) ? 2 : 0) + (Matches(_trailingHashWords, "orders", Key) ? 4 : 0);

    [Benchmark]
    public int RoutingBindings() =>
        (_star.Matches("orders", Key) ? 1 : 0) + (_middleHash.Matches("orders", Key) ? 2 : 0) + (_trailingHash.Matches("orders", Key) ? 4 : 0);

    /// <summary>What <see cref="RoutingBinding.Matches"/> did before, on a binding to exchange <c>orders</c>.</summary>
    private static bool Matches(string[] words, string exchange, string key) =>
        string.Equals(exchange, "orders", System.StringComparison.Ordinal) && Backtrack(words, 0, key, RoutingKeys.Start(key));

    /// <summary>The matcher <see cref="RoutingBinding"/> had before: exponential with several '#'.</summary>
    private static bool Backtrack(string[] words, int from, string key, int position)
    {
        for (var i = from; i < words.Length; i++)
        {
            var word = words[i];
            if (word == "#")
            {
                if (i == words.Length - 1)
                {
                    return true;
                }

                while (true)
                {
                    if (Backtrack(words, i + 1, key, position))
                    {
                        return true;
                    }

                    if (!RoutingKeys.AnyWord(key, ref position))
                    {
                        return false;
                    }
                }
            }

            if (!(word == "*" ? RoutingKeys.AnyWord(key, ref position) : RoutingKeys.Word(key, ref position, word)))
            {
                return false;
            }
        }

        return RoutingKeys.AtEnd(position);
    }

    private static bool IsHash(string word) => word.Length == 1 && word[0] == '#';

    private static bool IsStar(string word) => word.Length == 1 && word[0] == '*';
}
