using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Warren.Generators.Tests.Infrastructure;

/// <summary>
/// Generated code reads like code a person wrote: its lines fit a screen. The generator wraps at
/// <c>SourceWriter.Width</c> (120 columns); with the user's names a line may come to <see cref="Columns"/>, or exceed
/// it by no more than the length of one long name.
/// </summary>
internal static class LineWidth
{
    public const int Columns = 160;

    /// <summary>
    /// Every line wider than <see cref="Columns"/> in the files, as <c>file:line: N columns: text</c>. A line
    /// may exceed it by the length of the user's longest name on it (a string or identifier of
    /// <paramref name="userSource"/>: RabbitMQ allows names of 255 bytes, and nothing can wrap inside one).
    /// </summary>
    public static List<string> Violations(IEnumerable<KeyValuePair<string, string>> files, string? userSource = null)
    {
        var names = userSource is null ? [] : Names(userSource);
        return files
            .SelectMany(file => file.Value.Split('\n').Select((line, i) => (File: file.Key, Number: i + 1, Text: line.TrimEnd('\r'))))
            .Where(line => line.Text.Length > Columns)
            .Select(line => (line.File, line.Number, line.Text, Name: names.FirstOrDefault(name => line.Text.Contains(name, StringComparison.Ordinal)) ?? string.Empty))
            .Where(line => line.Text.Length - line.Name.Length > Columns)
            .Select(line => $"{line.File}:{line.Number}: {line.Text.Length} columns{(line.Name.Length > 0 ? $" ({line.Name.Length} of them a name)" : string.Empty)}: {line.Text}")
            .ToList();
    }

    /// <summary>
    /// Fails with every offending file and line when a file has a line wider than <see cref="Columns"/> (more
    /// than the user's longest name on it).
    /// </summary>
    public static void AssertFits(IEnumerable<KeyValuePair<string, string>> files, string? userSource = null, string? context = null)
    {
        var violations = Violations(files, userSource);
        Xunit.Assert.True(
            violations.Count == 0,
            $"{(context is null ? string.Empty : context + ": ")}{violations.Count} generated line(s) wider than {Columns} columns:\n"
            + string.Join("\n", violations));
    }

    /// <summary>The string literals and identifiers of the user's source, longest first.</summary>
    private static List<string> Names(string source) =>
        CSharpSyntaxTree.ParseText(source).GetRoot().DescendantTokens()
            .Where(token => token.IsKind(SyntaxKind.StringLiteralToken) || token.IsKind(SyntaxKind.IdentifierToken))
            .Select(token => token.ValueText)
            .Where(text => text.Length > 0)
            .Distinct(StringComparer.Ordinal)
            .OrderByDescending(text => text.Length)
            .ToList();
}
