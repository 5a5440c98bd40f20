using System;
using System.Collections.Generic;
using System.Text;

namespace Warren.Generators.Tests.Snapshots;

/// <summary>A small line diff (longest common subsequence) for readable snapshot failures.</summary>
internal static class LineDiff
{
    private const int Context = 2;
    private const int MaxOutputLines = 200;

    public static string Format(string expected, string actual)
    {
        var a = expected.Split('\n');
        var b = actual.Split('\n');
        var ops = Diff(a, b);

        var builder = new StringBuilder();
        builder.AppendLine("--- verified");
        builder.AppendLine("+++ received");
        var written = 0;
        var skipped = false;
        for (var i = 0; i < ops.Count && written < MaxOutputLines; i++)
        {
            var (kind, line, number) = ops[i];
            if (kind == ' ' && !NearChange(ops, i))
            {
                skipped = true;
                continue;
            }

            if (skipped)
            {
                builder.AppendLine("@@");
                skipped = false;
            }

            builder.Append(kind).Append(number.ToString(System.Globalization.CultureInfo.InvariantCulture).PadLeft(5)).Append(" | ").AppendLine(line);
            written++;
        }

        if (written >= MaxOutputLines)
        {
            builder.AppendLine("... (diff truncated)");
        }

        return builder.ToString();
    }

    private static bool NearChange(List<(char Kind, string Line, int Number)> ops, int index)
    {
        for (var j = Math.Max(0, index - Context); j <= Math.Min(ops.Count - 1, index + Context); j++)
        {
            if (ops[j].Kind != ' ')
            {
                return true;
            }
        }

        return false;
    }

    private static List<(char Kind, string Line, int Number)> Diff(string[] a, string[] b)
    {
        var lcs = new int[a.Length + 1, b.Length + 1];
        for (var i = a.Length - 1; i >= 0; i--)
        {
            for (var j = b.Length - 1; j >= 0; j--)
            {
                lcs[i, j] = a[i] == b[j] ? lcs[i + 1, j + 1] + 1 : Math.Max(lcs[i + 1, j], lcs[i, j + 1]);
            }
        }

        var ops = new List<(char, string, int)>();
        int x = 0, y = 0;
        while (x < a.Length || y < b.Length)
        {
            if (x < a.Length && y < b.Length && a[x] == b[y])
            {
                ops.Add((' ', a[x], y + 1));
                x++;
                y++;
            }
            else if (y < b.Length && (x == a.Length || lcs[x, y + 1] >= lcs[x + 1, y]))
            {
                ops.Add(('+', b[y], y + 1));
                y++;
            }
            else
            {
                ops.Add(('-', a[x], x + 1));
                x++;
            }
        }

        return ops;
    }
}
