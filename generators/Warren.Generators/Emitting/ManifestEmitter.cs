using System.Collections.Generic;
using System.Linq;
using System.Text;
using Warren.Generators.Model;
using Warren.Generators.Parsing;

namespace Warren.Generators.Emitting;

/// <summary>
/// Emits the assembly's manifest as compact metadata: one <c>[assembly: AssemblyMetadata("Warren.&lt;Kinds&gt;", json)]</c>
/// per kind (exchanges, queues, bindings, published and consumed contracts, dead-letter routes, called and served RPC
/// services), its value a JSON array with an entry a line (a long one wrapped). A handful of attributes, whatever the
/// number of consumers, costs the compiler far less than an attribute per entry. The Warren package's build step (Warren.Manifest, run after
/// Build) reads them from the built assembly without loading it and writes <c>warren/manifest.json</c>,
/// <c>definitions.json</c> and <c>topology.mmd</c>; nothing is rendered at compile time (docs/system-check.md).
/// </summary>
internal static class ManifestEmitter
{
    public const string HintName = "Warren.Manifest.g.cs";

    /// <summary>
    /// The manifest format; Warren.Manifest refuses a newer one. 3: as 2, plus <c>DefaultRetryQueues</c>, and default
    /// values left out; 2: a JSON array per kind; 1: an attribute per entry.
    /// </summary>
    public const string Format = "3";

    public static string Emit(ManifestModel manifest)
    {
        var w = new SourceWriter();
        w.Line($"[assembly: global::System.Reflection.AssemblyMetadata(\"Warren.Manifest\", \"{Format}\")]");
        var plan = manifest.Topology;

        // A work queue with the default failure policy is its name in one list; the reader expands it into what the
        // policy declares (dead-letter exchange and queue, retry queues, their binding) and its dead-letter route.
        var routes = new HashSet<DeadLetterRoute>(manifest.DeadLetters.Where(d => d.Exchange == d.Queue + FailurePolicyDefaults.ExchangeSuffix && d.RoutingKey == d.Queue));
        var standard = TopologyEmitter.StandardQueues(plan, queue => routes.Contains(new DeadLetterRoute(queue, queue + FailurePolicyDefaults.ExchangeSuffix, queue)));
        Kind(w, "Exchanges", plan.Exchanges.Where(e => !standard.AbsorbedExchanges.Contains(e.Name)).Select(e => Json.Object(
            ("name", Json.String(e.Name)), ("type", Json.String(e.Type)), Unless(e.Durable, ("durable", "false")), If(e.AutoDelete, ("autoDelete", "true")))));
        Kind(w, "Queues", plan.Queues.Where(q => !standard.Queues.Contains(q.Name) && !standard.AbsorbedQueues.Contains(q.Name)).Select(q => Json.Object(
            ("name", Json.String(q.Name)), Unless(q.Durable, ("durable", "false")), If(q.Exclusive, ("exclusive", "true")), If(q.AutoDelete, ("autoDelete", "true")),
            If(q.Arguments.Count > 0, ("arguments", Json.Object(q.Arguments.Select(a => ((string Name, string Value)?)(a.Name, a.JsonValue)).ToArray()))))));
        Kind(w, "DefaultRetryQueues", plan.Queues.Where(q => standard.Queues.Contains(q.Name)).Select(q => Json.String(q.Name)));
        Kind(w, "Bindings", plan.Bindings.Where(b => !TopologyEmitter.IsDeadLetterBinding(standard, b.Exchange, b.Queue, b.Binding)).Select(b =>
        {
            var arguments = b.Binding.HeadersMatch is null
                ? null
                : Json.Object(new (string, string)?[] { ("x-match", Json.String(b.Binding.HeadersMatch)) }.Concat(b.Binding.Headers.Select(h => ((string, string)?)(h.Name, Json.String(h.Value)))).ToArray());
            return Json.Object(("exchange", Json.String(b.Exchange)), ("queue", Json.String(b.Queue)), If(b.Binding.RoutingKey.Length > 0, ("routingKey", Json.String(b.Binding.RoutingKey))), arguments is null ? null : ("arguments", arguments));
        }));
        Kind(w, "Publishes", manifest.Publishes.Select(p => Json.Object(("contract", Json.String(p.Contract)), ("type", Json.String(p.Type)), ("exchange", Json.String(p.Exchange)), ("routingKey", Json.String(p.RoutingKey)))));
        Kind(w, "Consumes", manifest.Consumes.Select(c => Json.Object(("queue", Json.String(c.Queue)), ("contract", Json.String(c.Contract)), ("type", Json.String(c.Type)))));
        Kind(w, "DeadLetters", manifest.DeadLetters.Where(d => !(standard.Queues.Contains(d.Queue) && routes.Contains(d))).Select(d => Json.Object(
            ("queue", Json.String(d.Queue)), ("exchange", Json.String(d.Exchange)), ("routingKey", Json.String(d.RoutingKey)))));
        Kind(w, "Calls", manifest.Calls.Select(c => Json.Object(("service", Json.String(c.Service)), ("queue", Json.String(c.Queue)))));
        Kind(w, "Serves", manifest.Serves.Select(s => Json.Object(("service", Json.String(s.Service)), ("queue", Json.String(s.Queue)))));
        return w.ToString();
    }

    /// <summary>A member written only when <paramref name="condition"/> holds (a value other than the reader's default).</summary>
    private static (string Name, string Value)? If(bool condition, (string Name, string Value) member) => condition ? member : null;

    private static (string Name, string Value)? Unless(bool condition, (string Name, string Value) member) => condition ? null : member;

    /// <summary>
    /// The entries of one kind, if any, as a verbatim string (only its quotes doubled) holding a JSON array with an
    /// entry a line; an entry too long for <see cref="SourceWriter.Width"/> goes on as many lines as it needs (see
    /// <see cref="Lines"/>). JSON escapes every control character, so a line break is never inside a string.
    /// </summary>
    private static void Kind(SourceWriter w, string kind, IEnumerable<string> entries)
    {
        var list = entries.ToList();
        if (list.Count == 0)
        {
            return;
        }

        w.Line($"[assembly: global::System.Reflection.AssemblyMetadata(\"Warren.{kind}\", @\"[");
        for (var i = 0; i < list.Count; i++)
        {
            foreach (var line in Lines(list[i], i == list.Count - 1 ? string.Empty : ","))
            {
                w.Line(line);
            }
        }

        w.Line("]\")]");
    }

    /// <summary>
    /// One entry followed by <paramref name="suffix"/>, its quotes doubled: on one line when it fits
    /// <see cref="SourceWriter.Width"/>, else broken after the commas between members (at any depth, never inside a
    /// string), as many members a line as fit, each following line indented. JSON allows the whitespace, and the
    /// string holds a few more characters, nothing the compiler has to evaluate.
    /// </summary>
    private static List<string> Lines(string entry, string suffix)
    {
        var lines = new List<string>();
        if (Verbatim(entry).Length + suffix.Length <= SourceWriter.Width)
        {
            lines.Add(Verbatim(entry) + suffix);
            return lines;
        }

        var line = new StringBuilder();
        string Lead() => lines.Count == 0 ? string.Empty : "    ";
        void Add(string part)
        {
            if (line.Length > 0 && Lead().Length + line.Length + part.Length > SourceWriter.Width)
            {
                lines.Add(Lead() + line);
                line.Clear();
            }

            line.Append(part);
        }

        var start = 0;
        var inString = false;
        for (var i = 0; i < entry.Length; i++)
        {
            var c = entry[i];
            if (inString)
            {
                if (c == '\\')
                {
                    i++;
                }
                else if (c == '"')
                {
                    inString = false;
                }
            }
            else if (c == '"')
            {
                inString = true;
            }
            else if (c == ',')
            {
                Add(Verbatim(entry.Substring(start, i + 1 - start)));
                start = i + 1;
            }
        }

        Add(Verbatim(entry.Substring(start)) + suffix);
        lines.Add(Lead() + line);
        return lines;
    }

    /// <summary>Text inside a verbatim string: its quotes doubled.</summary>
    private static string Verbatim(string text) => text.Replace("\"", "\"\"");

    /// <summary>Compact JSON text (no spaces), written by hand: a generator cannot take a JSON library along.</summary>
    private static class Json
    {
        public static string String(string value) => Literals.JsonString(value);

        public static string Bool(bool value) => value ? "true" : "false";

        public static string Object(params (string Name, string Value)?[] members)
        {
            var b = new StringBuilder("{");
            foreach (var member in members)
            {
                if (member is not var (name, value))
                {
                    continue;
                }

                b.Append(b.Length > 1 ? "," : string.Empty).Append(Literals.JsonString(name)).Append(':').Append(value);
            }

            return b.Append('}').ToString();
        }
    }
}
