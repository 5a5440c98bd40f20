using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;

namespace Warren;

/// <summary>
/// A topology as documents: RabbitMQ definitions (for <c>rabbitmqctl import_definitions</c> or an import in the
/// management UI) and a Mermaid flowchart. Generated code exposes both for its assembly's topology
/// (<c>WarrenTopology.DefinitionsJson</c>, <c>WarrenTopology.Mermaid</c>).
/// </summary>
public static class TopologyDocuments
{
    /// <summary>The topology as RabbitMQ definitions JSON (exchanges, queues, bindings) for one virtual host, indented.</summary>
    public static string DefinitionsJson(Topology topology, string virtualHost = "/")
    {
        ArgumentNullException.ThrowIfNull(topology);
        ArgumentNullException.ThrowIfNull(virtualHost);
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteStartArray("exchanges");
            foreach (var e in topology.Exchanges)
            {
                json.WriteStartObject();
                json.WriteString("name", e.Name);
                json.WriteString("vhost", virtualHost);
                json.WriteString("type", e.Type);
                json.WriteBoolean("durable", e.Durable);
                json.WriteBoolean("auto_delete", e.AutoDelete);
                json.WriteBoolean("internal", false);
                WriteArguments(json, e.Arguments);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteStartArray("queues");
            foreach (var q in topology.Queues)
            {
                json.WriteStartObject();
                json.WriteString("name", q.Name);
                json.WriteString("vhost", virtualHost);
                json.WriteBoolean("durable", q.Durable);
                json.WriteBoolean("auto_delete", q.AutoDelete);
                WriteArguments(json, q.Arguments);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteStartArray("bindings");
            foreach (var b in topology.Bindings)
            {
                json.WriteStartObject();
                json.WriteString("source", b.Exchange);
                json.WriteString("vhost", virtualHost);
                json.WriteString("destination", b.Queue);
                json.WriteString("destination_type", "queue");
                json.WriteString("routing_key", b.RoutingKey);
                WriteArguments(json, b.Arguments);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(stream.ToArray()).ReplaceLineEndings("\n") + "\n";
    }

    /// <summary>The topology as a Mermaid flowchart: exchanges, queues, bindings, and where queues dead-letter to.</summary>
    public static string Mermaid(Topology topology)
    {
        ArgumentNullException.ThrowIfNull(topology);
        var b = new StringBuilder("flowchart LR\n");
        foreach (var e in topology.Exchanges)
        {
            b.Append($"    x_{Id(e.Name)}{{{{\"{Label(e.Name)} ({e.Type})\"}}}}\n");
        }

        // Exchanges the topology uses without declaring them (amq.direct under RPC queues, a dead-letter exchange declared
        // elsewhere) get a node too: Mermaid would otherwise draw them as boxes labelled with their ids.
        var declared = new HashSet<string>(topology.Exchanges.Select(e => e.Name), StringComparer.Ordinal);
        var used = topology.Bindings.Select(binding => binding.Exchange)
            .Concat(topology.Queues.Select(q => q.Arguments is { } a && a.TryGetValue("x-dead-letter-exchange", out var dlx) ? dlx as string : null)
                .OfType<string>());
        foreach (var name in used.Where(n => n.Length > 0 && declared.Add(n)))
        {
            b.Append($"    x_{Id(name)}{{{{\"{Label(name)}\"}}}}\n");
        }

        foreach (var q in topology.Queues)
        {
            b.Append($"    q_{Id(q.Name)}[(\"{Label(q.Name)}\")]\n");
        }

        foreach (var binding in topology.Bindings)
        {
            var headers = binding.Arguments?.Where(a => a.Key != "x-match").Select(a => $"{a.Key}={a.Value}").ToList();
            var label = binding.Arguments is { } arguments && arguments.TryGetValue("x-match", out var match)
                ? $"{match}: {string.Join(", ", headers!)}"
                : binding.RoutingKey;
            b.Append(label.Length == 0
                ? $"    x_{Id(binding.Exchange)} --> q_{Id(binding.Queue)}\n"
                : $"    x_{Id(binding.Exchange)} -- \"{Label(label)}\" --> q_{Id(binding.Queue)}\n");
        }

        foreach (var q in topology.Queues)
        {
            if (q.Arguments is null || !q.Arguments.TryGetValue("x-dead-letter-exchange", out var dlx) || dlx is not string exchange)
            {
                continue;
            }

            if (exchange.Length == 0 && q.Arguments.TryGetValue("x-dead-letter-routing-key", out var key) && key is string target)
            {
                // Dead-lettering through the default exchange goes straight to the queue the key names (a retry).
                b.Append($"    q_{Id(q.Name)} -. retry .-> q_{Id(target)}\n");
            }
            else if (exchange.Length > 0)
            {
                b.Append($"    q_{Id(q.Name)} -. dead letters .-> x_{Id(exchange)}\n");
            }
        }

        return b.ToString();
    }

    private static void WriteArguments(Utf8JsonWriter json, IReadOnlyDictionary<string, object?>? arguments)
    {
        json.WriteStartObject("arguments");
        foreach (var (name, value) in arguments ?? new Dictionary<string, object?>())
        {
            switch (value)
            {
                case null:
                    json.WriteNull(name);
                    break;
                case string text:
                    json.WriteString(name, text);
                    break;
                case bool flag:
                    json.WriteBoolean(name, flag);
                    break;
                case long number:
                    json.WriteNumber(name, number);
                    break;
                case int number:
                    json.WriteNumber(name, number);
                    break;
                default:
                    json.WriteString(name, Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture));
                    break;
            }
        }

        json.WriteEndObject();
    }

    /// <summary>
    /// A node id for <paramref name="name"/> (after its kind's prefix, <c>x_</c> or <c>q_</c>): ASCII letters and digits
    /// as they are, <c>.</c> as <c>__</c>, any other UTF-16 unit as <c>_</c>, its hexadecimal code, <c>_</c>
    /// (<c>a_b</c> gives <c>a_5f_b</c>). Mermaid takes only letters, digits and <c>_</c> in an id safely, and every
    /// escape starts with <c>_</c> and can be read back one way, so two names never share an id (before, <c>a.b</c>
    /// and <c>a_b</c> were one box) and a name has the same id in every diagram. The system check's diagram uses it too.
    /// </summary>
    internal static string Id(string name)
    {
        var b = new StringBuilder(name.Length + 8);
        foreach (var c in name)
        {
            if (char.IsAsciiLetterOrDigit(c))
            {
                b.Append(c);
            }
            else if (c == '.')
            {
                b.Append("__");
            }
            else
            {
                b.Append('_').Append(((int)c).ToString("x", System.Globalization.CultureInfo.InvariantCulture)).Append('_');
            }
        }

        return b.ToString();
    }

    /// <summary>Text inside a quoted Mermaid label: quotes as entities, line breaks and lone surrogates as '?'.</summary>
    private static string Label(string text)
    {
        var b = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            b.Append(c == '"' ? "#quot;" : char.IsControl(c) || char.IsSurrogate(c) || c is '\u2028' or '\u2029' ? "?" : c.ToString());
        }

        return b.ToString();
    }
}
