using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Warren.CodeFixes;

/// <summary>Adds and removes attributes without losing the doc comments and comments around them.</summary>
internal static class AttributeEdits
{
    /// <summary>
    /// Adds attributes, each in its own list, after a declaration's last attribute list: on their own lines when the
    /// lists are, on the same line when the declaration keeps them there. A declaration without attributes gives its
    /// doc comment to the first new list, so the comment stays on top.
    /// </summary>
    public static MemberDeclarationSyntax Add(MemberDeclarationSyntax declaration, IEnumerable<AttributeSyntax> attributes)
    {
        var lists = declaration.AttributeLists;
        var eol = Trivia.EndOfLine(declaration);
        var indentation = Trivia.Indentation(declaration);
        var sameLine = lists.Count > 0 && !lists.Last().GetTrailingTrivia().Any(t => t.IsKind(SyntaxKind.EndOfLineTrivia));
        var added = attributes
            .Select(a => SyntaxFactory.AttributeList(SyntaxFactory.SingletonSeparatedList(a)))
            .Select(l => sameLine ? l.WithTrailingTrivia(SyntaxFactory.Space) : l.WithLeadingTrivia(indentation).WithTrailingTrivia(eol))
            .ToList();
        if (added.Count == 0)
        {
            return declaration;
        }

        if (lists.Count > 0)
        {
            return declaration.WithAttributeLists(lists.AddRange(added));
        }

        var leading = declaration.GetLeadingTrivia();
        added[0] = added[0].WithLeadingTrivia(leading);
        return declaration.WithoutLeadingTrivia().WithLeadingTrivia(indentation).WithAttributeLists(SyntaxFactory.List(added));
    }

    /// <summary>
    /// Removes an attribute (its whole list when it is alone there) or an attribute argument. A removed list's
    /// comments and doc comment move to what follows it.
    /// </summary>
    public static SyntaxNode Remove(SyntaxNode root, SyntaxNode node)
    {
        if (node is AttributeSyntax { Parent: AttributeListSyntax { Attributes.Count: 1 } single })
        {
            node = single;
        }

        if (node is not AttributeListSyntax list || !Trivia.HasContent(list.GetLeadingTrivia()))
        {
            return root.RemoveNode(node, SyntaxRemoveOptions.KeepNoTrivia) ?? root;
        }

        // The list carries a doc comment or comment: the next token takes the list's leading trivia instead of its own.
        var tracked = root.TrackNodes(list);
        var next = tracked.GetCurrentNode(list)!.GetLastToken().GetNextToken();
        tracked = tracked.ReplaceToken(next, next.WithLeadingTrivia(list.GetLeadingTrivia()));
        return tracked.RemoveNode(tracked.GetCurrentNode(list)!, SyntaxRemoveOptions.KeepNoTrivia) ?? tracked;
    }
}
