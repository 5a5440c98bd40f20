using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Reflection;
using System.Text.Json;
using Xunit;

namespace Warren.Generators.Tests.Infrastructure;

/// <summary>
/// Compares the topology generated code declares (<c>WarrenTopology.Create()</c>) with the exchanges, queues and
/// bindings the same run writes into the assembly manifest (<c>AssemblyMetadata</c> JSON, read here independently),
/// each declaration rendered as one line with its arguments sorted.
/// </summary>
internal static class GeneratedTopology
{
    public static void AssertMatchesManifest(GeneratorRun run)
    {
        var app = GeneratedApp.Load(run);
        var topology = (Topology)app.GeneratedType("WarrenTopology").GetMethod("Create")!.Invoke(null, null)!;
        var metadata = app.GeneratedType("WarrenTopology").Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .ToDictionary(a => a.Key, a => a.Value, StringComparer.Ordinal);

        var declared = topology.Exchanges.Select(e => Line("exchange", e.Name, e.Type, e.Durable, e.AutoDelete, Args(e.Arguments)))
            .Concat(topology.Queues.Select(q => Line("queue", q.Name, q.Durable, q.Exclusive, q.AutoDelete, Args(q.Arguments))))
            .Concat(topology.Bindings.Select(b => Line("binding", b.Exchange, b.Queue, b.RoutingKey, Args(b.Arguments))))
            .Order(StringComparer.Ordinal)
            .ToList();
        var listed = Entries(metadata, "Warren.Exchanges").Select(e => Line("exchange", Text(e, "name"), Text(e, "type"), Flag(e, "durable", true), Flag(e, "autoDelete", false), Args(e)))
            .Concat(Entries(metadata, "Warren.Queues").Select(q => Line("queue", Text(q, "name"), Flag(q, "durable", true), Flag(q, "exclusive", false), Flag(q, "autoDelete", false), Args(q))))
            .Concat(Entries(metadata, "Warren.Bindings").Select(b => Line("binding", Text(b, "exchange"), Text(b, "queue"), Text(b, "routingKey"), Args(b))))
            .Concat(Entries(metadata, "Warren.DefaultRetryQueues").SelectMany(q => DefaultRetryQueue(Decode(q))))
            .Order(StringComparer.Ordinal)
            .ToList();

        Assert.NotEmpty(declared);
        Assert.Equal(listed, declared);
    }

    /// <summary>
    /// What manifest format 3 says a name in <c>Warren.DefaultRetryQueues</c> stands for: the work queue, its dead-letter
    /// exchange and queue and their binding, and three retry queues (5 s, 30 s, 2 min) dead-lettering back to it.
    /// </summary>
    private static IEnumerable<string> DefaultRetryQueue(string queue) =>
    [
        Line("exchange", queue + ".dlx", "direct", true, false, string.Empty),
        Line("queue", queue, true, false, false, $"x-dead-letter-exchange={queue}.dlx, x-dead-letter-routing-key={queue}"),
        Line("queue", queue + ".dlq", true, false, false, string.Empty),
        .. new[] { 5000, 30000, 120000 }.Select((delay, i) => Line("queue", $"{queue}.retry.{i + 1}", true, false, false, $"x-dead-letter-exchange=, x-dead-letter-routing-key={queue}, x-message-ttl={delay}")),
        Line("binding", queue + ".dlx", queue + ".dlq", queue, string.Empty),
    ];

    private static string Line(params object[] parts) => string.Join(" | ", parts.Select(p => p is bool b ? (b ? "true" : "false") : p.ToString()));

    private static IEnumerable<JsonElement> Entries(Dictionary<string, string?> metadata, string key) =>
        metadata.TryGetValue(key, out var json) && json is not null ? JsonDocument.Parse(json).RootElement.EnumerateArray().ToList() : [];

    private static string Text(JsonElement entry, string name) => entry.TryGetProperty(name, out var value) ? Decode(value) : string.Empty;

    /// <summary>A JSON string's text, lone surrogates included (which <c>GetString</c> refuses): names may hold them.</summary>
    private static string Decode(JsonProperty property)
    {
        // The raw property starts with its quoted name: up to the first quote not escaped.
        var raw = property.ToString();
        var end = 1;
        while (raw[end] != '"')
        {
            end += raw[end] == '\\' ? 2 : 1;
        }

        return System.Text.RegularExpressions.Regex.Unescape(raw[1..end]);
    }

    private static string Decode(JsonElement value) => System.Text.RegularExpressions.Regex.Unescape(value.GetRawText()[1..^1]);

    private static bool Flag(JsonElement entry, string name, bool fallback) => entry.TryGetProperty(name, out var value) ? value.GetBoolean() : fallback;

    private static string Args(IReadOnlyDictionary<string, object?>? arguments) =>
        string.Join(", ", (arguments ?? new Dictionary<string, object?>()).Select(a => a.Key + "=" + a.Value switch
        {
            null => "null",
            bool b => b ? "true" : "false",
            string s => s,
            IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
            var other => other.ToString(),
        }).Order(StringComparer.Ordinal));

    private static string Args(JsonElement entry) =>
        !entry.TryGetProperty("arguments", out var arguments) || arguments.ValueKind != JsonValueKind.Object ? string.Empty
        : string.Join(", ", arguments.EnumerateObject().Select(a => Decode(a) + "=" + a.Value.ValueKind switch
        {
            JsonValueKind.String => Decode(a.Value),
            JsonValueKind.Null => "null",
            _ => a.Value.GetRawText(),
        }).Order(StringComparer.Ordinal));
}
