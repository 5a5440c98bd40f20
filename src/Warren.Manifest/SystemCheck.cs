using System;
using System.Collections.Generic;
using System.Linq;

namespace Warren.Manifest;

/// <summary>How bad a finding is: errors fail the check (exit code 1).</summary>
internal enum Severity
{
    Warning,
    Error,
}

/// <summary>One thing the check found, with its id (documented in docs/system-check.md).</summary>
internal sealed record Finding(string Id, Severity Severity, string Message)
{
    /// <summary>The MSBuild canonical form, so a build running the check shows it as an error or a warning.</summary>
    public override string ToString() => $"warren : {(Severity == Severity.Error ? "error" : "warning")} {Id} : {Message}";
}

/// <summary>
/// What no single compilation can see: the manifests of every service of a system checked against each other.
/// </summary>
internal static class SystemCheck
{
    public const string ExchangeDeclaredDifferently = "WRS001";
    public const string QueueDeclaredDifferently = "WRS002";
    public const string PublishedNotBound = "WRS003";
    public const string BoundNotPublished = "WRS004";
    public const string RpcNotServed = "WRS005";
    public const string QueueContractsDiffer = "WRS006";
    public const string ContractNameCollision = "WRS007";

    /// <summary>The services to check: a library whose module a host registers is checked as part of that host.</summary>
    public static List<ServiceManifest> Services(IEnumerable<ServiceManifest> manifests)
    {
        var list = manifests.ToList();
        var registered = list.SelectMany(m => m.Modules).ToHashSet(StringComparer.OrdinalIgnoreCase);
        return list.Where(m => !registered.Contains(m.Service))
            .GroupBy(m => m.Service, StringComparer.OrdinalIgnoreCase).Select(g => g.First())
            .OrderBy(m => m.Service, StringComparer.Ordinal).ToList();
    }

    public static List<Finding> Run(IReadOnlyList<ServiceManifest> services)
    {
        var findings = new List<Finding>();
        Declarations(services, findings);
        Routes(services, findings);
        Rpc(services, findings);
        Queues(services, findings);
        Contracts(services, findings);
        return findings;
    }

    private static void Declarations(IReadOnlyList<ServiceManifest> services, List<Finding> findings)
    {
        foreach (var group in services.SelectMany(s => s.Exchanges.Select(e => (Service: s.Service, Declaration: e.ToDeclaration()))).GroupBy(e => e.Declaration.Name))
        {
            var distinct = group.GroupBy(e => Describe(e.Declaration)).ToList();
            if (distinct.Count > 1)
            {
                findings.Add(new Finding(ExchangeDeclaredDifferently, Severity.Error, $"The exchange '{group.Key}' is declared differently: {string.Join("; ", distinct.Select(d => $"{Declares(d.Select(e => e.Service))} {d.Key}"))}. The service that starts second fails with 406 PRECONDITION_FAILED."));
            }
        }

        foreach (var group in services.SelectMany(s => s.Queues.Select(q => (Service: s.Service, Declaration: q.ToDeclaration()))).GroupBy(q => q.Declaration.Name))
        {
            var distinct = group.GroupBy(q => Describe(q.Declaration)).ToList();
            if (distinct.Count > 1)
            {
                findings.Add(new Finding(QueueDeclaredDifferently, Severity.Error, $"The queue '{group.Key}' is declared differently: {string.Join("; ", distinct.Select(d => $"{Declares(d.Select(q => q.Service))} {d.Key}"))}. The service that starts second fails with 406 PRECONDITION_FAILED."));
            }
        }
    }

    private static void Routes(IReadOnlyList<ServiceManifest> services, List<Finding> findings)
    {
        var exchangeTypes = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var e in services.SelectMany(s => s.Exchanges))
        {
            exchangeTypes.TryAdd(e.Name, e.Type);
        }

        var bindings = services.SelectMany(s => s.Bindings.Select(b => (Service: s.Service, Binding: b))).ToList();
        var queues = services.SelectMany(s => s.Queues).Select(q => q.Name).ToHashSet(StringComparer.Ordinal);
        var publishes = services.SelectMany(s => s.Publishes.Select(p => (Service: s.Service, Publish: p))).ToList();

        foreach (var group in publishes.GroupBy(p => p.Publish with { Type = string.Empty }))
        {
            var p = group.Key;
            var publishers = Names(group.Select(g => g.Service));
            var what = p.Contract.Length > 0 ? p.Contract : "text or bytes (" + string.Join(", ", group.Select(g => g.Publish.Type).Distinct().Order(StringComparer.Ordinal)) + ")";
            if (p.Exchange.Length == 0)
            {
                if (!queues.Contains(p.RoutingKey))
                {
                    findings.Add(new Finding(PublishedNotBound, Severity.Error, $"{publishers} publish{(group.Count() == 1 ? "es" : string.Empty)} '{what}' to the queue '{p.RoutingKey}' (default exchange), which no service declares."));
                }

                continue;
            }

            if (ExchangeType(p.Exchange, exchangeTypes) is not { } type)
            {
                findings.Add(new Finding(PublishedNotBound, Severity.Error, $"{publishers} publish{(group.Count() == 1 ? "es" : string.Empty)} '{what}' to the exchange '{p.Exchange}', which no service declares (the publish fails with 404 NOT_FOUND)."));
                continue;
            }

            if (!bindings.Any(b => b.Binding.Exchange == p.Exchange && RoutingMatch.CanReach(type, p.RoutingKey, b.Binding.RoutingKey)))
            {
                findings.Add(new Finding(PublishedNotBound, Severity.Error, $"{publishers} publish{(group.Count() == 1 ? "es" : string.Empty)} '{what}' to '{p.Exchange}' with routing key '{p.RoutingKey}', and no service binds a queue that receives it (the publish is returned as unroutable)."));
            }
        }

        // Dead-letter exchanges are published to by Warren's runtime (its dead-letter routes) or by the broker (a queue's
        // x-dead-letter-exchange), amq.direct bindings of RPC queues by RPC clients.
        var deadLetters = services.SelectMany(s => s.DeadLetters).ToList();
        var deadLetterExchanges = services.SelectMany(s => s.Queues).Select(q => q.ToDeclaration().Arguments)
            .Where(a => a is not null && a.TryGetValue("x-dead-letter-exchange", out var x) && x is string { Length: > 0 })
            .Select(a => (string)a!["x-dead-letter-exchange"]!).ToHashSet(StringComparer.Ordinal);
        var rpcQueues = services.SelectMany(s => s.Serves).Select(s => s.Queue).ToHashSet(StringComparer.Ordinal);
        foreach (var group in bindings.GroupBy(b => (b.Binding.Exchange, b.Binding.Queue, b.Binding.RoutingKey)))
        {
            var (exchange, queue, key) = group.Key;
            if (deadLetterExchanges.Contains(exchange) || rpcQueues.Contains(queue))
            {
                continue;
            }

            var type = ExchangeType(exchange, exchangeTypes) ?? "topic";
            if (!publishes.Any(p => p.Publish.Exchange == exchange && RoutingMatch.CanReach(type, p.Publish.RoutingKey, key))
                && !deadLetters.Any(d => d.Exchange == exchange && RoutingMatch.CanReach(type, d.RoutingKey, key)))
            {
                findings.Add(new Finding(BoundNotPublished, Severity.Warning, $"The queue '{queue}' of {Names(group.Select(g => g.Service))} is bound to '{exchange}' with '{key}', and no service publishes anything that matches (a producer outside these services may)."));
            }
        }
    }

    private static void Rpc(IReadOnlyList<ServiceManifest> services, List<Finding> findings)
    {
        var served = services.SelectMany(s => s.Serves).Select(s => s.Service).ToHashSet(StringComparer.Ordinal);
        foreach (var group in services.SelectMany(s => s.Calls.Select(c => (Service: s.Service, Call: c))).GroupBy(c => c.Call.Service))
        {
            if (!served.Contains(group.Key))
            {
                findings.Add(new Finding(RpcNotServed, Severity.Error, $"{Names(group.Select(g => g.Service))} call{(group.Count() == 1 ? "s" : string.Empty)} the RPC service '{group.Key}' (queue '{group.First().Call.Queue}'), and no service serves it: every call fails."));
            }
        }
    }

    private static void Queues(IReadOnlyList<ServiceManifest> services, List<Finding> findings)
    {
        foreach (var group in services.SelectMany(s => s.Consumes.Select(c => (Service: s.Service, Consume: c))).GroupBy(c => c.Consume.Queue))
        {
            var byService = group.GroupBy(c => c.Service).Select(s => (Service: s.Key, Contracts: string.Join(", ", s.Select(c => c.Consume.Contract).Distinct().Order(StringComparer.Ordinal)))).ToList();
            var distinct = byService.GroupBy(s => s.Contracts).ToList();
            if (distinct.Count > 1)
            {
                findings.Add(new Finding(QueueContractsDiffer, Severity.Error, $"The queue '{group.Key}' is consumed by services that handle different contracts: {string.Join("; ", distinct.Select(d => $"{Names(d.Select(s => s.Service))} handle{(d.Count() == 1 ? "s" : string.Empty)} {d.Key}"))}. Each message goes to one consumer, which dead-letters the contracts it does not handle."));
            }
        }
    }

    private static void Contracts(IReadOnlyList<ServiceManifest> services, List<Finding> findings)
    {
        var uses = services.SelectMany(s => s.Publishes.Select(p => (Service: s.Service, p.Contract, p.Type))
            .Concat(s.Consumes.Select(c => (Service: s.Service, c.Contract, c.Type))));
        // Text and byte bodies have no contract name (empty), so nothing can collide there.
        foreach (var group in uses.Where(u => u.Contract.Length > 0).GroupBy(u => u.Contract))
        {
            var types = group.GroupBy(u => u.Type).ToList();
            if (types.Count > 1)
            {
                findings.Add(new Finding(ContractNameCollision, Severity.Error, $"The contract name '{group.Key}' names different types: {string.Join("; ", types.Select(t => $"{t.Key} in {Names(t.Select(u => u.Service))}"))}. A consumer cannot tell them apart; give one a different [Message] name."));
            }
        }
    }

    /// <summary>The type of a declared exchange or of one of the broker's predeclared amq.* exchanges; null if unknown.</summary>
    public static string? ExchangeType(string exchange, IReadOnlyDictionary<string, string> declared) =>
        declared.TryGetValue(exchange, out var type) ? type : exchange switch
        {
            "amq.direct" => "direct",
            "amq.topic" => "topic",
            "amq.fanout" => "fanout",
            "amq.headers" or "amq.match" => "headers",
            _ => null,
        };

    public static string Describe(ExchangeDeclaration e) => $"{e.Type}, {(e.Durable ? "durable" : "transient")}{(e.AutoDelete ? ", auto-delete" : string.Empty)}, arguments {Args.Text(e.Arguments)}";

    public static string Describe(QueueDeclaration q) => $"{(q.Durable ? "durable" : "transient")}{(q.Exclusive ? ", exclusive" : string.Empty)}{(q.AutoDelete ? ", auto-delete" : string.Empty)}, arguments {Args.Text(q.Arguments)}";

    private static string Names(IEnumerable<string> services) => string.Join(" and ", services.Distinct().Order(StringComparer.Ordinal));

    /// <summary>"Shop declares", "Shop and Warehouse declare": the services as the subject of the verb, which agrees with them.</summary>
    private static string Declares(IEnumerable<string> services)
    {
        var distinct = services.Distinct().ToList();
        return Names(distinct) + (distinct.Count == 1 ? " declares" : " declare");
    }
}
