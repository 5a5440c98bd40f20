using System;
using System.ComponentModel;

namespace Warren.Infrastructure;

/// <summary>
/// One binding of a handler, as data: the exchange and, for a topic or direct exchange, the pattern or key. A
/// <see cref="HandlerDispatcher{THandler, TMessage}"/> tests a delivery of a foreign type against its handler's bindings
/// with it. A topic pattern is split into words once, when the binding is made; matching walks the key word by word
/// (<c>*</c> one word, <c>#</c> zero or more), as the generated matchers of other consumers do.
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
        return new(exchange, null, pattern.Length == 0 ? [] : pattern.Split('.'));
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
            return _words.Length == 0 ? key.Length == 0 : Matches(_words, 0, key, RoutingKeys.Start(key));
        }

        return _key is null || string.Equals(key, _key, StringComparison.Ordinal);
    }

    /// <summary>Whether words[from..] of a topic pattern match the key from word position <paramref name="position"/>.</summary>
    private static bool Matches(string[] words, int from, string key, int position)
    {
        for (var i = from; i < words.Length; i++)
        {
            var word = words[i];
            if (word == "#")
            {
                // A trailing '#' matches whatever is left, even nothing; else the rest is tried at every position from here.
                if (i == words.Length - 1)
                {
                    return true;
                }

                while (true)
                {
                    if (Matches(words, i + 1, key, position))
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
}
