using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Warren.Generators.Tests.UserFacing;

/// <summary>What a docs page's C# block must do when compiled.</summary>
internal enum SnippetKind
{
    /// <summary>Compiles with no error and no Warren diagnostic.</summary>
    Clean,

    /// <summary><c>&lt;!-- snippet: fragment --&gt;</c>: a deliberate excerpt, not compiled.</summary>
    Fragment,

    /// <summary><c>&lt;!-- snippet: reports WRN001 --&gt;</c>: code that is meant to be reported; exactly those ids are.</summary>
    Reports,
}

/// <summary>One fenced C# block of a Markdown page: where it is, its code and what it must do.</summary>
/// <param name="Continues">
/// <c>&lt;!-- snippet: continues --&gt;</c>: the block is compiled after the page's previous C# block, as its continuation
/// (a "corrected" example): the types it declares replace those of the same name above it, the rest stays.
/// </param>
internal sealed record DocsSnippet(string File, int Line, string Code, SnippetKind Kind, ImmutableArray<string> ExpectedIds, DocsSnippet? Continues)
{
    /// <summary>Where the block is, as <c>docs/page.md:line</c> (the line of its first code line).</summary>
    public string Where => $"{File}:{Line}";

    /// <summary>The blocks compiled as one unit: the ones it continues, then itself.</summary>
    public IEnumerable<DocsSnippet> Chain() => Continues is null ? [this] : Continues.Chain().Append(this);

    /// <summary>Whether the example declares its own messages, handlers or JSON context (then docs/examples/App.cs stays out).</summary>
    public bool DeclaresApplication => Chain().Any(s => Regex.IsMatch(
        s.Code, @"\[(Exchange|Queue|RpcService|Publisher|JsonSerializable)\b|\b(class|record|interface) (UserCreated|EmailNotifications|AppJson)\b"));
}

/// <summary>
/// Reads the C# blocks of the Markdown pages, and turns each into one syntax tree that can share a compilation with the
/// others: the block's declarations go into a namespace of their own, its statements into a method, and <c>#line</c>
/// directives map every diagnostic back to the page and line it came from.
/// </summary>
internal static class DocsSnippets
{
    public const string MarkerPrefix = "<!-- snippet:";
    public const string FragmentMarker = "<!-- snippet: fragment -->";
    public const string ContinuesMarker = "<!-- snippet: continues -->";

    private static readonly Regex ReportsMarker = new(@"^<!-- snippet: reports (?<ids>WRN\d{3}(\s*,\s*WRN\d{3})*) -->$", RegexOptions.CultureInvariant);
    private static readonly string[] CSharpTags = ["csharp", "cs", "c#"];

    /// <summary>README.md and every page under docs/ (docs/diagnostics included), in a stable order.</summary>
    public static IEnumerable<string> Pages(string root) =>
        new[] { Path.Combine(root, "README.md") }
            .Concat(Directory.GetFiles(Path.Combine(root, "docs"), "*.md", SearchOption.AllDirectories).Order(StringComparer.Ordinal));

    public static IEnumerable<DocsSnippet> Read(string root)
    {
        foreach (var path in Pages(root))
        {
            var relative = Path.GetRelativePath(root, path).Replace('\\', '/');
            DocsSnippet? previous = null;
            foreach (var snippet in Read(relative, File.ReadAllLines(path), () => previous))
            {
                previous = snippet;
                yield return snippet;
            }
        }
    }

    private static IEnumerable<DocsSnippet> Read(string file, string[] lines, Func<DocsSnippet?> previous)
    {
        for (var i = 0; i < lines.Length; i++)
        {
            var fence = lines[i].Trim();
            if (!fence.StartsWith("```", StringComparison.Ordinal) || fence.Length == 3)
            {
                continue;
            }

            var start = i + 1;
            var end = start;
            while (end < lines.Length && lines[end].Trim() != "```")
            {
                end++;
            }

            var language = fence[3..].Trim();
            var marker = i > 0 ? lines[i - 1].Trim() : "";
            i = end;
            if (!CSharpTags.Contains(language, StringComparer.OrdinalIgnoreCase))
            {
                continue;
            }

            var code = string.Join('\n', lines[start..end]);
            var line = start + 1;
            if (marker == FragmentMarker)
            {
                yield return new DocsSnippet(file, line, code, SnippetKind.Fragment, [], null);
            }
            else if (ReportsMarker.Match(marker) is { Success: true } reports)
            {
                var ids = reports.Groups["ids"].Value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
                yield return new DocsSnippet(file, line, code, SnippetKind.Reports, [.. ids], null);
            }
            else if (marker == ContinuesMarker)
            {
                var continued = previous() ?? throw new InvalidOperationException($"{file}:{line}: '{ContinuesMarker}' on the page's first C# block");
                yield return new DocsSnippet(file, line, code, SnippetKind.Clean, [], continued);
            }
            else if (marker.StartsWith(MarkerPrefix, StringComparison.Ordinal))
            {
                throw new InvalidOperationException(
                    $"{file}:{line}: unknown marker '{marker}' (use '{FragmentMarker}', '{ContinuesMarker}' or '<!-- snippet: reports WRN0nn -->')");
            }
            else
            {
                yield return new DocsSnippet(file, line, code, SnippetKind.Clean, [], null);
            }
        }
    }

    /// <summary>
    /// The snippet (with the blocks it continues) as one source file: usings first, then
    /// <c>namespace Docs.Snippets.S{index} { static class TopLevel { static async Task Run(string[] args) { statements } } declarations }</c>.
    /// A block of statements that uses <c>builder</c> without declaring it gets <c>var builder = Host.CreateApplicationBuilder(args);</c>,
    /// as in a Program.cs.
    /// </summary>
    public static string ToSource(DocsSnippet snippet, int index, CSharpParseOptions options)
    {
        var usings = new StringBuilder();
        var statements = new StringBuilder();
        var members = new StringBuilder();
        var usesBuilder = false;
        var declaresBuilder = false;
        var parts = snippet.Chain().Select(p => (Part: p, Root: (CompilationUnitSyntax)CSharpSyntaxTree.ParseText(p.Code, options).GetRoot())).ToList();
        for (var k = 0; k < parts.Count; k++)
        {
            var (part, root) = parts[k];
            var text = part.Code;
            var redeclared = parts.Skip(k + 1).SelectMany(p => DeclaredTypes(p.Root)).ToHashSet(StringComparer.Ordinal);
            var source = root.SyntaxTree.GetText();
            var header = root.Usings.Cast<SyntaxNode>().Concat(root.AttributeLists).Concat(root.Externs).ToList();
            if (header.Count > 0)
            {
                Append(usings, part, source, header.Min(n => n.FullSpan.Start), header.Max(n => n.FullSpan.End));
            }

            var globals = root.Members.OfType<GlobalStatementSyntax>().ToList();
            if (globals.Count > 0)
            {
                Append(statements, part, source, globals[0].FullSpan.Start, globals[^1].FullSpan.End);
                var code = text[globals[0].FullSpan.Start..globals[^1].FullSpan.End];
                usesBuilder |= Regex.IsMatch(code, @"^\s*builder\.", RegexOptions.Multiline);
                declaresBuilder |= code.Contains("var builder =", StringComparison.Ordinal);
            }

            foreach (var member in root.Members.Where(m => m is not GlobalStatementSyntax && !(m is BaseTypeDeclarationSyntax type && redeclared.Contains(type.Identifier.ValueText))))
            {
                if (member is FileScopedNamespaceDeclarationSyntax scoped)
                {
                    members.Append("namespace ").Append(scoped.Name.ToString()).Append(" {\n");
                    Append(members, part, source, scoped.SemicolonToken.Span.End, scoped.FullSpan.End);
                    members.Append("#line default\n}\n");
                }
                else
                {
                    Append(members, part, source, member.FullSpan.Start, member.FullSpan.End);
                }
            }
        }

        var result = new StringBuilder();
        result.Append(usings).Append("#line default\n");
        result.Append("namespace Docs.Snippets.S").Append(index).Append("\n{\n");
        if (statements.Length > 0)
        {
            result.Append("static class TopLevel\n{\n#pragma warning disable CS1998\nstatic async Task Run(string[] args)\n#pragma warning restore CS1998\n{\n");
            if (usesBuilder && !declaresBuilder)
            {
                result.Append("var builder = Host.CreateApplicationBuilder(args);\n");
            }

            result.Append(statements).Append("#line default\n}\n}\n");
        }

        result.Append(members).Append("#line default\n}\n");
        return result.ToString();
    }

    /// <summary>The names of the types a block declares at its top level (a continuing block replaces those of the blocks before it).</summary>
    private static IEnumerable<string> DeclaredTypes(CompilationUnitSyntax root) =>
        root.Members.OfType<BaseTypeDeclarationSyntax>().Select(t => t.Identifier.ValueText);

    /// <summary>Appends the text between two positions, preceded by a <c>#line</c> directive naming its page and line.</summary>
    private static void Append(StringBuilder target, DocsSnippet part, Microsoft.CodeAnalysis.Text.SourceText source, int start, int end)
    {
        if (end <= start)
        {
            return;
        }

        var line = source.Lines.GetLineFromPosition(start).LineNumber;
        var lineStart = source.Lines[line].Start;
        target.Append("#line ").Append(part.Line + line).Append(" \"").Append(part.File).Append("\"\n");
        target.Append(' ', start - lineStart).Append(source.ToString(Microsoft.CodeAnalysis.Text.TextSpan.FromBounds(start, end)));
        target.Append('\n');
    }
}
