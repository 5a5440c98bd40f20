using System;
using System.ComponentModel;

namespace Warren.Infrastructure;

/// <summary>
/// The routing key of a message type whose template has one placeholder of a string property
/// (<c>"user.{Region}.created"</c>): the template's text around the placeholder with the property's value as the word,
/// checked as <see cref="RoutingKeys.Segment(string?, string, string)"/> checks it, and kept in a
/// <see cref="RoutingKeyCache"/> table so that publishing a message whose value was seen recently builds nothing.
/// Generated contracts create one per message type, so the per-type code is the property read alone.
/// </summary>
/// <typeparam name="T">The message type.</typeparam>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class PlaceholderRoutingKey<T>
{
    private readonly string _prefix;
    private readonly string _property;
    private readonly string _suffix;
    private readonly Func<T, string?>? _word;
    private readonly Func<int, object, string?>? _words;
    private readonly int _index;
    private readonly Func<string?, string> _build;
    private object? _slot;

    /// <summary>Splits <paramref name="template"/> at its placeholder, the word read by <paramref name="word"/>.</summary>
    /// <exception cref="ArgumentException">The template has no <c>{Property}</c> placeholder.</exception>
    public PlaceholderRoutingKey(string template, Func<T, string?> word)
        : this(template)
    {
        ArgumentNullException.ThrowIfNull(word);
        _word = word;
    }

    /// <summary>
    /// Splits <paramref name="template"/> at its placeholder, the word of a class (reference-type) message read as
    /// <paramref name="index"/> of <paramref name="words"/>: a method generated contracts share among message types, a
    /// switch whose arms cast the message back to its type and read the property (a type check, no allocation).
    /// </summary>
    /// <exception cref="ArgumentException">
    /// The template has no <c>{Property}</c> placeholder, or <typeparamref name="T"/> is a value type (it would be boxed
    /// per message).
    /// </exception>
    public PlaceholderRoutingKey(string template, int index, Func<int, object, string?> words)
        : this(template)
    {
        ArgumentNullException.ThrowIfNull(words);
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        if (typeof(T).IsValueType)
        {
            throw new ArgumentException($"{TypeDisplayName<T>.Value} is a value type: pass a typed property read, which does not box it.", nameof(words));
        }

        _words = words;
        _index = index;
    }

    private PlaceholderRoutingKey(string template)
    {
        ArgumentNullException.ThrowIfNull(template);
        var open = template.IndexOf('{', StringComparison.Ordinal);
        var close = open < 0 ? -1 : template.IndexOf('}', open + 1);
        if (close < 0)
        {
            throw new ArgumentException($"The routing-key template '{template}' has no {{Property}} placeholder.", nameof(template));
        }

        _prefix = template[..open];
        _property = template[(open + 1)..close];
        _suffix = template[(close + 1)..];
        _build = Build;
    }

    /// <summary>The routing key of <paramref name="message"/>.</summary>
    /// <exception cref="InvalidRoutingKeyException">The property's value is empty or contains a '.'.</exception>
    public string For(T message) =>
        RoutingKeyCache.Get(ref _slot, _word is { } word ? word(message) : _words!(_index, message!), _build);

    private string Build(string? value) => _prefix + RoutingKeys.Segment(value, _property, TypeDisplayName<T>.Value) + _suffix;
}
