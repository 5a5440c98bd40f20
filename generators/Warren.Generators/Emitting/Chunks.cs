using System;
using System.Collections.Generic;
using System.Globalization;

namespace Warren.Generators.Emitting;

/// <summary>
/// Long runs of similar statements (a registration per consumer, a declaration per queue) split into methods of at
/// most <see cref="Size"/> statements: the compiler analyzes one huge method far more slowly than many small ones, and
/// a person finds their way in parts.
/// </summary>
internal static class Chunks
{
    public const int Size = 100;

    /// <summary>
    /// Writes <paramref name="signature"/> with the statements in its body, or, when there are more than
    /// <see cref="Size"/>, a body calling <c>{part}1(arguments)</c>, <c>{part}2(arguments)</c>… each holding a part.
    /// <paramref name="first"/> and <paramref name="last"/> stay in the body, before and after the parts.
    /// </summary>
    public static void Emit(SourceWriter w, string signature, string part, string parameters, string arguments, IReadOnlyList<Action<SourceWriter>> statements, string? last = null, IReadOnlyList<string>? first = null)
    {
        w.Open(signature);
        foreach (var line in first ?? [])
        {
            w.Line(line);
        }

        if (statements.Count <= Size)
        {
            foreach (var statement in statements)
            {
                statement(w);
            }
        }
        else
        {
            for (var i = 0; i * Size < statements.Count; i++)
            {
                w.Line($"{part}{(i + 1).ToString(CultureInfo.InvariantCulture)}({arguments});");
            }
        }

        if (last is not null)
        {
            w.Line(last);
        }

        w.Close();
        if (statements.Count <= Size)
        {
            return;
        }

        for (var i = 0; i * Size < statements.Count; i++)
        {
            w.Line();
            var to = Math.Min(statements.Count, (i + 1) * Size);
            w.Line($"/// <summary>Part {(i + 1).ToString(CultureInfo.InvariantCulture)}: items {(i * Size + 1).ToString(CultureInfo.InvariantCulture)} to {to.ToString(CultureInfo.InvariantCulture)}.</summary>");
            w.Open($"private static void {part}{(i + 1).ToString(CultureInfo.InvariantCulture)}({parameters})");
            for (var j = i * Size; j < to; j++)
            {
                statements[j](w);
            }

            w.Close();
        }
    }
}
