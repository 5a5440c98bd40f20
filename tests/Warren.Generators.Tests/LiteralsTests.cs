using System.Linq;
using System.Text;
using CsCheck;
using Warren.Generators.Parsing;
using Xunit;

namespace Warren.Generators.Tests;

/// <summary>String literals in emitted code: the fast path for text without escapes writes what escaping each character writes.</summary>
public sealed class LiteralsTests
{
    private const string FixedSeed = "fgPs4Xb0bft1";

    /// <summary>Plain characters, every escaped kind (quotes, backslashes, control, C# line breaks, lone surrogates) and a pair.</summary>
    private static readonly string[] Pieces = ["a", "Z", "0", ".", "-", "{", "}", " ", "é", "\"", "\\", "\n", "\r", "\t", "\0", "\u001f", "\u007f", "\u0085", "\u2028", "\u2029", "\ud800", "\udc00", "\ud83d\ude00"];

    private static readonly Gen<string> Texts =
        Gen.Frequency((3, Gen.Int[0, 8]), (1, Gen.Int[0, Pieces.Length - 1])).Array[0, 24].Select(ix => string.Concat(ix.Select(i => Pieces[i])));

    [Fact]
    public void A_literal_is_the_text_with_each_character_escaped_as_before()
    {
        // One sample of many texts from the fixed seed (CsCheck uses a given seed for its first iteration only).
        Texts.Array[3000].Sample(
            texts =>
            {
                foreach (var text in texts)
                {
                    Assert.True(Reference(text) == Literals.String(text), $"text {Show(text)}: expected {Show(Reference(text))}, got {Show(Literals.String(text))}");
                    Assert.Equal(Literals.String(text), Literals.JsonString(text));
                }
            },
            seed: FixedSeed,
            iter: 1);
    }

    [Theory]
    [InlineData("orders", "\"orders\"")]
    [InlineData("", "\"\"")]
    [InlineData("a\"b\\c", "\"a\\\"b\\\\c\"")]
    [InlineData("line\nbreak\u2028", "\"line\\nbreak\\u2028\"")]
    public void Known_literals(string text, string literal) => Assert.Equal(literal, Literals.String(text));

    /// <summary>The escaping of one character at a time, as the literal was first written.</summary>
    private static string Reference(string value)
    {
        var builder = new StringBuilder(value.Length + 2).Append('"');
        foreach (var c in value)
        {
            builder.Append(c switch
            {
                '"' => "\\\"",
                '\\' => "\\\\",
                '\n' => "\\n",
                '\r' => "\\r",
                '\t' => "\\t",
                _ when c < ' ' || c is '\u0085' or '\u2028' or '\u2029' || char.IsSurrogate(c) => "\\u" + ((int)c).ToString("x4", System.Globalization.CultureInfo.InvariantCulture),
                _ => c.ToString(),
            });
        }

        return builder.Append('"').ToString();
    }

    private static string Show(string text) => string.Concat(text.Select(c => c is >= ' ' and < '\u007f' ? c.ToString() : $"\\u{(int)c:x4}"));
}
