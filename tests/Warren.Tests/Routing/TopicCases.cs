using System;
using System.Linq;
using System.Runtime.ExceptionServices;
using System.Threading;
using Xunit;

namespace Warren.Tests.Routing;

/// <summary>
/// What the tests of every topic matcher share (runtime binding, in-memory broker, generator rules, generated
/// dispatchers, broker oracle): a reference written the simplest way, the words of a key as RabbitMQ splits it, and
/// patterns with several <c>#</c> that a backtracking matcher takes exponential time over.
/// </summary>
internal static class TopicCases
{
    /// <summary>How long a matcher may take on <see cref="SeveralHashes"/> before it counts as hung.</summary>
    public static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    /// <summary>A key of 120 one-letter words (239 bytes; a routing key has at most 255).</summary>
    public static readonly string LongKey = string.Join(".", Enumerable.Repeat("a", 120));

    /// <summary>
    /// Patterns with several <c>#</c> against <see cref="LongKey"/> (or it and one more word), and whether they match:
    /// trying every split of the key between the <c>#</c>s takes exponential time.
    /// </summary>
    public static readonly (string Pattern, string Key, bool Matches)[] SeveralHashes =
    [
        ("#.#.#.#.#.#.#.#.z", LongKey, false),
        ("#.a.#.a.#.a.#.a.#.a.#.a.#.b", LongKey, false),
        ("#.*.#.*.#.*.#.*.#.*.#.*.#.z", LongKey, false),
        ("a.#.#.#.#.#.#.#.#.#.#.#.#.b.#", LongKey, false),
        ("#.a.#.a.#.a.#.a.#.a.#.a.#.a", LongKey, true),
        ("#.#.#.#.#.#.#.#.a", LongKey, true),
        ("#.a.#.*.#.a.#.*.#.a.#", LongKey, true),
        ("#.#.#.#.#.#.#.#.z", LongKey + ".z", true),
    ];

    /// <summary><see cref="SeveralHashes"/> as the data of a theory (<c>[MemberData(..., MemberType = typeof(TopicCases))]</c>).</summary>
    public static TheoryData<string, string, bool> SeveralHashesData()
    {
        var data = new TheoryData<string, string, bool>();
        foreach (var (pattern, key, matches) in SeveralHashes)
        {
            data.Add(pattern, key, matches);
        }

        return data;
    }

    /// <summary>The words of a key or pattern as RabbitMQ splits them: the empty key has none, "a." is "a" and "".</summary>
    public static string[] Words(string text) => text.Length == 0 ? [] : text.Split('.');

    /// <summary>The reference: recursion over word lists, straight from the definition (exponential; short inputs only).</summary>
    public static bool Reference(string pattern, string key) => Reference(Words(pattern), Words(key));

    private static bool Reference(ReadOnlySpan<string> pattern, ReadOnlySpan<string> key)
    {
        if (pattern.IsEmpty)
        {
            return key.IsEmpty;
        }

        if (pattern[0] == "#")
        {
            return Reference(pattern[1..], key) || (!key.IsEmpty && Reference(pattern, key[1..]));
        }

        return !key.IsEmpty && (pattern[0] == "*" || pattern[0] == key[0]) && Reference(pattern[1..], key[1..]);
    }

    /// <summary>The same recursion with each (pattern word, key word) pair decided once: for long keys.</summary>
    public static bool Memoized(string pattern, string key)
    {
        var p = Words(pattern);
        var k = Words(key);
        var known = new bool?[p.Length + 1, k.Length + 1];
        return Match(0, 0);

        bool Match(int i, int j)
        {
            if (known[i, j] is { } result)
            {
                return result;
            }

            result = i == p.Length ? j == k.Length
                : p[i] == "#" ? Match(i + 1, j) || (j < k.Length && Match(i, j + 1))
                : j < k.Length && (p[i] == "*" || p[i] == k[j]) && Match(i + 1, j + 1);
            known[i, j] = result;
            return result;
        }
    }

    /// <summary>
    /// Runs <paramref name="work"/> on a background thread, which must finish within <see cref="Bound"/> (thousands of
    /// times what a polynomial matcher needs here). A thread that does not finish cannot be stopped: it ends with the
    /// test process.
    /// </summary>
    public static T Within<T>(Func<T> work, string what)
    {
        T result = default!;
        ExceptionDispatchInfo? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                result = work();
            }
            catch (Exception ex)
            {
                failure = ExceptionDispatchInfo.Capture(ex);
            }
        })
        { IsBackground = true };
        thread.Start();
        Assert.True(thread.Join(Bound), $"{what} did not finish within {Bound.TotalSeconds:0} s: the matcher backtracks over the '#' words");
        failure?.Throw();
        return result;
    }
}
