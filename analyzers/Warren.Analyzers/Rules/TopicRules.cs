using System.Text;

namespace Warren.Analyzers.Rules;

/// <summary>What makes a routing key or binding pattern valid (RabbitMQ: dot-separated words, at most 255 bytes).</summary>
internal static class TopicRules
{
    public const int MaxBytes = 255;

    /// <summary>The problem with a binding pattern (<c>*</c> and <c>#</c> allowed as whole words), or null.</summary>
    public static string? BindingProblem(string pattern)
    {
        if (Encoding.UTF8.GetByteCount(pattern) > MaxBytes)
        {
            return $"The pattern '{Short(pattern)}' is {Encoding.UTF8.GetByteCount(pattern)} bytes: RabbitMQ limits routing keys to {MaxBytes} bytes";
        }

        if (pattern.Length == 0)
        {
            return null;
        }

        foreach (var word in pattern.Split('.'))
        {
            if (word.Length == 0)
            {
                return $"The pattern '{pattern}' has an empty word: remove the extra '.'";
            }

            if (word != "*" && word != "#" && (word.Contains("*") || word.Contains("#")))
            {
                return $"The pattern '{pattern}' mixes a wildcard into the word '{word}': '*' and '#' must stand alone between dots";
            }

            if (word.Contains("{") || word.Contains("}"))
            {
                return $"The binding pattern '{pattern}' contains a placeholder: bindings are fixed; use '*' for a word that varies";
            }
        }

        return null;
    }

    /// <summary>The problem with a publish routing-key template (placeholders allowed, no wildcards), or null.</summary>
    public static string? TemplateProblem(string template)
    {
        if (template.Length == 0)
        {
            return "The routing key is empty: give the message a key such as 'order.created'";
        }

        if (Encoding.UTF8.GetByteCount(template) > MaxBytes)
        {
            return $"The routing key '{Short(template)}' is {Encoding.UTF8.GetByteCount(template)} bytes: RabbitMQ limits routing keys to {MaxBytes} bytes";
        }

        var depth = 0;
        var placeholderLength = 0;
        foreach (var c in template)
        {
            if (c == '{')
            {
                if (depth > 0)
                {
                    return $"The routing key '{template}' nests '{{': write placeholders as {{Property}}";
                }

                depth = 1;
                placeholderLength = 0;
            }
            else if (c == '}')
            {
                if (depth == 0 || placeholderLength == 0)
                {
                    return $"The routing key '{template}' has an unbalanced or empty placeholder: write placeholders as {{Property}}";
                }

                depth = 0;
            }
            else if (depth > 0)
            {
                placeholderLength++;
            }
        }

        if (depth > 0)
        {
            return $"The routing key '{template}' has an unclosed '{{': write placeholders as {{Property}}";
        }

        foreach (var word in template.Split('.'))
        {
            if (word.Length == 0)
            {
                return $"The routing key '{template}' has an empty word: remove the extra '.'";
            }
        }

        return null;
    }

    /// <summary>The first wildcard character in a publish key, or null.</summary>
    public static string? Wildcard(string template) =>
        template.Contains("#") ? "#" : template.Contains("*") ? "*" : null;

    private static string Short(string text) => text.Length > 40 ? text.Substring(0, 40) + "…" : text;
}
