using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Threading;
using System.Threading.Tasks;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace Warren.Manifest;

/// <summary>A broker's exported definitions (<c>rabbitmqctl export_definitions</c>, or the management UI's export).</summary>
internal sealed record BrokerDefinitions(
    [property: JsonPropertyName("exchanges")] List<BrokerExchange>? Exchanges,
    [property: JsonPropertyName("queues")] List<BrokerQueue>? Queues,
    [property: JsonPropertyName("bindings")] List<BrokerBinding>? Bindings);

internal sealed record BrokerExchange(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("vhost")] string? Vhost,
    [property: JsonPropertyName("type")] string Type,
    [property: JsonPropertyName("durable")] bool Durable,
    [property: JsonPropertyName("auto_delete")] bool AutoDelete,
    [property: JsonPropertyName("arguments")] Dictionary<string, JsonElement>? Arguments);

internal sealed record BrokerQueue(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("vhost")] string? Vhost,
    [property: JsonPropertyName("durable")] bool Durable,
    [property: JsonPropertyName("auto_delete")] bool AutoDelete,
    [property: JsonPropertyName("arguments")] Dictionary<string, JsonElement>? Arguments);

internal sealed record BrokerBinding(
    [property: JsonPropertyName("source")] string Source,
    [property: JsonPropertyName("vhost")] string? Vhost,
    [property: JsonPropertyName("destination")] string Destination,
    [property: JsonPropertyName("destination_type")] string DestinationType,
    [property: JsonPropertyName("routing_key")] string RoutingKey,
    [property: JsonPropertyName("arguments")] Dictionary<string, JsonElement>? Arguments);

/// <summary>
/// What the services declare compared with what a running broker has: entities missing (a warning: the services
/// declare them when they start) and entities declared differently (an error: the service would fail with 406).
/// </summary>
internal static class BrokerDrift
{
    public const string Missing = "WRS010";
    public const string Differs = "WRS011";

    /// <summary>Compares with exported definitions (one virtual host of them).</summary>
    public static List<Finding> Compare(IReadOnlyList<ServiceManifest> services, BrokerDefinitions broker, string vhost)
    {
        var findings = new List<Finding>();
        var exchanges = (broker.Exchanges ?? []).Where(e => (e.Vhost ?? "/") == vhost).ToDictionary(e => e.Name, StringComparer.Ordinal);
        var queues = (broker.Queues ?? []).Where(q => (q.Vhost ?? "/") == vhost).ToDictionary(q => q.Name, StringComparer.Ordinal);
        var bindings = (broker.Bindings ?? []).Where(b => (b.Vhost ?? "/") == vhost && b.DestinationType == "queue").ToList();

        foreach (var (expected, owners) in Expected(services, s => s.Exchanges.Select(e => e.ToDeclaration()), e => e.Name))
        {
            if (!exchanges.TryGetValue(expected.Name, out var actual))
            {
                findings.Add(new Finding(Missing, Severity.Warning, $"The exchange '{expected.Name}' ({owners}) does not exist on the broker."));
            }
            else if (new ExchangeDeclaration(actual.Name, actual.Type, actual.Durable, actual.AutoDelete, Args.From(actual.Arguments)) is var found
                     && (found.Type != expected.Type || found.Durable != expected.Durable || found.AutoDelete != expected.AutoDelete || !Topology.ArgumentsEqual(found.Arguments, expected.Arguments)))
            {
                findings.Add(new Finding(Differs, Severity.Error, $"The exchange '{expected.Name}' ({owners}) is declared {SystemCheck.Describe(expected)}, the broker has {SystemCheck.Describe(found)}."));
            }
        }

        foreach (var (expected, owners) in Expected(services, s => s.Queues.Select(q => q.ToDeclaration()).Where(q => !q.Exclusive), q => q.Name))
        {
            if (!queues.TryGetValue(expected.Name, out var actual))
            {
                findings.Add(new Finding(Missing, Severity.Warning, $"The queue '{expected.Name}' ({owners}) does not exist on the broker."));
            }
            else if (new QueueDeclaration(actual.Name, actual.Durable, false, actual.AutoDelete, Args.From(actual.Arguments)) is var found
                     && (found.Durable != expected.Durable || found.AutoDelete != expected.AutoDelete || !Topology.ArgumentsEqual(found.Arguments, expected.Arguments)))
            {
                findings.Add(new Finding(Differs, Severity.Error, $"The queue '{expected.Name}' ({owners}) is declared {SystemCheck.Describe(expected)}, the broker has {SystemCheck.Describe(found)}."));
            }
        }

        foreach (var (expected, owners) in Expected(services, s => s.Bindings.Select(b => b.ToDeclaration()), b => $"{b.Exchange}\n{b.Queue}\n{b.RoutingKey}\n{Args.Text(b.Arguments)}"))
        {
            if (!bindings.Any(b => b.Source == expected.Exchange && b.Destination == expected.Queue && b.RoutingKey == expected.RoutingKey && Topology.ArgumentsEqual(Args.From(b.Arguments), expected.Arguments)))
            {
                findings.Add(new Finding(Missing, Severity.Warning, $"The binding of '{expected.Queue}' to '{expected.Exchange}' with '{expected.RoutingKey}' ({owners}) does not exist on the broker."));
            }
        }

        return findings;
    }

    /// <summary>
    /// Compares over AMQP, for a broker without the management plugin or shell access: a passive declare tells
    /// whether each exchange and queue exists, and for one that does, a declare with the services' settings on a
    /// throwaway channel tells whether the broker accepts them (406 PRECONDITION_FAILED names the difference; an
    /// equivalent declare changes nothing). Bindings cannot be read over AMQP and are not compared.
    /// </summary>
    public static async Task<List<Finding>> CompareAsync(IReadOnlyList<ServiceManifest> services, Uri url, CancellationToken ct)
    {
        var findings = new List<Finding>();
        var factory = new ConnectionFactory { Uri = url, ClientProvidedName = "warren-system-check" };
        await using var connection = await factory.CreateConnectionAsync(ct);
        foreach (var (expected, owners) in Expected(services, s => s.Exchanges.Select(e => e.ToDeclaration()), e => e.Name))
        {
            var exists = await Attempt(connection, ch => ch.ExchangeDeclarePassiveAsync(expected.Name, ct), ct);
            if (exists is { } missing)
            {
                findings.Add(new Finding(Missing, Severity.Warning, $"The exchange '{expected.Name}' ({owners}) does not exist on the broker ({missing})."));
                continue;
            }

            if (await Attempt(connection, ch => ch.ExchangeDeclareAsync(expected.Name, expected.Type, expected.Durable, expected.AutoDelete, Dictionary(expected.Arguments), cancellationToken: ct), ct) is { } differs)
            {
                findings.Add(new Finding(Differs, Severity.Error, $"The exchange '{expected.Name}' ({owners}) is declared {SystemCheck.Describe(expected)}; the broker refuses that: {differs}."));
            }
        }

        foreach (var (expected, owners) in Expected(services, s => s.Queues.Select(q => q.ToDeclaration()).Where(q => !q.Exclusive), q => q.Name))
        {
            if (await Attempt(connection, ch => ch.QueueDeclarePassiveAsync(expected.Name, ct), ct) is { } missing)
            {
                findings.Add(new Finding(Missing, Severity.Warning, $"The queue '{expected.Name}' ({owners}) does not exist on the broker ({missing})."));
                continue;
            }

            if (await Attempt(connection, ch => ch.QueueDeclareAsync(expected.Name, expected.Durable, false, expected.AutoDelete, Dictionary(expected.Arguments), cancellationToken: ct), ct) is { } differs)
            {
                findings.Add(new Finding(Differs, Severity.Error, $"The queue '{expected.Name}' ({owners}) is declared {SystemCheck.Describe(expected)}; the broker refuses that: {differs}."));
            }
        }

        return findings;
    }

    /// <summary>Runs one operation on a throwaway channel (a 404 or 406 closes it); the broker's refusal, or null.</summary>
    private static async Task<string?> Attempt(IConnection connection, Func<IChannel, Task> operation, CancellationToken ct)
    {
        var channel = await connection.CreateChannelAsync(cancellationToken: ct);
        try
        {
            await operation(channel);
            return null;
        }
        catch (OperationInterruptedException e) when (e.ShutdownReason is { } reason)
        {
            return $"{reason.ReplyCode} {reason.ReplyText}";
        }
        finally
        {
            await channel.DisposeAsync();
        }
    }

    private static Dictionary<string, object?>? Dictionary(IReadOnlyDictionary<string, object?>? arguments) =>
        arguments?.ToDictionary(a => a.Key, a => a.Value, StringComparer.Ordinal);

    /// <summary>Each entity once, with the services that declare it.</summary>
    private static IEnumerable<(T Declaration, string Owners)> Expected<T>(IReadOnlyList<ServiceManifest> services, Func<ServiceManifest, IEnumerable<T>> select, Func<T, string> key) =>
        services.SelectMany(s => select(s).Select(d => (Service: s.Service, Declaration: d)))
            .GroupBy(d => key(d.Declaration), StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => (g.First().Declaration, "declared by " + string.Join(" and ", g.Select(d => d.Service).Distinct().Order(StringComparer.Ordinal))));

    public static BrokerDefinitions Load(string path)
    {
        try
        {
            var json = path == "-" ? Console.In.ReadToEnd() : File.ReadAllText(path);
            return JsonSerializer.Deserialize(json, ManifestJson.Default.BrokerDefinitions) ?? throw new ManifestException($"{path} holds no definitions.");
        }
        catch (JsonException e)
        {
            throw new ManifestException($"{path} is not a RabbitMQ definitions export: {e.Message}", e);
        }
    }
}
