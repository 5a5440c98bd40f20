using System.Globalization;

namespace Warren.Generators.Parsing;

/// <summary>Parses the duration strings attributes use: <c>500ms</c>, <c>30s</c>, <c>5m</c>, <c>1h</c>, <c>1d</c> or plain milliseconds.</summary>
internal static class Durations
{
    public static long? ToMilliseconds(string? text)
    {
        if (text is null)
        {
            return null;
        }

        var value = text.Trim();
        long multiplier = 1;
        if (value.EndsWith("ms"))
        {
            value = value.Substring(0, value.Length - 2);
        }
        else if (value.Length > 0 && char.IsLetter(value[value.Length - 1]))
        {
            multiplier = value[value.Length - 1] switch
            {
                's' => 1000L,
                'm' => 60_000L,
                'h' => 3_600_000L,
                'd' => 86_400_000L,
                _ => 0,
            };
            value = value.Substring(0, value.Length - 1);
        }

        if (multiplier == 0 || !long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var number))
        {
            return null;
        }

        return number * multiplier;
    }
}
