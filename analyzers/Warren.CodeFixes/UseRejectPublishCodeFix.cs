using System.Collections.Immutable;
using System.Composition;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Simplification;
using Warren.Analyzers;
using Warren.Generators.Parsing;

namespace Warren.CodeFixes;

/// <summary>WRN017: a quorum queue's <c>Overflow = QueueOverflow.RejectPublishDlx</c> becomes <c>QueueOverflow.RejectPublish</c>.</summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(UseRejectPublishCodeFix))]
[Shared]
public sealed class UseRejectPublishCodeFix : DocumentCodeFix
{
    /// <inheritdoc />
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticDescriptors.QuorumRejectPublishDlx.Id);

    /// <inheritdoc />
    protected override string Title => "Use Overflow = RejectPublish";

    /// <inheritdoc />
    protected override SyntaxNode? Target(SyntaxNode root, Diagnostic diagnostic) =>
        root.FindNode(diagnostic.Location.SourceSpan).FirstAncestorOrSelf<AttributeArgumentSyntax>() is { NameEquals.Name.Identifier.ValueText: AttributeNames.Queue.Overflow } argument
            ? argument
            : null;

    /// <inheritdoc />
    protected override SyntaxNode Apply(SyntaxNode root, SyntaxNode target, Diagnostic diagnostic)
    {
        var argument = (AttributeArgumentSyntax)target;
        var name = SyntaxFactory.IdentifierName(AttributeEnums.RejectPublishMember);

        // The user's qualification stays (QueueOverflow.X, Warren.QueueOverflow.X, a using static's X); anything else
        // (a constant, a cast) becomes the enum member, shortened where the usings allow.
        ExpressionSyntax replaced = argument.Expression switch
        {
            MemberAccessExpressionSyntax { Name.Identifier.ValueText: AttributeEnums.RejectPublishDlxMember } member => member.WithName(name.WithTriviaFrom(member.Name)),
            IdentifierNameSyntax { Identifier.ValueText: AttributeEnums.RejectPublishDlxMember } identifier => name.WithTriviaFrom(identifier),
            var other => SyntaxFactory.ParseExpression("global::Warren.QueueOverflow." + AttributeEnums.RejectPublishMember)
                .WithAdditionalAnnotations(Simplifier.Annotation).WithTriviaFrom(other),
        };
        return root.ReplaceNode(argument, argument.WithExpression(replaced));
    }
}
