using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Xml.Linq;

namespace Warren.Manifest;

/// <summary>
/// The findings as a small MSBuild project whose <c>Report</c> target logs each one with the <c>Error</c> and
/// <c>Warning</c> tasks (<c>check --msbuild &lt;file&gt;</c>). Warren.targets builds it after the check: the build
/// then shows the WRS errors alone, where an <c>Exec</c> failing on the tool's exit code would add its own error
/// (MSB3073) beside them.
/// </summary>
internal static class MSBuildFindings
{
    public static void Write(string path, IEnumerable<Finding> findings)
    {
        var target = new XElement("Target", new XAttribute("Name", "Report"));
        foreach (var finding in findings.OrderByDescending(f => f.Severity).ThenBy(f => f.Id, System.StringComparer.Ordinal))
        {
            target.Add(new XElement(
                finding.Severity == Severity.Error ? "Error" : "Warning",
                new XAttribute("Code", finding.Id),
                new XAttribute("File", "warren"),
                new XAttribute("Text", Escape(finding.Message))));
        }

        var project = new XDocument(new XElement("Project", new XComment(" Written by Warren's system check; built by Warren.targets to report its findings. "), target));
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
