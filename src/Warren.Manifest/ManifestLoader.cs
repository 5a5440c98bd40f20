using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;

namespace Warren.Manifest;

/// <summary>
/// Reads a <c>manifest.json</c> for the check, refusing with a <see cref="ManifestException"/> (WRS000, exit code 2) what
/// the tool did not write: text that is not JSON, a format it does not know, and a manifest without one of its lists or
/// with null where a list, an entry or a name belongs. A missing list is not read as empty: the tool writes every list
/// (<c>[]</c> when empty), so one that is missing means a file cut short or edited by hand, and reading it as empty
/// would hide what the service publishes or consumes from the check.
/// </summary>
internal static class ManifestLoader
{
    private const int MaxProblemsShown = 5;

    public static ServiceManifest Load(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
        {
            throw new ManifestException($"{path} could not be read: {e.Message}", e);
        }

        return Read(text, path);
    }

    /// <summary>The manifest in <paramref name="text"/>, read from <paramref name="path"/> (named in every error).</summary>
    public static ServiceManifest Read(string text, string path)
    {
        ServiceManifest? manifest;
        List<string> missing;
        try
        {
            using (var document = JsonDocument.Parse(text))
            {
                CheckFormat(path, document.RootElement);
                missing = MissingLists(document.RootElement);
            }

            manifest = JsonSerializer.Deserialize(text, ManifestJson.Default.ServiceManifest);
        }
        catch (JsonException e)
        {
            throw new ManifestException($"{path} is not a Warren manifest: {e.Message}", e);
        }

        if (manifest is null)
        {
            throw new ManifestException($"{path} is empty.");
        }

        var problems = missing.Select(name => $"the list '{name}' is missing").Concat(Problems(manifest, missing)).ToList();
        if (problems.Count > 0)
        {
            var shown = string.Join("; ", problems.Take(MaxProblemsShown)) + (problems.Count > MaxProblemsShown ? $"; and {problems.Count - MaxProblemsShown} more" : string.Empty);
            throw new ManifestException(
                $"{path} is not a complete Warren manifest (format {manifest.Format}): {shown}. The tool writes every list, "
                + "[] when it is empty, and every name: build the service again, or complete the file.");
        }

        return manifest;
    }

    /// <summary>Refuses what is not an object with a format this tool reads, before the typed read fills in defaults.</summary>
    private static void CheckFormat(string path, JsonElement root)
    {
        if (root.ValueKind == JsonValueKind.Null)
        {
            throw new ManifestException($"{path} is empty.");
        }

        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new ManifestException($"{path} is not a Warren manifest: it holds a JSON {root.ValueKind.ToString().ToLowerInvariant()}, not an object.");
        }

        if (!root.TryGetProperty("format", out var format) || format.ValueKind == JsonValueKind.Null)
        {
            throw new ManifestException($"{path} is not a Warren manifest: it lacks 'format' (the manifest format, {ServiceManifest.CurrentFormat} for this tool).");
        }

        if (format.ValueKind != JsonValueKind.Number || !format.TryGetInt32(out var number))
        {
            throw new ManifestException($"{path} is not a Warren manifest: its 'format' is {format.GetRawText()}, not a whole number.");
        }

        if (number > ServiceManifest.CurrentFormat)
        {
            throw new ManifestException($"{path} has manifest format {number}; this tool reads up to {ServiceManifest.CurrentFormat}.");
        }

        if (number < 1)
        {
            throw new ManifestException($"{path} has manifest format {number}, which no Warren writes; this tool reads formats 1 to {ServiceManifest.CurrentFormat}.");
        }
    }

    /// <summary>The lists every manifest holds, as the tool writes them.</summary>
    private static readonly string[] Lists = ["modules", "exchanges", "queues", "bindings", "publishes", "consumes", "deadLetters", "calls", "serves"];

    /// <summary>
    /// The lists <paramref name="root"/> lacks, read from the document itself (matched as the typed read matches names,
    /// ignoring case): whatever the typed read leaves in a list it did not find, a missing list is refused.
    /// </summary>
    private static List<string> MissingLists(JsonElement root)
    {
        var present = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var property in root.EnumerateObject())
        {
            present.Add(property.Name);
        }

        return [.. Lists.Where(name => !present.Contains(name))];
    }

    /// <summary>Every list, entry and name the format requires that is null (or, for a name, missing), as JSON paths; the lists in <paramref name="missing"/> were reported already.</summary>
    private static IEnumerable<string> Problems(ServiceManifest m, List<string> missing)
    {
        if (m.Service is null)
        {
            yield return "'service' is null";
        }

        if (m.Kind is null)
        {
            yield return "'kind' is null";
        }

        foreach (var problem in List(m.Modules, "modules", missing, (name, at) => name is null ? [$"'{at}' is null"] : []))
        {
            yield return problem;
        }

        foreach (var problem in List(m.Exchanges, "exchanges", missing, (e, at) => Names(at, ("name", e.Name), ("type", e.Type))))
        {
            yield return problem;
        }

        foreach (var problem in List(m.Queues, "queues", missing, (q, at) => Names(at, ("name", q.Name))))
        {
            yield return problem;
        }

        foreach (var problem in List(m.Bindings, "bindings", missing, (b, at) => Names(at, ("exchange", b.Exchange), ("queue", b.Queue), ("routingKey", b.RoutingKey))))
        {
            yield return problem;
        }

        foreach (var problem in List(m.Publishes, "publishes", missing, (p, at) => Names(at, ("contract", p.Contract), ("type", p.Type), ("exchange", p.Exchange), ("routingKey", p.RoutingKey))))
        {
            yield return problem;
        }

        foreach (var problem in List(m.Consumes, "consumes", missing, (c, at) => Names(at, ("queue", c.Queue), ("contract", c.Contract), ("type", c.Type))))
        {
            yield return problem;
        }

        foreach (var problem in List(m.DeadLetters, "deadLetters", missing, (d, at) => Names(at, ("queue", d.Queue), ("exchange", d.Exchange), ("routingKey", d.RoutingKey))))
        {
            yield return problem;
        }

        foreach (var problem in List(m.Calls, "calls", missing, (r, at) => Names(at, ("service", r.Service), ("queue", r.Queue))))
        {
            yield return problem;
        }

        foreach (var problem in List(m.Serves, "serves", missing, (r, at) => Names(at, ("service", r.Service), ("queue", r.Queue))))
        {
            yield return problem;
        }
    }

    private static IEnumerable<string> List<T>(List<T>? list, string name, List<string> missing, Func<T, string, IEnumerable<string>> entry)
    {
        if (missing.Contains(name))
        {
            yield break;
        }

        if (list is null)
        {
            yield return $"'{name}' is null";
            yield break;
        }

        for (var i = 0; i < list.Count; i++)
        {
            var at = $"{name}[{i}]";
            if (list[i] is not { } item)
            {
                yield return $"'{at}' is null";
                continue;
            }

            foreach (var problem in entry(item, at))
            {
                yield return problem;
            }
        }
    }

    private static IEnumerable<string> Names(string at, params (string Name, string? Value)[] members) =>
        members.Where(m => m.Value is null).Select(m => $"'{at}.{m.Name}' is missing or null");
}
