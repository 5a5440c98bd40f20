using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Xml.Linq;

namespace Warren.Manifest;

/// <summary>
/// The findings as a small MSBuild project whose <c>Report</c> target returns them as <c>WarrenCheckFinding</c> items
/// (metadata <c>Code</c>, <c>Severity</c>, <c>File</c>, <c>Line</c>, <c>Column</c>, <c>Text</c>) without logging anything
/// (<c>check --msbuild &lt;file&gt;</c>). Warren.targets builds it after the check and logs each finding with the
/// <c>Error</c> and <c>Warning</c> tasks in the system project itself, so that project's warning settings
/// (<c>MSBuildWarningsAsErrors</c>, <c>MSBuildTreatWarningsAsErrors</c>, <c>NoWarn</c>…; not the compiler's
/// <c>TreatWarningsAsErrors</c>) apply to them, and the build shows the
/// WRS errors alone, where an <c>Exec</c> failing on the tool's exit code would add its own error (MSB3073) beside them.
/// </summary>
internal static class MSBuildFindings
{
    public static void Write(string path, IEnumerable<Finding> findings)
    {
        var items = new XElement("ItemGroup");
        foreach (var finding in findings.OrderByDescending(f => f.Severity).ThenBy(f => f.Id, System.StringComparer.Ordinal))
        {
            items.Add(new XElement(
                "WarrenCheckFinding",
                new XAttribute("Include", finding.Id),
                new XElement("Code", finding.Id),
                new XElement("Severity", finding.Severity == Severity.Error ? "error" : "warning"),
                new XElement("File", "warren"),
                new XElement("Line", "0"),
                new XElement("Column", "0"),
                new XElement("Text", Escape(finding.Message))));
        }

        var project = new XDocument(new XElement(
            "Project",
            new XComment(" Written by Warren's system check; Warren.targets builds its Report target and logs the findings it returns. "),
            items,
            new XElement("Target", new XAttribute("Name", "Report"), new XAttribute("Returns", "@(WarrenCheckFinding)"))));
        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }

        File.WriteAllText(path, project.ToString() + "\n");
    }

    /// <summary>MSBuild's escaping, so a message with <c>$</c>, <c>@</c>, <c>%</c>, <c>;</c> or quotes is shown as it is.</summary>
    internal static string Escape(string text)
    {
        var escaped = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            if (c is '%' or '$' or '@' or '\'' or ';' or '?' or '*')
            {
                escaped.Append('%').Append(((int)c).ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
            }
            else
            {
                escaped.Append(c);
            }
        }

        return escaped.ToString();
    }
}
