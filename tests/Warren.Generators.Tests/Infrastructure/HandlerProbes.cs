using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Warren.Generators.Tests.Infrastructure;

/// <summary>
/// Rewrites a program's handler methods (by the documented rule: public <c>Handle</c>/<c>HandleAsync</c>/<c>Consume</c>/
/// <c>ConsumeAsync</c>, any method with <c>[Topic]</c> or <c>[Headers]</c>, and overrides) to record the runtime type of the message
/// they receive in <c>Probe.Types</c>, so a test can drive the generated dispatchers and see which body reached a handler.
/// </summary>
internal sealed class HandlerProbes : CSharpSyntaxRewriter
{
    private static readonly string[] Names = ["Handle", "HandleAsync", "Consume", "ConsumeAsync"];

    public static string Add(string source) =>
        new HandlerProbes().Visit(CSharpSyntaxTree.ParseText(source, GeneratorHarness.ParseOptions).GetRoot()).ToFullString();

    public override SyntaxNode? VisitMethodDeclaration(MethodDeclarationSyntax method)
    {
        var attributed = method.AttributeLists.SelectMany(l => l.Attributes).Any(a => a.Name.ToString() is "Topic" or "Headers");
        var named = Names.Contains(method.Identifier.ValueText) && method.Modifiers.Any(SyntaxKind.PublicKeyword)
            || method.Modifiers.Any(SyntaxKind.OverrideKeyword);
        var message = method.ParameterList.Parameters.FirstOrDefault(p => p.Type?.ToString() is not ("MessageContext" or "CancellationToken"));
        if (!(attributed || named) || message is null || (method.Body is null && method.ExpressionBody is null) || method.Parent is InterfaceDeclarationSyntax)
        {
            return method;
        }

        var returnType = method.ReturnType.ToString();
        var returns = returnType.EndsWith("ValueTask", System.StringComparison.Ordinal) ? " return default;"
            : returnType.EndsWith("Task", System.StringComparison.Ordinal) ? " return System.Threading.Tasks.Task.CompletedTask;"
            : string.Empty;
        // A batch handler records the type of its messages, not of the list.
        var received = message.Type?.ToString().StartsWith("IReadOnlyList<", System.StringComparison.Ordinal) == true ? message.Identifier.Text + "[0]" : message.Identifier.Text;
        var body = SyntaxFactory.ParseStatement($"{{ Probing.Probe.RecordType((object?){received});{returns} }}");
        return method
            .WithModifiers(SyntaxFactory.TokenList(method.Modifiers.Where(m => !m.IsKind(SyntaxKind.AsyncKeyword))))
            .WithExpressionBody(null)
            .WithSemicolonToken(default)
            .WithBody((BlockSyntax)body);
    }
}
