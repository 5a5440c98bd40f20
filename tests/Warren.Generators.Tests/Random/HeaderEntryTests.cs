using System;
using System.Collections.Generic;
using System.Linq;
using CsCheck;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Warren.Generators.Tests.Infrastructure;
using Xunit;
using Xunit.Abstractions;

namespace Warren.Generators.Tests.Random;

/// <summary>
/// <c>[Headers]</c> entries nobody wrote by hand, run through the generators, the compiler and the analyzers: either
/// the generated code compiles and the queue's binding arguments are exactly <c>x-match</c> and the entries as
/// <c>name=value</c> pairs (split at the first '=', trimmed), or Warren reports WRN041 and the attribute binds nothing.
/// Never a diagnostic in a generated file. The expectation is computed here from the entries, independently of the
/// generator's rules. The seed is fixed so CI is repeatable.
/// </summary>
public sealed class HeaderEntryTests(ITestOutputHelper output)
{
    private const string Seed = "0b3kL5ZcQm1A";
    private const int Iterations = 40;

    private static readonly string[] WordList = ["format", "kind", "pdf", "x-match", "x-tenant", "", " ", "a b", "=", "a=b", "é", "\"q\"", "\\", "\t"];

    private static readonly char[] CharList = ['a', 'x', '-', '=', ' ', '\t', 'é', '"'];

    private static readonly Gen<string> Words = Gen.Int[0, WordList.Length - 1].Select(i => WordList[i]);

    private static readonly Gen<string> Entries = Gen.Frequency(
        (4, Gen.Select(Words, Words, (name, value) => name + "=" + value)),
        (1, Words),
        (1, Gen.Int[0, CharList.Length - 1].Select(i => CharList[i]).Array[0, 6].Select(chars => new string(chars))));

    private static readonly Gen<(string[] Entries, bool Any)> Attributes = Gen.Select(Entries.Array[0, 4], Gen.Bool, (entries, any) => (entries, any));

    [Fact]
    public void Generated_bindings_equal_the_entries_or_warren_reports_WRN041()
    {
        var bound = 0;
        var reported = 0;
        Attributes.Array[Iterations].Sample(
            attributes =>
            {
                bound = reported = 0;
                foreach (var (entries, any) in attributes)
                {
                    if (Check(entries, any))
                    {
                        bound++;
                    }
                    else
                    {
                        reported++;
                    }
                }
            },
            writeLine: output.WriteLine,
            seed: Seed,
            iter: 1,
            threads: 1,
            print: attributes => $"{attributes.Length} attributes (the failing one is in the exception)");

        output.WriteLine($"{bound} bound, {reported} reported");
        Assert.True(bound > 0 && reported > 0, $"{bound} bound, {reported} reported: the entry generator has lost its balance");
    }

    /// <summary>The user trial's shape: <c>[Headers("format")]</c> bound <c>format=""</c> and received nothing.</summary>
    [Fact]
    public void An_entry_without_a_value_is_reported_and_binds_nothing() => Assert.False(Check(["format"], any: false));

    [Fact]
    public void Values_with_equals_signs_and_spaces_bind_as_written() => Assert.True(Check(["query=a=b", " format = pdf ", "note="], any: true));

    /// <summary>True when the entries were bound (and are as expected), false when WRN041 was (as expected) reported.</summary>
    private static bool Check(string[] entries, bool any)
    {
        var source = Program(entries, any);
        var result = Invariant.Check(source);
        if (result.Violation is { } violation)
        {
            throw new InvalidOperationException(violation + "\nThe program:\n" + source);
        }

        var expected = Expected(entries, any);
        var wrn041 = result.Warren.Where(d => d.Id == "WRN041").ToList();
        var others = result.Warren.Where(d => d.Id != "WRN041").ToList();
        Assert.True(others.Count == 0, "unexpected diagnostics:\n" + string.Join("\n", others) + "\nThe program:\n" + source);
        var bindings = GeneratedApp.Load(result.Run).Topology.Bindings.Where(b => b.Exchange == "docs" && b.Queue == "pdfs").ToList();
        if (expected is null)
        {
            Assert.True(wrn041.Count > 0 && wrn041.All(d => d.Severity == DiagnosticSeverity.Error), "no WRN041 error for a malformed entry; the program:\n" + source);
            Assert.True(bindings.Count == 0, "a malformed [Headers] was bound; the program:\n" + source);
            return false;
        }

        Assert.True(wrn041.Count == 0, string.Join("\n", wrn041) + "\nThe program:\n" + source);
        var binding = Assert.Single(bindings);
        Assert.Equal(string.Empty, binding.RoutingKey);
        Assert.Equal(
            expected.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => kv.Key + "=" + kv.Value),
            binding.Arguments!.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => kv.Key + "=" + (string?)kv.Value));
        return true;
    }

    /// <summary>
    /// The binding arguments the entries stand for, or null when one is malformed: no '=', no name, a name the broker
    /// skips ('x-' prefixed, x-match included) or given twice.
    /// </summary>
    private static Dictionary<string, string>? Expected(string[] entries, bool any)
    {
        var arguments = new Dictionary<string, string>(StringComparer.Ordinal) { ["x-match"] = any ? "any" : "all" };
        foreach (var entry in entries)
        {
            var separator = entry.IndexOf('=', StringComparison.Ordinal);
            if (separator < 0)
            {
                return null;
            }

            var name = entry[..separator].Trim();
            if (name.Length == 0 || name.StartsWith("x-", StringComparison.Ordinal) || !arguments.TryAdd(name, entry[(separator + 1)..].Trim()))
            {
                return null;
            }
        }

        return arguments;
    }

    private static string Program(string[] entries, bool any)
    {
        var list = string.Join(", ", entries.Select(e => SymbolDisplay.FormatLiteral(e, quote: true)));
        var mode = any ? (entries.Length == 0 ? "Mode = HeadersMatch.Any" : ", Mode = HeadersMatch.Any") : string.Empty;
        return $$"""
            using System.Text.Json.Serialization;
            using System.Threading.Tasks;
            using Warren;

            namespace App;

            [Exchange("docs", ExchangeKind.Headers)]
            public sealed record Doc(string Id);

            [Queue("pdfs")]
            public sealed class Pdfs
            {
                [Headers({{list}}{{mode}})]
                public Task Handle(Doc doc) => Task.CompletedTask;
            }

            [JsonSerializable(typeof(Doc))]
            internal sealed partial class AppJson : JsonSerializerContext;
            """;
    }
}
