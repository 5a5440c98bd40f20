using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Warren.Manifest;

/// <summary>
/// Reads a service's manifest from its compiled assembly without loading it: the generator's
/// <c>[assembly: AssemblyMetadata("Warren.&lt;Kinds&gt;", json)]</c> entries (a JSON array per kind), merged with those
/// of every referenced library whose generated module (<c>[assembly: WarrenModule]</c>) the service registers.
/// </summary>
internal static class AssemblyManifestReader
{
    public const string Prefix = "Warren.";
    public const string FormatKey = "Warren.Manifest";

    /// <summary>
    /// The newest metadata format this tool reads: 3, as 2 plus <c>Warren.DefaultRetryQueues</c> (and default values
    /// left out); 2, a JSON array per kind; 1, an attribute per entry (2 and 1 still read, from libraries built by an
    /// earlier Warren). Not the format of the manifest file it writes.
    /// </summary>
    public const int CurrentFormat = 3;

    /// <summary>
    /// The default failure policy as manifest format 3 defines it: delayed retries in <c>{queue}.retry.1</c> to <c>.3</c>
    /// after these delays (ms), then dead-letter exchange <c>{queue}.dlx</c> (direct) to queue <c>{queue}.dlq</c>.
    /// </summary>
    internal static readonly long[] DefaultRetryDelays = [5_000, 30_000, 120_000];

    public static ServiceManifest Read(string assemblyPath)
    {
        var main = Open(assemblyPath) ?? throw new ManifestException($"{assemblyPath} is not a .NET assembly.");
        var manifest = new ServiceManifest { Service = main.Name, Kind = main.IsExecutable ? "service" : "library" };
        var index = new EntryIndex();
        Merge(manifest, main, assemblyPath, index);

        // Libraries of consumers registered through their generated modules: found beside the assembly, as built.
        var directory = Path.GetDirectoryName(Path.GetFullPath(assemblyPath))!;
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { main.Name };
        var pending = new Queue<string>(main.References);
        while (pending.TryDequeue(out var reference))
        {
            if (!seen.Add(reference))
            {
                continue;
            }

            var path = Path.Combine(directory, reference + ".dll");
            if (!File.Exists(path) || Open(path) is not { HasModule: true } library)
            {
                continue;
            }

            manifest.Modules.Add(library.Name);
            Merge(manifest, library, path, index);
            foreach (var next in library.References)
            {
                pending.Enqueue(next);
            }
        }

        manifest.Modules.Sort(StringComparer.Ordinal);
        return manifest;
    }

    private static void Merge(ServiceManifest manifest, AssemblyEntries assembly, string path, EntryIndex index)
    {
        if (assembly.Format is { } format && format > CurrentFormat)
        {
            throw new ManifestException($"{path} was built by a newer Warren (manifest format {format}; this tool reads up to {CurrentFormat}).");
        }

        foreach (var (key, json) in assembly.Entries)
        {
            try
            {
                switch (key)
                {
                    case "Warren.Exchanges" or "Warren.Exchange":
                        AddAll(manifest.Exchanges, index, json, ManifestJson.Default.ExchangeEntry, ManifestJson.Default.ListExchangeEntry);
                        break;
                    case "Warren.Queues" or "Warren.Queue":
                        AddAll(manifest.Queues, index, json, ManifestJson.Default.QueueEntry, ManifestJson.Default.ListQueueEntry);
                        break;
                    case "Warren.Bindings" or "Warren.Binding":
                        AddAll(manifest.Bindings, index, json, ManifestJson.Default.BindingEntry, ManifestJson.Default.ListBindingEntry);
                        break;
                    case "Warren.DefaultRetryQueues":
                        foreach (var queue in JsonSerializer.Deserialize(json, ManifestJson.Default.ListString) ?? [])
                        {
                            AddDefaultRetryQueue(manifest, index, queue);
                        }

                        break;
                    case "Warren.Publishes":
                        AddAll(manifest.Publishes, index, json, ManifestJson.Default.PublishEntry, ManifestJson.Default.ListPublishEntry);
                        break;
                    case "Warren.Consumes":
                        AddAll(manifest.Consumes, index, json, ManifestJson.Default.ConsumeEntry, ManifestJson.Default.ListConsumeEntry);
                        break;
                    case "Warren.DeadLetters":
                        AddAll(manifest.DeadLetters, index, json, ManifestJson.Default.DeadLetterEntry, ManifestJson.Default.ListDeadLetterEntry);
                        break;
                    case "Warren.Calls":
                        AddAll(manifest.Calls, index, json, ManifestJson.Default.RpcEntry, ManifestJson.Default.ListRpcEntry);
                        break;
                    case "Warren.Serves":
                        AddAll(manifest.Serves, index, json, ManifestJson.Default.RpcEntry, ManifestJson.Default.ListRpcEntry);
                        break;
                    default:
                        // An entry kind from a newer generator: the format number says whether it matters.
                        break;
                }
            }
            catch (JsonException e)
            {
                throw new ManifestException($"{path}: the entry {key} is not valid: {e.Message} ({Excerpt(json)})", e);
            }
        }
    }

    /// <summary>
    /// The entries of one kind: a JSON array of them (format 2, one attribute per kind), or one entry (format 1, an
    /// attribute per entry, as libraries built by an earlier Warren have them).
    /// </summary>
    private static void AddAll<T>(List<T> list, EntryIndex index, string json, JsonTypeInfo<T> one, JsonTypeInfo<List<T>> many)
        where T : class
    {
        if (json.AsSpan().TrimStart().StartsWith("[", StringComparison.Ordinal))
        {
            foreach (var item in JsonSerializer.Deserialize(json, many) ?? [])
            {
                index.AddOnce(list, item);
            }
        }
        else
        {
            index.AddOnce(list, JsonSerializer.Deserialize(json, one));
        }
    }

    /// <summary>
    /// A work queue with the default failure policy (format 3): the queue and what the policy declares with it, its
    /// dead-letter exchange, dead-letter queue, retry queues and their binding, and its dead-letter route.
    /// </summary>
    private static void AddDefaultRetryQueue(ServiceManifest manifest, EntryIndex index, string queue)
    {
        if (string.IsNullOrEmpty(queue))
        {
            throw new JsonException("a default-policy queue without a name");
        }

        var exchange = queue + ".dlx";
        var deadLetterQueue = queue + ".dlq";
        index.AddOnce(manifest.Exchanges, new ExchangeEntry(exchange, "direct"));
        index.AddOnce(manifest.Queues, new QueueEntry(queue, Arguments: Arguments(("x-dead-letter-exchange", exchange), ("x-dead-letter-routing-key", queue))));
        index.AddOnce(manifest.Queues, new QueueEntry(deadLetterQueue));
        for (var level = 1; level <= DefaultRetryDelays.Length; level++)
        {
            index.AddOnce(manifest.Queues, new QueueEntry(
                queue + ".retry." + level.ToString(System.Globalization.CultureInfo.InvariantCulture),
                Arguments: Arguments(("x-dead-letter-exchange", string.Empty), ("x-dead-letter-routing-key", queue), ("x-message-ttl", DefaultRetryDelays[level - 1]))));
        }

        index.AddOnce(manifest.Bindings, new BindingEntry(exchange, deadLetterQueue, queue));
        index.AddOnce(manifest.DeadLetters, new DeadLetterEntry(queue, exchange, queue));
    }

    private static Dictionary<string, JsonElement> Arguments(params (string Name, object Value)[] arguments)
    {
        var result = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (var (name, value) in arguments)
        {
            result[name] = value switch
            {
                string text => JsonSerializer.SerializeToElement(text, ManifestJson.Default.String),
                long number => JsonSerializer.SerializeToElement(number, ManifestJson.Default.Int64),
                _ => throw new ArgumentException($"unexpected argument value {value}", nameof(arguments)),
            };
        }

        return result;
    }

    /// <summary>The start of an invalid entry, for the error (a kind's array may be megabytes long).</summary>
    private static string Excerpt(string json) => json.Length <= 500 ? json : json[..500] + "…";

    /// <summary>
    /// The entries already read, in buckets of those that can be the same (same list, same name or binding ends), so
    /// that adding one compares it with its few look-alikes and not with every entry of its kind.
    /// </summary>
    private sealed class EntryIndex
    {
        private readonly Dictionary<(object List, string Key), List<object>> _buckets = [];

        public void AddOnce<T>(List<T> list, T? item)
            where T : class
        {
            if (item is null)
            {
                return;
            }

            var bucketKey = (list, Key(item));
            if (!_buckets.TryGetValue(bucketKey, out var bucket))
            {
                _buckets[bucketKey] = bucket = [];
            }

            // Records compare by value, except the argument dictionaries, which Same compares by their contents.
            if (!bucket.Any(existing => Same((T)existing, item)))
            {
                bucket.Add(item);
                list.Add(item);
            }
        }

        /// <summary>Equal for entries <see cref="Same"/> may call the same; other entries by their record hash.</summary>
        private static string Key(object item) => item switch
        {
            ExchangeEntry x => x.Name,
            QueueEntry q => q.Name,
            BindingEntry b => string.Join('\0', b.Exchange, b.Queue, b.RoutingKey),
            _ => item.GetHashCode().ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
    }

    private static bool Same<T>(T a, T b) => (a, b) switch
    {
        (ExchangeEntry x, ExchangeEntry y) => x.ToDeclaration() is var dx && y.ToDeclaration() is var dy && dx.Name == dy.Name && dx.Type == dy.Type && dx.Durable == dy.Durable && dx.AutoDelete == dy.AutoDelete && Topology.ArgumentsEqual(dx.Arguments, dy.Arguments),
        (QueueEntry x, QueueEntry y) => x.ToDeclaration() is var dx && y.ToDeclaration() is var dy && dx.Name == dy.Name && dx.Durable == dy.Durable && dx.Exclusive == dy.Exclusive && dx.AutoDelete == dy.AutoDelete && Topology.ArgumentsEqual(dx.Arguments, dy.Arguments),
        (BindingEntry x, BindingEntry y) => x.Exchange == y.Exchange && x.Queue == y.Queue && x.RoutingKey == y.RoutingKey && Topology.ArgumentsEqual(Args.From(x.Arguments), Args.From(y.Arguments)),
        _ => Equals(a, b),
    };

    private sealed record AssemblyEntries(string Name, bool IsExecutable, bool HasModule, int? Format, List<(string Key, string Json)> Entries, List<string> References);

    private static AssemblyEntries? Open(string path)
    {
        using var stream = File.OpenRead(path);
        using var pe = new PEReader(stream);
        if (!pe.HasMetadata)
        {
            return null;
        }

        var reader = pe.GetMetadataReader();
        if (!reader.IsAssembly)
        {
            return null;
        }

        var assembly = reader.GetAssemblyDefinition();
        var entries = new List<(string, string)>();
        var hasModule = false;
        int? format = null;
        foreach (var handle in assembly.GetCustomAttributes())
        {
            var attribute = reader.GetCustomAttribute(handle);
            var (ns, name) = AttributeType(reader, attribute);
            if (ns == "Warren" && name == "WarrenModuleAttribute")
            {
                hasModule = true;
            }
            else if (ns == "System.Reflection" && name == "AssemblyMetadataAttribute")
            {
                var blob = reader.GetBlobReader(attribute.Value);
                if (blob.ReadUInt16() != 1)
                {
                    continue;
                }

                var key = blob.ReadSerializedString();
                var value = blob.ReadSerializedString();
                if (key is null || value is null || !key.StartsWith(Prefix, StringComparison.Ordinal))
                {
                    continue;
                }

                if (key == FormatKey)
                {
                    format = int.TryParse(value, System.Globalization.CultureInfo.InvariantCulture, out var f) ? f : null;
                }
                else
                {
                    entries.Add((key, value));
                }
            }
        }

        var references = reader.AssemblyReferences.Select(r => reader.GetString(reader.GetAssemblyReference(r).Name)).ToList();
        var isExecutable = pe.PEHeaders.CorHeader is { } cor && cor.EntryPointTokenOrRelativeVirtualAddress != 0;
        return new AssemblyEntries(reader.GetString(assembly.Name), isExecutable, hasModule, format, entries, references);
    }

    private static (string Namespace, string Name) AttributeType(MetadataReader reader, CustomAttribute attribute)
    {
        EntityHandle type = attribute.Constructor.Kind switch
        {
            HandleKind.MemberReference => reader.GetMemberReference((MemberReferenceHandle)attribute.Constructor).Parent,
            HandleKind.MethodDefinition => reader.GetMethodDefinition((MethodDefinitionHandle)attribute.Constructor).GetDeclaringType(),
            _ => default,
        };
        return type.Kind switch
        {
            HandleKind.TypeReference => reader.GetTypeReference((TypeReferenceHandle)type) is var r ? (reader.GetString(r.Namespace), reader.GetString(r.Name)) : default,
            HandleKind.TypeDefinition => reader.GetTypeDefinition((TypeDefinitionHandle)type) is var d ? (reader.GetString(d.Namespace), reader.GetString(d.Name)) : default,
            _ => (string.Empty, string.Empty),
        };
    }
}

/// <summary>A manifest, an assembly or a broker export that cannot be read: the tool says which and why, and fails.</summary>
internal sealed class ManifestException : Exception
{
    public ManifestException(string message) : base(message)
    {
    }

    public ManifestException(string message, Exception inner) : base(message, inner)
    {
    }
}
