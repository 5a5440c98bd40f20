using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Simplification;
using Warren.Analyzers;

namespace Warren.CodeFixes;

/// <summary>
/// WRN026: gives a publisher method a <c>PublishOptions options</c> parameter after the message, so callers can set
/// the headers a headers exchange routes by.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(AddPublishOptionsCodeFix))]
[Shared]
public sealed class AddPublishOptionsCodeFix : DocumentCodeFix
{
    /// <inheritdoc />
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticDescriptors.HeadersMessageThroughPublisher.Id);

    /// <inheritdoc />
    protected override string Title => "Add a PublishOptions parameter";

    /// <inheritdoc />
    protected override SyntaxNode? Target(SyntaxNode root, Diagnostic diagnostic) =>
        root.FindNode(diagnostic.Location.SourceSpan) as MethodDeclarationSyntax;

    /// <inheritdoc />
    protected override SyntaxNode Apply(SyntaxNode root, SyntaxNode target, Diagnostic diagnostic)
    {
        var method = (MethodDeclarationSyntax)target;
        var parameters = method.ParameterList.Parameters;

        // After the message: before a CancellationToken, and before any optional parameter, as C# requires.
        var index = parameters.IndexOf(p => p.Default is not null || p.Type?.ToString() is "CancellationToken" or "System.Threading.CancellationToken" or "global::System.Threading.CancellationToken");
        var options = SyntaxFactory.Parameter(SyntaxFactory.Identifier(UniqueName(method)))
            .WithType(SyntaxFactory.ParseTypeName("global::Warren.PublishOptions").WithAdditionalAnnotations(Simplifier.Annotation).WithTrailingTrivia(SyntaxFactory.Space));
        var nodes = parameters.ToList();
        nodes.Insert(index < 0 ? nodes.Count : index, options);
        var separators = Enumerable.Range(0, nodes.Count - 1).Select(_ => SyntaxFactory.Token(SyntaxKind.CommaToken).WithTrailingTrivia(SyntaxFactory.Space));
        return root.ReplaceNode(method.ParameterList, method.ParameterList.WithParameters(SyntaxFactory.SeparatedList(nodes, separators)));
    }

    private static string UniqueName(MethodDeclarationSyntax method)
    {
        var name = "options";
        for (var n = 2; method.ParameterList.Parameters.Any(p => p.Identifier.ValueText == name); n++)
        {
            name = "options" + n.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        return name;
    }
}
