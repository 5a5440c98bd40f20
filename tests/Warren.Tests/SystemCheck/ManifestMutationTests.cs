extern alias tool;

using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using System.Text.Json.Nodes;
using CsCheck;
using tool::Warren.Manifest;
using Xunit;

namespace Warren.Tests.SystemCheck;

/// <summary>
/// A valid manifest, mutated at random (members removed, set to null or to a value of another type, entries added,
/// the text cut short or a character changed): the check reads each one and either refuses it with a
/// <see cref="ManifestException"/> naming the file (WRS000, exit code 2) or checks it and draws it. Any other exception
/// would end the tool with an unhandled exception.
/// </summary>
public sealed class ManifestMutationTests
{
    private const string Path = "mutated/warren/manifest.json";

    private const string Valid = """
        {
          "format": 1,
          "service": "Shop",
          "kind": "service",
          "modules": ["Shop.Billing"],
          "exchanges": [{ "name": "orders", "type": "topic", "durable": true, "autoDelete": false, "arguments": { "alternate-exchange": "orders.ae" } }],
          "queues": [{ "name": "billing", "durable": true, "exclusive": false, "autoDelete": false, "arguments": { "x-queue-type": "quorum", "x-dead-letter-exchange": "billing.dlx", "x-max-length": 10 } }],
          "bindings": [{ "exchange": "orders", "queue": "billing", "routingKey": "order.*.placed", "arguments": {} }],
          "publishes": [{ "contract": "order.placed", "type": "Shop.OrderPlaced", "exchange": "orders", "routingKey": "order.{Region}.placed" }],
          "consumes": [{ "queue": "billing", "contract": "order.placed", "type": "Shop.OrderPlaced" }],
          "deadLetters": [{ "queue": "billing", "exchange": "billing.dlx", "routingKey": "billing" }],
          "calls": [{ "service": "stock", "queue": "rpc.stock" }],
          "serves": [{ "service": "stock", "queue": "rpc.stock" }]
        }
        """;

    private static readonly JsonNode?[] OtherValues = [null, "", "x", 0, -1, 7, 2147483648L, 1.5, true, false, new JsonArray(), new JsonObject(), new JsonArray(JsonValue.Create("a")), "{Region", "order.{", "#", "*"];

    [Fact]
    public void The_valid_manifest_is_read_and_checked()
    {
        var manifest = ManifestLoader.Read(Valid, Path);
        CheckAndDraw(manifest);
        Assert.Equal("Shop", manifest.Service);
    }

    [Fact]
    public void A_mutated_manifest_is_refused_with_an_error_naming_the_file_or_checked_never_crashing()
    {
        var refused = 0;
        Property.ForAll(
            Gen.Int,
            3000,
            seed =>
            {
                var text = Mutate(seed);
                ServiceManifest manifest;
                try
                {
                    manifest = ManifestLoader.Read(text, Path);
                }
                catch (ManifestException e)
                {
                    Assert.StartsWith(Path + " ", e.Message, StringComparison.Ordinal);
                    refused++;
                    return;
                }

                CheckAndDraw(manifest);
            },
            seed => $"seed {seed}:\n{Mutate(seed)}");

        // Most mutations break the manifest: the property reached the refusals, not only what still reads.
        Assert.InRange(refused, 300, 2990);
    }

    /// <summary>What the check does with a manifest it read (the broker comparisons aside).</summary>
    private static void CheckAndDraw(ServiceManifest manifest)
    {
        var services = tool::Warren.Manifest.SystemCheck.Services([manifest]);
        tool::Warren.Manifest.SystemCheck.Run(services);
        SystemDiagram.Render(services);
        var topology = manifest.ToTopology();
        tool::Warren.TopologyDocuments.DefinitionsJson(topology);
        tool::Warren.TopologyDocuments.Mermaid(topology);
    }

    private static string Mutate(int seed)
    {
        var random = new Random(seed);
        var root = JsonNode.Parse(Valid)!;
        var changes = random.Next(1, 4);
        for (var i = 0; i < changes; i++)
        {
            var nodes = Walk(root).ToList();
            var (parent, key, _) = nodes[random.Next(nodes.Count)];
            switch (random.Next(4))
            {
                case 0 when parent is JsonObject o:
                    o.Remove((string)key!);
                    break;
                case 1 when parent is JsonArray a:
                    a.Insert(random.Next(a.Count + 1), OtherValues[random.Next(OtherValues.Length)]?.DeepClone());
                    break;
                default:
                    var value = OtherValues[random.Next(OtherValues.Length)]?.DeepClone();
                    if (parent is JsonObject obj)
                    {
                        obj[(string)key!] = value;
                    }
                    else if (parent is JsonArray array)
                    {
                        array[(int)key!] = value;
                    }

                    break;
            }
        }

        var text = root.ToJsonString();
        return random.Next(6) switch
        {
            0 => text[..random.Next(text.Length)],
            1 => ChangeOneCharacter(text, random),
            _ => text,
        };
    }

    private static string ChangeOneCharacter(string text, Random random)
    {
        var chars = text.ToCharArray();
        const string Replacements = "{}[]\":,0-9ax\\ \u0000";
        chars[random.Next(chars.Length)] = Replacements[random.Next(Replacements.Length)];
        return new string(chars);
    }

    /// <summary>Every member and element under <paramref name="node"/>, with its parent and its key (a name or an index).</summary>
    private static IEnumerable<(JsonNode Parent, object Key, JsonNode? Node)> Walk(JsonNode node)
    {
        switch (node)
        {
            case JsonObject o:
                foreach (var (name, child) in o.ToList())
                {
                    yield return (o, name, child);
                    if (child is not null)
                    {
                        foreach (var inner in Walk(child))
                        {
                            yield return inner;
                        }
                    }
                }

                break;
            case JsonArray a:
                for (var i = 0; i < a.Count; i++)
                {
                    yield return (a, i, a[i]);
                    if (a[i] is { } child)
                    {
                        foreach (var inner in Walk(child))
                        {
                            yield return inner;
                        }
                    }
                }

                break;
        }
    }
}
