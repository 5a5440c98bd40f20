using System.Globalization;
using System.Linq;
using Warren.Generators.Model;
using Warren.Generators.Parsing;

namespace Warren.Generators.Emitting;

/// <summary>Emits a <c>new RetryPolicy { … }</c> initializer for a dead-letter model, one property per line.</summary>
internal static class RetryPolicies
{
    /// <summary>Writes <paramref name="lead"/><c>new RetryPolicy</c>, the initializer, and <paramref name="suffix"/> after its brace.</summary>
    /// <paramref name="verbatimNames"/>: the exchange and routing key are C# expressions (parameter names), not text.
    public static void Emit(SourceWriter w, DeadLetterModel dl, string suffix, string lead = "    ", bool verbatimNames = false)
    {
        string Name(string value) => verbatimNames ? value : Literals.String(value);
        w.Line(lead + "new global::Warren.RetryPolicy");
        w.Line(lead.Substring(0, lead.Length - lead.TrimStart().Length) + "{");
        var indent = lead.Substring(0, lead.Length - lead.TrimStart().Length) + "    ";
        if (dl.ImmediateRetries > 0)
        {
            w.Line($"{indent}ImmediateRetries = {dl.ImmediateRetries.ToString(CultureInfo.InvariantCulture)},");
        }

        w.Line($"{indent}MaxRetries = {dl.MaxRetries.ToString(CultureInfo.InvariantCulture)},");
        if (dl.RetryDelays.Count > 0)
        {
            var delays = $"{indent}Delays = new global::System.TimeSpan[] {{ {string.Join(", ", dl.RetryDelays.Select(TimeSpan))} }},";
            if (w.Fits(delays))
            {
                w.Line(delays);
            }
            else
            {
                // Too long for a line: an element a line, as in any array initializer that does not fit.
                w.Line($"{indent}Delays = new global::System.TimeSpan[]");
                w.Line($"{indent}{{");
                foreach (var delay in dl.RetryDelays)
                {
                    w.Line($"{indent}    {TimeSpan(delay)},");
                }

                w.Line($"{indent}}},");
            }
        }

        w.Line($"{indent}DeadLetterExchange = {Name(dl.Exchange)},");
        w.Line($"{indent}DeadLetterRoutingKey = {Name(dl.RoutingKey)},");
        if (dl.RetryQueuePrefix != dl.RoutingKey)
        {
            w.Line($"{indent}RetryQueuePrefix = {Name(dl.RetryQueuePrefix)},");
        }

        if (dl.DoNotRetry.Count > 0)
        {
            var tests = dl.DoNotRetry.Select(t => $"exception is {t}").ToList();
            var single = $"{indent}IsNonRetryable = static exception => {string.Join(" || ", tests)},";
            if (w.Fits(single))
            {
                w.Line(single);
            }
            else
            {
                // Too long for a line: the lambda's body on the next lines, a type test a line.
                w.Line($"{indent}IsNonRetryable = static exception =>");
                for (var i = 0; i < tests.Count; i++)
                {
                    w.Line($"{indent}    {(i == 0 ? string.Empty : "|| ")}{tests[i]}{(i == tests.Count - 1 ? "," : string.Empty)}");
                }
            }
        }

        w.Line(lead.Substring(0, lead.Length - lead.TrimStart().Length) + "}" + suffix);
    }

    /// <summary>A readable TimeSpan factory call: whole minutes, seconds or milliseconds.</summary>
    public static string TimeSpan(long milliseconds)
    {
        var text = milliseconds.ToString(CultureInfo.InvariantCulture);
        return milliseconds % 60_000 == 0 && milliseconds > 0 ? $"global::System.TimeSpan.FromMinutes({(milliseconds / 60_000).ToString(CultureInfo.InvariantCulture)})"
            : milliseconds % 1000 == 0 && milliseconds > 0 ? $"global::System.TimeSpan.FromSeconds({(milliseconds / 1000).ToString(CultureInfo.InvariantCulture)})"
            : $"global::System.TimeSpan.FromMilliseconds({text})";
    }
}
