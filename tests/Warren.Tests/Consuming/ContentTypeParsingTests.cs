using System;
using System.Linq;
using System.Text;
using CsCheck;
using Xunit;

namespace Warren.Tests.Consuming;

/// <summary>
/// How JSON and text handlers read a <c>content-type</c>'s parameters (RFC 9110 §8.3.1: token or double-quoted values
/// with backslash escapes; docs/interop.md): quoted charsets, a <c>charset=</c> inside another parameter's value, and
/// malformed values, which are refused with a reason and never throw.
/// </summary>
public sealed class ContentTypeParsingTests
{
    private const string Json = """{"OrderId":"o-1","Quantity":2}""";

    private static readonly byte[] JsonBytes = Encoding.UTF8.GetBytes(Json);

    private static readonly PayloadFormat<OrderPlaced> Format = PayloadFormat.Json(StrictTestJson.Default.OrderPlaced);

    private static readonly string[] JsonTypes = ["application/json", "text/json", "application/vnd.masstransit+json", "application/cloudevents+json", "text/plain", "application/octet-stream"];

    private static readonly string[] OtherTypes = ["application/xml", "text/csv", "application/x-protobuf", "application/json-seq", "application/jsonx", "text/html"];

    private static readonly string[] Utf8Charsets = ["utf-8", "utf8", "us-ascii"];

    private static readonly string[] OtherCharsets = ["latin1", "iso-8859-1", "utf-16", "windows-1252", "utf-8x", "ascii"];

    [Theory]
    [InlineData("application/json; charset='utf-8'")]
    [InlineData("application/json; charset='UTF-8'")]
    [InlineData("application/json; charset=\"UTF-8\"")]
    [InlineData("application/json;charset=\"utf8\"")]
    [InlineData("application/json; charset=\"'utf-8'\"")]
    [InlineData("application/json; charset=\"utf\\-8\"")]
    [InlineData("application/json ; charset = utf-8 ")]
    [InlineData(" application/json;\tcharset=Utf8;")]
    [InlineData("application/json;; charset=utf-8; charset=UTF-8")]
    [InlineData("application/json; charset=US-ASCII")]
    public void Quoted_and_spaced_utf8_charsets_are_read(string contentType)
    {
        Assert.True(Format.TryRead(JsonBytes, contentType, null, out var message, out var error), error);
        Assert.Equal(new OrderPlaced("o-1", 2), message);
    }

    [Theory]
    [InlineData("application/json; profile=\"x;charset=latin1\"; charset=utf-8")]
    [InlineData("application/json; profile=\"a\\\";charset=latin1\"")]
    [InlineData("application/json; p=\"charset=utf-16\"")]
    public void A_charset_inside_another_parameters_quoted_value_is_not_the_charset(string contentType)
    {
        Assert.True(Format.TryRead(JsonBytes, contentType, null, out var message, out var error), error);
        Assert.Equal(new OrderPlaced("o-1", 2), message);
    }

    [Fact]
    public void The_real_charset_after_a_quoted_value_naming_utf8_is_the_one_checked()
    {
        Assert.False(Format.TryRead(JsonBytes, "application/json; profile=\"x;charset=utf-8\"; charset=latin1", null, out _, out var error));
        Assert.Contains("charset 'latin1'", error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_text_handler_reads_the_real_charset_not_one_inside_a_quoted_value()
    {
        var body = Encoding.UTF8.GetBytes("café");
        Assert.True(PayloadFormat.Text.TryRead(body, "text/plain; profile=\"a;charset=iso-8859-1\"", null, out var text, out var error), error);
        Assert.Equal("café", text);
        Assert.True(PayloadFormat.Text.TryRead(new byte[] { 0x63, 0x61, 0x66, 0xE9 }, "text/plain; charset='ISO-8859-1'", null, out text, out error), error);
        Assert.Equal("café", text);
    }

    [Theory]
    [InlineData("application/json; charset=\"utf-8", "no closing '\"'")]
    [InlineData("application/json; charset", "parameter 'charset' has no '=' and value")]
    [InlineData("application/json; charset=", "parameter 'charset' has no value")]
    [InlineData("application", "no '/' after its type")]
    [InlineData("+json", "no '/' after its type")]
    [InlineData("/json", "does not start with a type name")]
    [InlineData("application/", "no subtype")]
    [InlineData("; charset=utf-8", "does not start with a type name")]
    [InlineData("application/json x", "expected ';'")]
    [InlineData("application/json; charset=utf-8 latin1", "expected ';'")]
    [InlineData("application/json; p=\"a\"b", "expected ';'")]
    [InlineData("application/json; charset=utf-8; charset=latin1", "two charsets, 'utf-8' and 'latin1'")]
    [InlineData("application/json; \"p\"=1", "parameter name is not a token")]
    [InlineData("application/json; p=\"a\u0001\"", "control character U+0001")]
    [InlineData("application/js\u00f6n", "expected ';'")]
    public void A_malformed_content_type_is_refused_with_what_is_wrong(string contentType, string problem)
    {
        Assert.False(Format.TryRead(JsonBytes, contentType, null, out _, out var error));
        Assert.Contains($"content-type '{contentType}' is malformed: ", error, StringComparison.Ordinal);
        Assert.Contains(problem, error, StringComparison.Ordinal);
        Assert.False(PayloadFormat.Text.TryRead(JsonBytes, contentType, null, out _, out error));
        Assert.Contains("is malformed", error, StringComparison.Ordinal);
    }

    /// <summary>A well-formed content-type and how a JSON handler must classify it.</summary>
    private sealed record Case(string ContentType, bool Accepted, string? Expected);

    private static Gen<string> Cased(string value) =>
        Gen.UInt.Select(bits => string.Concat(value.Select((c, i) => ((bits >> (i % 32)) & 1) != 0 ? char.ToUpperInvariant(c) : char.ToLowerInvariant(c))));

    private static readonly Gen<string> Space = Gen.String[Gen.Char[" \t"], 0, 2];

    /// <summary>A parameter value rendered as a token when it can be and quoting is not chosen, else as a quoted string, escaping at random.</summary>
    private static Gen<string> Rendered(string value) =>
        Gen.Select(Gen.Bool, Gen.UInt, (quote, escapes) =>
        {
            if (!quote && value.Length > 0 && value.All(ContentTypeHeader.IsTokenChar))
            {
                return value;
            }

            var text = new StringBuilder("\"");
            for (var i = 0; i < value.Length; i++)
            {
                if (value[i] is '"' or '\\' || ((escapes >> (i % 32)) & 1) != 0)
                {
                    text.Append('\\');
                }

                text.Append(value[i]);
            }

            return text.Append('"').ToString();
        });

    private static readonly Gen<string> OtherValue = Gen.OneOf<string>(
        Gen.String[Gen.Char["abc-._"], 1, 6],
        Gen.OneOf("x;charset=latin1", "charset=utf-16", "a\"b", "a\\b", string.Empty, " ;; ", "'q'", "; charset=\"latin1\""),
        Gen.String[Gen.Char["ab;=\"\\ ',/()<>@\t"], 0, 8]);

    private static readonly Gen<string> OtherParameter = Gen.Select(
        Gen.OneOf<string>(Gen.String[Gen.Char["abcdefgxyz-_.+"], 1, 8], Gen.OneOf("profile", "charsetx", "xcharset", "char-set", "boundary")),
        OtherValue,
        Space,
        Space).SelectMany(p => Rendered(p.Item2).Select(value => $"{p.Item1}{p.Item3}={p.Item4}{value}"));

    private static readonly Gen<(string Parameter, string Name)?> CharsetParameter = Gen.Frequency<(string Parameter, string Name)?>(
        (1, Gen.Const(((string Parameter, string Name)?)null)),
        (2, Gen.OneOf<string>(Gen.OneOf(Utf8Charsets), Gen.OneOf(OtherCharsets)).SelectMany(n => Cased(n)).SelectMany(name =>
            Gen.Select(Gen.Int[0, 3], Rendered(name), Cased("charset"), Space, (quoting, rendered, key, space) =>
                (ValueTuple<string, string>?)(quoting switch
                {
                    0 => ($"{key}={name}", name),
                    1 => ($"{key}{space}={space}{rendered}", name),
                    2 => ($"{key}='{name}'", name),
                    _ => ($"{key}=\"'{name}'\"", name),
                })))));

    private static readonly Gen<Case> WellFormed = Gen.Select(
        Gen.OneOf<string>(Gen.OneOf(JsonTypes), Gen.OneOf(OtherTypes)).SelectMany(type => Cased(type)),
        OtherParameter.Array[0, 3],
        CharsetParameter,
        Gen.Int[0, 3],
        Gen.Select(Space, Space, Space, Gen.Bool))
        .Select(c =>
        {
            var (media, others, charset, at, (lead, around, trail, emptyParameter)) = c;
            var parameters = others.ToList();
            if (charset is { } named)
            {
                parameters.Insert(Math.Min(at, parameters.Count), named.Parameter);
            }

            if (emptyParameter)
            {
                parameters.Add(string.Empty);
            }

            var contentType = lead + media + string.Concat(parameters.Select(p => $"{around};{around}{p}")) + trail;
            var json = JsonTypes.Contains(media, StringComparer.OrdinalIgnoreCase);
            var utf8 = charset is not { } c2 || Utf8Charsets.Contains(c2.Name, StringComparer.OrdinalIgnoreCase);
            return new Case(contentType, json && utf8, !json ? "not JSON" : utf8 ? null : $"charset '{charset!.Value.Name}'");
        });

    [Fact]
    public void Random_well_formed_content_types_are_classified_as_the_reference_says()
    {
        Property.ForAll(
            WellFormed,
            3000,
            c =>
            {
                var read = Format.TryRead(JsonBytes, c.ContentType, null, out var message, out var error);
                Assert.True(read == c.Accepted, $"read: {read}, reason: {error}");
                if (c.Accepted)
                {
                    Assert.Equal(new OrderPlaced("o-1", 2), message);
                }
                else
                {
                    Assert.Contains(c.Expected!, error, StringComparison.Ordinal);
                }
            },
            c => $"content-type {Printed(c.ContentType)}, expected {(c.Accepted ? "read" : $"refused ({c.Expected})")}");
        Assert.Equal(3000, Property.LastCount);
    }

    private static readonly Gen<(string ContentType, string Mutation)> Malformed = Gen.Select(WellFormed, Gen.Int[0, 7]).Select(c =>
    {
        var (wellFormed, mutation) = c;
        var contentType = wellFormed.ContentType;
        return mutation switch
        {
            0 => (contentType + "; \"x\"=1", "quoted name"),
            1 => (contentType + "; name", "no '='"),
            2 => (contentType + "; p=\"unterminated", "unterminated quote"),
            3 => ("application" + contentType.TrimStart(' ', '\t')[contentType.TrimStart(' ', '\t').IndexOfAny(['/', ';'])..].Replace("/", string.Empty, StringComparison.Ordinal), "no '/'"),
            4 => (contentType + " ; x y", "text after a value"),
            5 => (contentType + "; charset=utf-8; charset=latin1", "two charsets"),
            6 => (contentType.Insert(contentType.IndexOf('/', StringComparison.Ordinal), "\u0001"), "control character in the type"),
            _ => (contentType + "; p=", "empty value"),
        };
    });

    [Fact]
    public void Random_malformed_content_types_are_refused_with_a_reason()
    {
        Property.ForAll(
            Malformed,
            2000,
            c =>
            {
                Assert.False(Format.TryRead(JsonBytes, c.ContentType, null, out _, out var error));
                Assert.Contains("is malformed: ", error, StringComparison.Ordinal);
                Assert.False(PayloadFormat.Text.TryRead(JsonBytes, c.ContentType, null, out _, out error));
                Assert.Contains("is malformed: ", error, StringComparison.Ordinal);
            },
            c => $"content-type {Printed(c.ContentType)} ({c.Mutation})");
        Assert.Equal(2000, Property.LastCount);
    }

    [Fact]
    public void Arbitrary_content_types_never_throw_and_a_refusal_always_has_a_reason()
    {
        Property.ForAll(
            Gen.String[Gen.Char["ajson/;=\"\\' \t+x\u0001\u00e9"], 0, 30],
            3000,
            contentType =>
            {
                if (!Format.TryRead(JsonBytes, contentType, null, out _, out var error))
                {
                    Assert.StartsWith("The body", error, StringComparison.Ordinal);
                }

                if (!PayloadFormat.Text.TryRead(JsonBytes, contentType, null, out _, out error))
                {
                    Assert.StartsWith("The body", error, StringComparison.Ordinal);
                }
            },
            Printed);
        Assert.Equal(3000, Property.LastCount);
    }

    private static string Printed(string value) =>
        "\"" + string.Concat(value.Select(c => c < ' ' || c > '~' ? $"\\u{(int)c:X4}" : c.ToString())) + "\"";
}
