using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace Warren.Generators.Model;

/// <summary>Where a call is written, as values (no syntax tree survives the parse step): a diagnostic's location.</summary>
internal sealed record CallSiteModel(string FilePath, TextSpan Span, LinePositionSpan LineSpan)
{
    public static CallSiteModel Of(SyntaxNode node)
    {
        var location = node.GetLocation();
        return new CallSiteModel(node.SyntaxTree.FilePath, location.SourceSpan, location.GetLineSpan().Span);
    }

    public Location ToLocation() => Location.Create(FilePath, Span, LineSpan);
}
