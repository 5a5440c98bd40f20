using System.Collections.Generic;
using System.Linq;
using System.Text;

namespace Warren.Manifest;

/// <summary>
/// The whole system as one Mermaid flowchart: every service's topology (as <see cref="TopologyDocuments.Mermaid"/>
/// draws it) plus the services, what they publish, the queues they consume and the RPC services they call.
/// </summary>
internal static class SystemDiagram
{
    public static string Render(IReadOnlyList<ServiceManifest> services)
    {
        // Where services disagree the check reports it; the diagram draws the first declaration.
        var topology = new Topology();
        foreach (var service in services)
        {
            foreach (var e in service.Exchanges.Select(e => e.ToDeclaration()).Where(e => !topology.Exchanges.Any(x => x.Name == e.Name)))
            {
                topology.Add(e);
            }

            foreach (var q in service.Queues.Select(q => q.ToDeclaration()).Where(q => !topology.Queues.Any(x => x.Name == q.Name)))
            {
                topology.Add(q);
            }

            foreach (var binding in service.Bindings)
            {
                topology.Add(binding.ToDeclaration());
            }
        }

        var b = new StringBuilder(TopologyDocuments.Mermaid(topology));
        var lines = new SortedSet<string>(System.StringComparer.Ordinal);
        foreach (var service in services)
        {
            var s = "s_" + Id(service.Service);
            b.Append($"    {s}([\"{Label(service.Service)}\"])\n");
            foreach (var p in service.Publishes)
            {
                lines.Add(p.Exchange.Length == 0
                    ? $"    {s} -- \"{Label(p.Contract)}\" --> q_{Id(p.RoutingKey)}"
                    : $"    {s} -- \"{Label(p.RoutingKey.Length == 0 ? p.Contract : p.RoutingKey)}\" --> x_{Id(p.Exchange)}");
            }

            foreach (var queue in service.Consumes.Select(c => c.Queue).Concat(service.Serves.Select(r => r.Queue)).Distinct())
            {
                lines.Add($"    q_{Id(queue)} --> {s}");
            }

            foreach (var call in service.Calls)
            {
                lines.Add($"    {s} -. \"rpc {Label(call.Service)}\" .-> q_{Id(call.Queue)}");
            }
        }

        foreach (var line in lines)
        {
            b.Append(line).Append('\n');
        }

        return b.ToString();
    }

    /// <summary>The node id rule of <see cref="TopologyDocuments"/> (one name, one id, never shared), so edges meet its nodes.</summary>
    private static string Id(string name) => TopologyDocuments.Id(name);

    private static string Label(string text) => text.Replace("\"", "#quot;", System.StringComparison.Ordinal);
}
