using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using Warren.Manifest;

// Warren's build-time tool (see docs/system-check.md):
//   write --assembly <service.dll> --out <dir>          the service's manifest.json, definitions.json, topology.mmd
//   check <manifest.json | dir>... [--definitions <file>|-] [--amqp <url>] [--vhost <name>] [--diagram <file>] [--msbuild <file>]
//     --msbuild: the findings go to an MSBuild project that reports them (see MSBuildFindings) instead of the output.
// Exit codes: 0 clean (warnings allowed), 1 the check found errors, 2 the input could not be read, 3 a defect of the tool.
try
{
    return args.FirstOrDefault() switch
    {
        "write" => Commands.Write(Options.Parse(args.Skip(1))),
        "check" => await Commands.CheckAsync(Options.Parse(args.Skip(1)), CancellationToken.None),
        _ => Commands.Usage(),
    };
}
catch (ManifestException e)
{
    Report(new Finding("WRS000", Severity.Error, e.Message));
    return 2;
}
catch (Exception e)
{
    // Every input the tool refuses is a ManifestException: anything else is a defect of the tool, still said plainly.
    Report(new Finding("WRS000", Severity.Error, $"Warren.Manifest failed unexpectedly ({e.GetType().Name}: {e.Message}). This is a defect of the tool: please report it with the files it was given."));
    Console.Error.WriteLine(e);
    return 3;
}

void Report(Finding failure)
{
    var msbuild = args.SkipWhile(a => a != "--msbuild").Skip(1).FirstOrDefault();
    if (args.FirstOrDefault() == "check" && !string.IsNullOrEmpty(msbuild))
    {
        MSBuildFindings.Write(msbuild, [failure]);
    }
    else
    {
        Console.Error.WriteLine(failure);
    }
}

namespace Warren.Manifest
{
    internal sealed record Options(Dictionary<string, string> Named, List<string> Positional)
    {
        public static Options Parse(IEnumerable<string> args)
        {
            var named = new Dictionary<string, string>(StringComparer.Ordinal);
            var positional = new List<string>();
            using var e = args.GetEnumerator();
            while (e.MoveNext())
            {
                if (e.Current.StartsWith("--", StringComparison.Ordinal))
                {
                    var name = e.Current[2..];
                    named[name] = e.MoveNext() ? e.Current : throw new ManifestException($"--{name} needs a value.");
                }
                else
                {
                    positional.Add(e.Current);
                }
            }

            return new Options(named, positional);
        }

        public string Required(string name) => Named.TryGetValue(name, out var value) && value.Length > 0 ? value : throw new ManifestException($"--{name} is required.");

        public string? Optional(string name) => Named.TryGetValue(name, out var value) && value.Length > 0 ? value : null;
    }

    internal static class Commands
    {
        public const string ManifestFile = "manifest.json";

        public static int Usage()
        {
            Console.Error.WriteLine("""
                usage: Warren.Manifest write --assembly <service.dll> --out <dir>
                       Warren.Manifest check <manifest.json | directory>... [--definitions <export.json> | -] [--amqp <url>] [--vhost /] [--diagram <file.mmd>] [--msbuild <findings.proj>]
                """);
            return 2;
        }

        /// <summary>Writes the manifest, definitions.json and the Mermaid diagram of one built assembly.</summary>
        public static int Write(Options options)
        {
            var assembly = options.Required("assembly");
            var output = options.Required("out");
            if (!File.Exists(assembly))
            {
                throw new ManifestException($"{assembly} does not exist.");
            }

            var manifest = AssemblyManifestReader.Read(assembly);
            var topology = manifest.ToTopology();
            Directory.CreateDirectory(output);
            WriteIfChanged(Path.Combine(output, ManifestFile), JsonSerializer.Serialize(manifest, ManifestJson.Default.ServiceManifest).ReplaceLineEndings("\n") + "\n");
            WriteIfChanged(Path.Combine(output, "definitions.json"), TopologyDocuments.DefinitionsJson(topology));
            WriteIfChanged(Path.Combine(output, "topology.mmd"), TopologyDocuments.Mermaid(topology));
            Console.WriteLine($"{manifest.Service} -> {Path.GetFullPath(output)} ({topology.Exchanges.Count} exchanges, {topology.Queues.Count} queues, {topology.Bindings.Count} bindings, {manifest.Publishes.Count} published, {manifest.Consumes.Count} consumed, {manifest.Calls.Count} called, {manifest.Serves.Count} served)");
            return 0;
        }

        /// <summary>Checks the manifests of a system against each other and, if asked, against a broker.</summary>
        public static async Task<int> CheckAsync(Options options, CancellationToken ct)
        {
            if (options.Positional.Count == 0)
            {
                return Usage();
            }

            var manifests = options.Positional.SelectMany(Find).Select(ManifestLoader.Load).ToList();
            var services = SystemCheck.Services(manifests);
            Console.WriteLine($"Warren system check: {services.Count} service(s): {string.Join(", ", services.Select(s => s.Service))}");
            var findings = SystemCheck.Run(services);
            if (options.Optional("definitions") is { } definitions)
            {
                findings.AddRange(BrokerDrift.Compare(services, BrokerDrift.Load(definitions), options.Optional("vhost") ?? "/"));
            }

            if (options.Optional("amqp") is { } url)
            {
                if (!Uri.TryCreate(url, UriKind.Absolute, out var uri))
                {
                    throw new ManifestException($"--amqp {url} is not a URL.");
                }

                try
                {
                    findings.AddRange(await BrokerDrift.CompareAsync(services, uri, ct));
                }
                catch (RabbitMQ.Client.Exceptions.BrokerUnreachableException e)
                {
                    throw new ManifestException($"the broker at {uri.Host}:{uri.Port} is unreachable: {e.InnerException?.Message ?? e.Message}", e);
                }
            }

            var diagram = SystemDiagram.Render(services);
            if (options.Optional("diagram") is { } diagramFile)
            {
                WriteIfChanged(diagramFile, diagram);
            }

            Console.WriteLine();
            Console.WriteLine("```mermaid");
            Console.Write(diagram);
            Console.WriteLine("```");
            Console.WriteLine();
            if (options.Optional("msbuild") is { } msbuild)
            {
                MSBuildFindings.Write(msbuild, findings);
            }
            else
            {
                foreach (var finding in findings.OrderByDescending(f => f.Severity).ThenBy(f => f.Id, StringComparer.Ordinal))
                {
                    Console.WriteLine(finding);
                }
            }

            var errors = findings.Count(f => f.Severity == Severity.Error);
            Console.WriteLine($"Warren system check: {errors} error(s), {findings.Count - errors} warning(s).");
            return errors > 0 ? 1 : 0;
        }

        /// <summary>A manifest file, or every manifest under a directory (a build output holds one in warren/).</summary>
        private static IEnumerable<string> Find(string path)
        {
            if (File.Exists(path))
            {
                return [path];
            }

            if (Directory.Exists(path))
            {
                var found = Directory.GetFiles(path, ManifestFile, SearchOption.AllDirectories)
                    .Where(f => Path.GetFileName(Path.GetDirectoryName(f)) == "warren").Order(StringComparer.Ordinal).ToList();
                return found.Count > 0 ? found : throw new ManifestException($"{path} holds no warren/{ManifestFile}: build the services first.");
            }

            throw new ManifestException($"{path} does not exist.");
        }

        /// <summary>Leaves an unchanged file alone, so incremental builds and file watchers see no change.</summary>
        private static void WriteIfChanged(string path, string text)
        {
            if (!File.Exists(path) || File.ReadAllText(path) != text)
            {
                File.WriteAllText(path, text);
            }
        }
    }
}
