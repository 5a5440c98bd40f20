using System.Threading.Tasks;
using Xunit;

namespace Warren.Analyzers.Tests;

/// <summary>
/// WRN041: a <c>[Headers]</c> entry that is no <c>name=value</c> pair the broker matches as written. The first case is
/// the shape a user wrote, <c>[Headers("format")]</c>, which bound <c>format=""</c> and received nothing.
/// </summary>
public sealed class WRN041_MalformedHeadersEntryTests
{
    private const string Docs = """
        [Exchange("docs", ExchangeKind.Headers)]
        public sealed record Doc(string Id);
        [Exchange("docs", ExchangeKind.Headers)]
        public sealed record Scan(string Id);
        [JsonSerializable(typeof(Doc))] [JsonSerializable(typeof(Scan))]
        internal sealed partial class Json : JsonSerializerContext;

        """;

    [Fact]
    public Task An_entry_without_a_value_is_reported() => AnalyzerHarness.VerifyAsync(Docs + """
        [Queue("pdfs")]
        public sealed class Pdfs
        {
            [Headers({|WRN041:"format"|})]
            public Task Handle(Doc doc) => Task.CompletedTask;
        }
        """);

    [Fact]
    public Task Empty_names_empty_entries_x_arguments_and_repeated_names_are_reported() => AnalyzerHarness.VerifyAsync(Docs + """
        [Queue("pdfs")]
        public sealed class Pdfs
        {
            [Headers("kind=report", {|WRN041:"=pdf"|}, {|WRN041:" "|})]
            [Headers({|WRN041:"x-match=any"|}, "format=pdf")]
            [Headers({|WRN041:"x-tenant=acme"|})]
            [Headers("format=pdf", "kind=a", {|WRN041:" format =png"|})]
            public Task Handle(Doc doc) => Task.CompletedTask;
        }
        """);

    /// <summary>Values holding '=', explicit empty values, spaces around either side and one name in two attributes are bindings as written.</summary>
    [Fact]
    public Task Well_formed_entries_are_quiet() => AnalyzerHarness.VerifyAsync(Docs + """
        [Queue("pdfs")]
        public sealed class Pdfs
        {
            [Headers("query=a=b", " format = pdf ", "note=")]
            [Headers("format=png", Mode = HeadersMatch.Any)]
            [Headers()]
            public Task Handle(Doc doc) => Task.CompletedTask;
        }
        """);

    /// <summary>An array argument has no syntax per entry: the attribute carries the diagnostic.</summary>
    [Fact]
    public Task An_entry_of_an_array_argument_is_reported_at_the_attribute() => AnalyzerHarness.VerifyAsync(Docs + """
        [Queue("pdfs")]
        public sealed class Pdfs
        {
            [{|WRN041:Headers(new[] { "format=pdf", "format" })|}]
            public Task Handle(Doc doc) => Task.CompletedTask;
        }
        """);

    [Fact]
    public async Task The_message_names_the_entry_and_what_to_write()
    {
        var diagnostics = await AnalyzerHarness.DiagnosticsAsync(Docs + """
            [Queue("pdfs")]
            public sealed class Pdfs
            {
                [Headers("format")]
                public Task Handle(Doc doc) => Task.CompletedTask;
            }
            """);
        var message = Assert.Single(diagnostics, d => d.Id == "WRN041").GetMessage(System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal("The [Headers] entry 'format' of handler 'Handle' has no value: a headers binding compares header 'format' with a value, so this one would receive only messages whose 'format' is the empty string, none in practice. Write \"format=value\", such as \"format=pdf\"", message);
    }
}
