using System;
using System.Linq;
using Microsoft.CodeAnalysis;
using Warren.Generators.Tests.Infrastructure;
using Xunit;

namespace Warren.Generators.Tests;

/// <summary>
/// A message whose serialized members reach a type System.Text.Json's generated code cannot name here (an error-level
/// <c>[Obsolete]</c>, an <c>[Experimental]</c> or an <c>[Obsolete]</c> with a <c>DiagnosticId</c> the project does not
/// suppress): the JSON generator's files fail to compile, and Warren says why with WRN023 at the
/// <c>[JsonSerializable]</c> of the message, so that the build does not fail in generated files only.
/// </summary>
public sealed class JsonMemberTypeTests
{
    private const string Head = """
        using System;
        using System.Collections.Generic;
        using System.Diagnostics.CodeAnalysis;
        using System.Text.Json.Serialization;
        using System.Threading.Tasks;
        using Warren;

        """;

    // The user's own file compiles: an obsolete type may use obsolete types, and the #pragma covers the user's file.
    public static TheoryData<string, string, string> Unusable => new()
    {
        {
            "obsolete_error_property_type",
            """
            namespace App;
            [Obsolete("gone", true)] public sealed record Legacy(string V);
            #pragma warning disable CS0612, CS0618
            [Obsolete("moving")] [Exchange("x")] public sealed record M(string Id, Legacy L);
            [Queue("q")] public sealed class C { public Task Handle(M m) => Task.CompletedTask; }
            [JsonSerializable(typeof(M))] internal sealed partial class J : JsonSerializerContext;
            """,
            "CS0619"
        },
        {
            "experimental_property_type",
            """
            #pragma warning disable EXP9
            namespace App;
            [Experimental("EXP9")] public sealed record Legacy(string V);
            [Exchange("x")] public sealed record M(string Id, Legacy L);
            [Queue("q")] public sealed class C { public Task Handle(M m) => Task.CompletedTask; }
            [JsonSerializable(typeof(M))] internal sealed partial class J : JsonSerializerContext;
            """,
            "EXP9"
        },
        {
            "experimental_type_in_a_list_of_a_nested_member",
            """
            #pragma warning disable EXP9
            namespace App;
            [Experimental("EXP9")] public enum Grade { A, B }
            public sealed class Line { public string Sku { get; set; } = ""; public List<Grade>? Grades { get; set; } }
            public sealed record M(string Id, Line[] Lines);
            [Publisher] public partial interface IP { [Topic("m")] ValueTask Send(M m); }
            [JsonSerializable(typeof(M))] internal sealed partial class J : JsonSerializerContext;
            """,
            "EXP9"
        },
        {
            "obsolete_with_id_property_type",
            """
            #pragma warning disable OBS9
            namespace App;
            [Obsolete("use New", DiagnosticId = "OBS9")] public sealed record Legacy(string V);
            [RpcService("svc")] public interface ISvc { Task<M> Get(Ask ask); }
            public sealed record Ask(string Id);
            public sealed record M(string Id, Legacy L);
            [JsonSerializable(typeof(M))] [JsonSerializable(typeof(Ask))] internal sealed partial class J : JsonSerializerContext;
            """,
            "OBS9"
        },
        {
            "member_ignored_only_when_writing_null",
            """
            #pragma warning disable EXP9
            namespace App;
            [Experimental("EXP9")] public sealed record Legacy(string V);
            [Exchange("x")] public sealed record M(string Id) { [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public Legacy? L { get; init; } }
            [Queue("q")] public sealed class C { public Task Handle(M m) => Task.CompletedTask; }
            [JsonSerializable(typeof(M))] internal sealed partial class J : JsonSerializerContext;
            """,
            "EXP9"
        },
        {
            "json_derived_type",
            """
            #pragma warning disable EXP9
            namespace App;
            [Experimental("EXP9")] public sealed record Legacy(string V);
            [JsonDerivedType(typeof(Card), "card")] public class Payment { public string Id { get; set; } = ""; }
            public sealed class Card : Payment { public Legacy? L { get; set; } }
            [Exchange("x")] public sealed record M(string Id, Payment Payment);
            [Queue("q")] public sealed class C { public Task Handle(M m) => Task.CompletedTask; }
            [JsonSerializable(typeof(M))] internal sealed partial class J : JsonSerializerContext;
            """,
            "EXP9"
        },
        {
            "public_field_under_include_fields",
            """
            #pragma warning disable EXP9
            namespace App;
            [Experimental("EXP9")] public sealed record Legacy(string V);
            [Exchange("x")] public sealed class M { public string Id { get; set; } = ""; public Legacy? L; }
            [Queue("q")] public sealed class C { public Task Handle(M m) => Task.CompletedTask; }
            [JsonSourceGenerationOptions(IncludeFields = true)] [JsonSerializable(typeof(M))] internal sealed partial class J : JsonSerializerContext;
            """,
            "EXP9"
        },
        {
            // The JSON generator reads [JsonConverter] on the type itself only: a derived type's members are generated.
            "converter_on_a_base_class_only",
            """
            #pragma warning disable EXP9
            namespace App;
            [Experimental("EXP9")] public sealed record Currency(string Code);
            [JsonConverter(typeof(MoneyConverter))]
            public class MoneyBase { public decimal Amount { get; set; } }
            public sealed class Money : MoneyBase { public Currency? Currency { get; set; } }
            public sealed class MoneyConverter : JsonConverter<MoneyBase>
            {
                public override MoneyBase Read(ref System.Text.Json.Utf8JsonReader reader, Type type, System.Text.Json.JsonSerializerOptions options) => new() { Amount = reader.GetDecimal() };
                public override void Write(System.Text.Json.Utf8JsonWriter writer, MoneyBase value, System.Text.Json.JsonSerializerOptions options) => writer.WriteNumberValue(value.Amount);
            }
            [Exchange("x")] public sealed record M(string Id, Money Total);
            [Queue("q")] public sealed class C { public Task Handle(M m) => Task.CompletedTask; }
            [JsonSerializable(typeof(M))] internal sealed partial class J : JsonSerializerContext;
            """,
            "EXP9"
        },
        {
            "member_with_its_own_converter_names_its_type",
            """
            #pragma warning disable EXP9
            namespace App;
            [Experimental("EXP9")] public sealed record Legacy(string V);
            public sealed class LegacyConverter : JsonConverter<Legacy>
            {
                public override Legacy Read(ref System.Text.Json.Utf8JsonReader reader, Type type, System.Text.Json.JsonSerializerOptions options) => new(reader.GetString()!);
                public override void Write(System.Text.Json.Utf8JsonWriter writer, Legacy value, System.Text.Json.JsonSerializerOptions options) => writer.WriteStringValue(value.V);
            }
            [Exchange("x")] public sealed record M(string Id) { [JsonConverter(typeof(LegacyConverter))] public Legacy? L { get; init; } }
            [Queue("q")] public sealed class C { public Task Handle(M m) => Task.CompletedTask; }
            [JsonSerializable(typeof(M))] internal sealed partial class J : JsonSerializerContext;
            """,
            "EXP9"
        },
    };

    [Theory]
    [MemberData(nameof(Unusable))]
    public void A_message_member_type_the_json_code_cannot_use_is_WRN023_at_its_json_serializable(string name, string code, string id)
    {
        var result = Invariant.Check(Head + code);

        var reported = Assert.Single(result.Warren, d => d.Id == "WRN023");
        Assert.Equal(DiagnosticSeverity.Error, reported.Severity);
        Assert.Equal("Source0.cs", reported.Location.SourceTree?.FilePath);
        Assert.Equal("JsonSerializable(typeof(M))", reported.Location.SourceTree!.GetText().ToString(reported.Location.SourceSpan));
        Assert.Contains(id, reported.GetMessage(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
        Assert.True(result.Warren.All(d => d.Id == "WRN023"), name + "\n" + result.Describe());

        // What fails is System.Text.Json's code, never Warren's, and never the user's own file.
        Assert.Contains(result.Compiler, d => d.Id == id);
        Assert.All(result.Compiler, d => Assert.Contains("System.Text.Json", d.Location.SourceTree?.FilePath ?? string.Empty, StringComparison.Ordinal));
    }

    /// <summary>Suppressed for the project, a warning-level [Obsolete], or a member [JsonIgnore] leaves out: nothing to report, and the build is clean.</summary>
    [Theory]
    [InlineData("experimental_suppressed_by_the_project", "#pragma warning disable EXP9\nnamespace App;\n[Experimental(\"EXP9\")] public sealed record Legacy(string V);\n[Exchange(\"x\")] public sealed record M(string Id, Legacy L);\n", "EXP9")]
    [InlineData("obsolete_warning", "#pragma warning disable CS0612, CS0618\nnamespace App;\n[Obsolete(\"old\")] public sealed record Legacy(string V);\n[Exchange(\"x\")] public sealed record M(string Id, Legacy L);\n", null)]
    [InlineData("ignored_member", "#pragma warning disable EXP9\nnamespace App;\n[Experimental(\"EXP9\")] public sealed record Legacy(string V);\n[Exchange(\"x\")] public sealed record M(string Id) { [JsonIgnore] public Legacy? L { get; init; } }\n", null)]
    [InlineData("experimental_lowered_to_a_warning", "#pragma warning disable EXP9\nnamespace App;\n[Experimental(\"EXP9\")] public sealed record Legacy(string V);\n[Exchange(\"x\")] public sealed record M(string Id, Legacy L);\n", "EXP9:warning")]
    public void A_member_type_the_json_code_can_use_is_quiet(string name, string code, string? noWarn)
    {
        var result = Invariant.Check(Head + code + """
            [Queue("q")] public sealed class C { public Task Handle(M m) => Task.CompletedTask; }
            [JsonSerializable(typeof(M))] internal sealed partial class J : JsonSerializerContext;
            """, noWarn: noWarn);

        if (noWarn?.EndsWith(":warning", StringComparison.Ordinal) == true)
        {
            // Lowered to a warning, the id is reported as a warning in the JSON generator's files and the build compiles,
            // as the C# compiler decides: no Warren error.
            Assert.True(result.Warren.Count == 0, name + "\n" + result.Describe());
            Assert.Contains(result.Compiler, d => d.Id == "EXP9");
            Assert.All(result.Compiler, d => Assert.Equal(DiagnosticSeverity.Warning, d.Severity));
            return;
        }

        Assert.True(result.Violation is null, name + ": " + result.Violation);
        Assert.True(result.Warren.Count == 0 && result.Compiler.Count == 0, name + "\n" + result.Describe());
    }

    /// <summary>
    /// A type with its own [JsonConverter]: System.Text.Json generates no metadata for its members, so an [Experimental]
    /// type among them is never named; quiet, and the build is clean. A [JsonConverter] on a member only does not stop
    /// the JSON generator from writing the member type's metadata: WRN023.
    /// </summary>
    [Theory]
    [InlineData("converter_on_the_type", "[JsonConverter(typeof(MoneyConverter))] public sealed class Money", "public sealed record M(string Id, Money Total);", false)]
    [InlineData("converter_on_a_member_only", "public sealed class Money", "public sealed record M(string Id) { [JsonConverter(typeof(MoneyConverter))] public Money? Total { get; init; } }", true)]
    public void The_members_of_a_type_with_its_own_converter_are_not_walked(string name, string money, string message, bool generated)
    {
        var result = Invariant.Check(Head + """
            #pragma warning disable EXP9
            namespace App;
            [Experimental("EXP9")] public sealed record Currency(string Code);

            """ + money + """
             { public decimal Amount { get; set; } public Currency? Currency { get; set; } }
            public sealed class MoneyConverter : JsonConverter<Money>
            {
                public override Money Read(ref System.Text.Json.Utf8JsonReader reader, Type type, System.Text.Json.JsonSerializerOptions options) => new() { Amount = reader.GetDecimal() };
                public override void Write(System.Text.Json.Utf8JsonWriter writer, Money value, System.Text.Json.JsonSerializerOptions options) => writer.WriteNumberValue(value.Amount);
            }
            [Exchange("x")]
            """ + message + """

            [Queue("q")] public sealed class C { public Task Handle(M m) => Task.CompletedTask; }
            [JsonSerializable(typeof(M))] internal sealed partial class J : JsonSerializerContext;
            """);

        if (generated)
        {
            // A converter on the member only: the JSON generator still writes metadata for Money's members.
            var reported = Assert.Single(result.Warren, d => d.Id == "WRN023");
            Assert.Contains("'M.Total', then 'Money.Currency'", reported.GetMessage(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
            Assert.Contains(result.Compiler, d => d.Id == "EXP9");
            return;
        }

        Assert.True(result.Violation is null, name + ": " + result.Violation);
        Assert.True(result.Warren.Count == 0 && result.Compiler.Count == 0, name + "\n" + result.Describe());
    }

    /// <summary>
    /// A member type from an assembly that is [Experimental] as a whole: the JSON generator's code names it and reports
    /// the id in its files; WRN023 says so at the [JsonSerializable].
    /// </summary>
    [Fact]
    public void A_member_type_of_an_experimental_assembly_is_WRN023()
    {
        var library = GeneratorHarness.BuildLibrary("Trial", """
            [assembly: System.Diagnostics.CodeAnalysis.Experimental("EXP8")]
            namespace Trial;
            public sealed record Grade(string Name);
            """);
        var result = Invariant.Check(Head + """
            #pragma warning disable EXP8
            namespace App;
            [Exchange("x")] public sealed record M(string Id, Trial.Grade Grade);
            [Queue("q")] public sealed class C { public Task Handle(M m) => Task.CompletedTask; }
            [JsonSerializable(typeof(M))] internal sealed partial class J : JsonSerializerContext;
            """, references: [library]);

        var reported = Assert.Single(result.Warren, d => d.Id == "WRN023");
        Assert.Contains("EXP8", reported.GetMessage(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
        Assert.Contains("assembly", reported.GetMessage(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
        Assert.Contains(result.Compiler, d => d.Id == "EXP8");
        Assert.All(result.Compiler, d => Assert.Contains("System.Text.Json", d.Location.SourceTree?.FilePath ?? string.Empty, StringComparison.Ordinal));
    }
}
