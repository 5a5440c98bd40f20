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
/// WRN005: makes a handler a public instance method, and an <c>async void</c> handler <c>async Task</c> (the mechanical
/// parts of a handler's signature; the parameters only the user can fix). WRN039: makes a method meant as a handler
/// public. Not offered for an override (its access is its base method's) or an explicit interface implementation.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(FixHandlerSignatureCodeFix))]
[Shared]
public sealed class FixHandlerSignatureCodeFix : DocumentCodeFix
{
    private static readonly SyntaxKind[] Replaced = [SyntaxKind.StaticKeyword, SyntaxKind.PrivateKeyword, SyntaxKind.ProtectedKeyword, SyntaxKind.InternalKeyword, SyntaxKind.PublicKeyword];

    /// <inheritdoc />
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticDescriptors.UnsupportedHandler.Id, DiagnosticDescriptors.HiddenHandler.Id);

    /// <inheritdoc />
    protected override string Title => "Make the handler a public instance method returning Task";

    /// <inheritdoc />
    protected override SyntaxNode? Target(SyntaxNode root, Diagnostic diagnostic) =>
        root.FindNode(diagnostic.Location.SourceSpan).FirstAncestorOrSelf<MethodDeclarationSyntax>() is { ExplicitInterfaceSpecifier: null } method
        && !method.Modifiers.Any(SyntaxKind.OverrideKeyword)
        && (NeedsModifiers(method) || IsAsyncVoid(method))
            ? method
            : null;

    /// <inheritdoc />
    protected override SyntaxNode Apply(SyntaxNode root, SyntaxNode target, Diagnostic diagnostic)
    {
        var method = (MethodDeclarationSyntax)target;
        var fixedMethod = method;
        if (IsAsyncVoid(method))
        {
            var task = SyntaxFactory.ParseTypeName("global::System.Threading.Tasks.Task").WithAdditionalAnnotations(Simplifier.Annotation);
            fixedMethod = fixedMethod.WithReturnType(task.WithTriviaFrom(method.ReturnType));
        }

        if (!NeedsModifiers(method))
        {
            return root.ReplaceNode(method, fixedMethod);
        }

        var kept = method.Modifiers.Where(m => !Replaced.Any(k => m.IsKind(k))).ToList();

        // The first modifier (or the return type) carries the indentation; attributes keep the doc comment above them.
        var leading = method.Modifiers.Count > 0 ? method.Modifiers[0].LeadingTrivia : method.ReturnType.GetLeadingTrivia();
        var modifiers = SyntaxFactory.TokenList(new[] { SyntaxFactory.Token(SyntaxKind.PublicKeyword).WithLeadingTrivia(leading).WithTrailingTrivia(SyntaxFactory.Space) }
            .Concat(kept.Select((m, i) => i == 0 && method.Modifiers[0] != m ? m.WithLeadingTrivia() : m)));
        var withoutTrivia = method.Modifiers.Count > 0 ? fixedMethod : fixedMethod.WithReturnType(fixedMethod.ReturnType.WithLeadingTrivia());
        return root.ReplaceNode(method, withoutTrivia.WithModifiers(modifiers));
    }

    private static bool NeedsModifiers(MethodDeclarationSyntax method) =>
        method.Modifiers.Any(SyntaxKind.StaticKeyword) || !method.Modifiers.Any(SyntaxKind.PublicKeyword);

    private static bool IsAsyncVoid(MethodDeclarationSyntax method) =>
        method.Modifiers.Any(SyntaxKind.AsyncKeyword) && method.ReturnType is PredefinedTypeSyntax { Keyword.ValueText: "void" };
}
