using System.Linq;
using System.Text;
using Warren.Generators.Model;
using Warren.Generators.Parsing;

namespace Warren.Generators.Emitting;

/// <summary>
/// Emits the assembly's manifest as compact metadata: one <c>[assembly: AssemblyMetadata("Warren.&lt;Kind&gt;", json)]</c>
/// per exchange, queue, binding, published and consumed contract, dead-letter route, called and served RPC service.
/// The Warren package's build step (Warren.Manifest, run after Build) reads them from the built assembly without
/// loading it and writes <c>warren/manifest.json</c>, <c>definitions.json</c> and <c>topology.mmd</c>; nothing is
/// rendered at compile time (docs/system-check.md).
/// </summary>
internal static class ManifestEmitter
{
    public const string HintName = "Warren.Manifest.g.cs";

    /// <summary>The manifest format; Warren.Manifest refuses a newer one.</summary>
    public const string Format = "1";

    public static string Emit(ManifestModel manifest)
    {
        var w = new SourceWriter();
        void Entry(string kind, params (string Name, string Value)[] members) =>
            w.Line($"[assembly: global::System.Reflection.AssemblyMetadata(\"Warren.{kind}\", {Literals.String(Json.Object(members))})]");

        w.Line($"[assembly: global::System.Reflection.AssemblyMetadata(\"Warren.Manifest\", \"{Format}\")]");
        var plan = manifest.Topology;
        foreach (var e in plan.Exchanges)
        {
            Entry("Exchange", ("name", Json.String(e.Name)), ("type", Json.String(e.Type)), ("durable", Json.Bool(e.Durable)), ("autoDelete", Json.Bool(e.AutoDelete)));
        }

        foreach (var q in plan.Queues)
        {
            var arguments = Json.Object(q.Arguments.Select(a => (a.Name, a.JsonValue)).ToArray());
            Entry("Queue", ("name", Json.String(q.Name)), ("durable", Json.Bool(q.Durable)), ("exclusive", Json.Bool(q.Exclusive)), ("autoDelete", Json.Bool(q.AutoDelete)), ("arguments", arguments));
        }

        foreach (var b in plan.Bindings)
        {
            var arguments = b.Binding.HeadersMatch is null
                ? Json.Object()
                : Json.Object(new[] { ("x-match", Json.String(b.Binding.HeadersMatch)) }.Concat(b.Binding.Headers.Select(h => (h.Name, Json.String(h.Value)))).ToArray());
            Entry("Binding", ("exchange", Json.String(b.Exchange)), ("queue", Json.String(b.Queue)), ("routingKey", Json.String(b.Binding.RoutingKey)), ("arguments", arguments));
        }

        foreach (var p in manifest.Publishes)
        {
            Entry("Publishes", ("contract", Json.String(p.Contract)), ("type", Json.String(p.Type)), ("exchange", Json.String(p.Exchange)), ("routingKey", Json.String(p.RoutingKey)));
        }

        foreach (var c in manifest.Consumes)
        {
            Entry("Consumes", ("queue", Json.String(c.Queue)), ("contract", Json.String(c.Contract)), ("type", Json.String(c.Type)));
        }

        foreach (var d in manifest.DeadLetters)
        {
            Entry("DeadLetters", ("queue", Json.String(d.Queue)), ("exchange", Json.String(d.Exchange)), ("routingKey", Json.String(d.RoutingKey)));
        }

        foreach (var c in manifest.Calls)
        {
            Entry("Calls", ("service", Json.String(c.Service)), ("queue", Json.String(c.Queue)));
        }

        foreach (var s in manifest.Serves)
        {
            Entry("Serves", ("service", Json.String(s.Service)), ("queue", Json.String(s.Queue)));
        }

        return w.ToString();
    }

    /// <summary>Compact JSON text (no spaces), written by hand: a generator cannot take a JSON library along.</summary>
    private static class Json
    {
        public static string String(string value) => Literals.JsonString(value);

        public static string Bool(bool value) => value ? "true" : "false";

        public static string Object(params (string Name, string Value)[] members)
        {
            var b = new StringBuilder("{");
            foreach (var (name, value) in members)
            {
                b.Append(b.Length > 1 ? "," : string.Empty).Append(Literals.JsonString(name)).Append(':').Append(value);
            }

            return b.Append('}').ToString();
        }
    }
}
