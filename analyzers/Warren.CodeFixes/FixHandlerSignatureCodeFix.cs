using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Warren.Analyzers;

namespace Warren.CodeFixes;

/// <summary>WRN005: makes a handler a public instance method (the two mechanical parts of a handler's signature).</summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(FixHandlerSignatureCodeFix))]
[Shared]
public sealed class FixHandlerSignatureCodeFix : CodeFixProvider
{
    /// <inheritdoc />
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticDescriptors.UnsupportedHandler.Id);

    /// <inheritdoc />
    public override FixAllProvider? GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    /// <inheritdoc />
    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        if (root?.FindNode(context.Span).FirstAncestorOrSelf<MethodDeclarationSyntax>() is not { } method)
        {
            return;
        }

        var isStatic = method.Modifiers.Any(SyntaxKind.StaticKeyword);
        var isPublic = method.Modifiers.Any(SyntaxKind.PublicKeyword);
        if (!isStatic && isPublic)
        {
            return;
        }

        context.RegisterCodeFix(
            CodeAction.Create("Make the handler a public instance method", _ => Task.FromResult(context.Document.WithSyntaxRoot(root.ReplaceNode(method, Fix(method)))), nameof(FixHandlerSignatureCodeFix)),
            context.Diagnostics[0]);
    }

    private static MethodDeclarationSyntax Fix(MethodDeclarationSyntax method)
    {
        var kept = method.Modifiers.Where(m => !m.IsKind(SyntaxKind.StaticKeyword) && !m.IsKind(SyntaxKind.PrivateKeyword) && !m.IsKind(SyntaxKind.ProtectedKeyword) && !m.IsKind(SyntaxKind.InternalKeyword) && !m.IsKind(SyntaxKind.PublicKeyword)).ToList();
        var leading = method.Modifiers.Count > 0 ? method.Modifiers[0].LeadingTrivia : method.ReturnType.GetLeadingTrivia();
        var modifiers = SyntaxFactory.TokenList(new[] { SyntaxFactory.Token(SyntaxKind.PublicKeyword).WithLeadingTrivia(leading).WithTrailingTrivia(SyntaxFactory.Space) }.Concat(kept));
        var withoutTrivia = method.Modifiers.Count > 0 ? method : method.WithReturnType(method.ReturnType.WithLeadingTrivia());
        return withoutTrivia.WithModifiers(modifiers);
    }
}
