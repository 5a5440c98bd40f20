using System;
using System.Threading.Tasks;
using Xunit;

namespace Warren.Analyzers.Tests;

/// <summary>WRN023 for JSON member types: the walk of a message's members ends, whatever the types.</summary>
public sealed class JsonMemberDiagnosticsTests
{
    /// <summary>
    /// A generic type whose member nests it in a new construction (<c>Node&lt;List&lt;T&gt;&gt;</c>) has no end of member
    /// types: the walk stops at its bounds (the analysis ran forever), and a problem within them is still found.
    /// </summary>
    [Fact]
    public Task A_self_nesting_generic_member_type_ends() => AnalyzerHarness.VerifyAsync("""
        #pragma warning disable EXP9
        public class Node<T> { public T? Value { get; set; } public Node<List<T>>? Next { get; set; } }
        [Exchange("x")] public sealed record M(string Id, Node<int> Head);
        [Exchange("y")] public sealed record N(string Id, Node<int> Head, Legacy L);
        [System.Diagnostics.CodeAnalysis.Experimental("EXP9")] public sealed record Legacy(string V);
        [Queue("q")] public sealed class C { public Task Handle(M m) => Task.CompletedTask; public Task Handle(N n) => Task.CompletedTask; }
        [JsonSerializable(typeof(M))] [{|WRN023:JsonSerializable(typeof(N))|}] internal sealed partial class J : JsonSerializerContext;
        """).WaitAsync(TimeSpan.FromSeconds(60));
}
