using System;
using System.Collections.Generic;
using System.ComponentModel;

namespace Warren.Infrastructure;

/// <summary>
/// One binding of a handler, as data: the exchange and, for a topic or direct exchange, the pattern or key. A
/// <see cref="HandlerDispatcher{THandler, TMessage}"/> tests a delivery of a foreign type against its handler's bindings
/// with it. A topic pattern is split into words once, when the binding is made; matching walks the key word by word
/// (<c>*</c> one word, <c>#</c> zero or more) without allocating, and in time proportional to the key's words times the
/// pattern's at worst, however many <c>#</c> the pattern has.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class RoutingBinding
{
    private readonly string? _key;
    private readonly string[]? _words;

    private RoutingBinding(string exchange, string? key, string[]? words)
    {
        ArgumentNullException.ThrowIfNull(exchange);
        Exchange = exchange;
        _key = key;
        _words = words;
    }

    /// <summary>The exchange the binding is on.</summary>
    public string Exchange { get; }

    /// <summary>A binding to a topic exchange with <paramref name="pattern"/> (an empty pattern matches the empty key only).</summary>
    public static RoutingBinding Topic(string exchange, string pattern)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        return new(exchange, null, pattern.Length == 0 ? [] : Collapse(pattern.Split('.')));
    }

    /// <summary>A binding to a direct exchange with exactly <paramref name="key"/>.</summary>
    public static RoutingBinding Direct(string exchange, string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return new(exchange, key, null);
    }

    /// <summary>A binding to a fanout exchange: every key.</summary>
    public static RoutingBinding Fanout(string exchange) => new(exchange, null, null);

    /// <summary>True when a message published to <paramref name="exchange"/> with <paramref name="key"/> reaches the queue through this binding.</summary>
    public bool Matches(string exchange, string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (!string.Equals(exchange, Exchange, StringComparison.Ordinal))
        {
            return false;
        }

        if (_words is not null)
        {
            return Matches(_words, key);
        }

        return _key is null || string.Equals(key, _key, StringComparison.Ordinal);
    }

    /// <summary>A run of <c>#</c> matches what one <c>#</c> does: keeps one.</summary>
    private static string[] Collapse(string[] words)
    {
        var kept = new List<string>(words.Length);
        foreach (var word in words)
        {
            if (!(IsHash(word) && kept.Count > 0 && IsHash(kept[^1])))
            {
                kept.Add(word);
            }
        }

        return kept.Count == words.Length ? words : [.. kept];
    }

    /// <summary>
    /// Whether a topic pattern matches the key: word by word, and on a mismatch back to the last <c>#</c> seen, which
    /// takes one more word. Going back only to the last one is enough: a <c>#</c> can take whatever an earlier one would
    /// have, so the earlier ones keep their shortest fit. Each return to the last <c>#</c> moves its start one word on,
    /// so the words compared are at most the key's times the pattern's.
    /// </summary>
    private static bool Matches(string[] words, string key)
    {
        var next = 0;
        var position = RoutingKeys.Start(key);

        // The words before the first '#' (all of them in most patterns) are matched straight, with nothing to go back to.
        for (; next < words.Length; next++)
        {
            var word = words[next];
            if (IsHash(word))
            {
                return Matches(words, next, key, position);
            }

            if (!(IsStar(word) ? RoutingKeys.AnyWord(key, ref position) : RoutingKeys.Word(key, ref position, word)))
            {
                return false;
            }
        }

        return RoutingKeys.AtEnd(position);
    }

    /// <summary>The rest of <see cref="Matches(string[], string)"/>, from the first '#' (word <paramref name="next"/>) at <paramref name="position"/>.</summary>
    private static bool Matches(string[] words, int next, string key, int position)
    {
        var hash = -1;
        var resume = -1;
        while (!RoutingKeys.AtEnd(position))
        {
            if (next < words.Length)
            {
                var word = words[next];
                if (IsHash(word))
                {
                    // '#' takes no word first: the rest of the pattern goes on from here. A trailing one takes all that is left.
                    hash = next++;
                    if (next == words.Length)
                    {
                        return true;
                    }

                    resume = position;
                    continue;
                }

                if (IsStar(word) ? RoutingKeys.AnyWord(key, ref position) : RoutingKeys.Word(key, ref position, word))
                {
                    next++;
                    continue;
                }
            }

            if (hash < 0)
            {
                return false;
            }

            // The last '#' takes one more word, and the words after it are tried from the next one.
            RoutingKeys.AnyWord(key, ref resume);
            position = resume;
            next = hash + 1;
        }

        // The key is consumed: what is left of the pattern must be '#'s, which take nothing (at most one after Collapse).
        while (next < words.Length && IsHash(words[next]))
        {
            next++;
        }

        return next == words.Length;
    }

    private static bool IsHash(string word) => word.Length == 1 && word[0] == '#';

    private static bool IsStar(string word) => word.Length == 1 && word[0] == '*';
}
