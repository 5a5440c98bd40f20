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
    public void A_member_type_the_json_code_can_use_is_quiet(string name, string code, string? noWarn)
    {
        var result = Invariant.Check(Head + code + """
            [Queue("q")] public sealed class C { public Task Handle(M m) => Task.CompletedTask; }
            [JsonSerializable(typeof(M))] internal sealed partial class J : JsonSerializerContext;
            """, noWarn: noWarn);

        Assert.True(result.Violation is null, name + ": " + result.Violation);
        Assert.True(result.Warren.Count == 0 && result.Compiler.Count == 0, name + "\n" + result.Describe());
    }
}
