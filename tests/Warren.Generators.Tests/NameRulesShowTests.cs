using System.Linq;
using CsCheck;
using Warren.Generators.Rules;
using Xunit;

namespace Warren.Generators.Tests;

/// <summary>Names shown in WRN034 and other messages: one line, whatever the name holds.</summary>
public sealed class NameRulesShowTests
{
    private const string FixedSeed = "0N5mQ1rV7x2a";

    private static readonly string[] Pieces = ["a", "Z", ".", "#", "*", " ", "é", "订", "\ud83d\ude00", "\n", "\r", "\t", "\0", "\u0007", "\u001f", "\u007f", "\u0085", "\u2028", "\u2029", "\\"];

    private static readonly Gen<string> Names =
        Gen.Frequency((4, Gen.Int[0, 6]), (1, Gen.Int[0, Pieces.Length - 1])).Array[0, 90].Select(ix => string.Concat(ix.Select(i => Pieces[i])));

    [Theory]
    [InlineData("orders\n", "orders\\n")]
    [InlineData("b\r\nfailed", "b\\r\\nfailed")]
    [InlineData("a\u0007b\u2028c", "a\\u0007b\\u2028c")]
    [InlineData("orders", "orders")]
    public void Control_characters_are_escaped(string name, string shown) => Assert.Equal(shown, NameRules.Show(name));

    [Fact]
    public void A_shown_name_is_one_line_and_reads_back_to_the_name_when_short()
    {
        // One sample of many names from the fixed seed (CsCheck uses a given seed for its first iteration only).
        Names.Array[2000].Sample(
            names =>
            {
                foreach (var name in names)
                {
                    var shown = NameRules.Show(name);
                    Assert.False(shown.Any(c => char.IsControl(c) || c is '\u2028' or '\u2029'), $"name {Escape(name)} was shown as {Escape(shown)}");
                    if (name.Length <= 60 && !name.Contains('\\', System.StringComparison.Ordinal))
                    {
                        Assert.True(Unescape(shown) == name, $"name {Escape(name)} was shown as {Escape(shown)}");
                    }
                }
            },
            seed: FixedSeed,
            iter: 1);
    }

    private static string Escape(string text) => string.Concat(text.Select(c => c < ' ' || c > '~' ? $"\\u{(int)c:x4}" : c.ToString()));

    private static string Unescape(string shown) => System.Text.RegularExpressions.Regex.Unescape(shown);
}
