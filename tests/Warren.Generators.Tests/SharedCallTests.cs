using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using System.Threading.Tasks;
using Microsoft.Extensions.DependencyInjection;
using Warren.Generators.Model;
using Warren.Generators.Tests.Infrastructure;
using Xunit;

namespace Warren.Generators.Tests;

/// <summary>
/// The handler calls of a dispatcher group's consumers of a class message, and the routing-key words of message classes
/// with a string placeholder, are switches over an index in methods of at most 100 arms that the file shares: each
/// consumer must still reach its own handler with its own message, each contract build its own key, across parts, next
/// to a struct message (which keeps its lambdas) and with every return kind.
/// </summary>
public sealed class SharedCallTests
{
    /// <summary>More than one part of handlers in one group file, all with the default failure policy but one.</summary>
    private const int Count = 130;

    private static readonly Lazy<(GeneratorRun Run, GeneratedApp App, List<int> Numbers, string Group)> Generated = new(Generate);

    [Fact]
    public void The_group_file_and_the_contracts_are_split_into_parts_and_compile_warning_free()
    {
        var (run, _, _, group) = Generated.Value;

        Assert.Empty(run.CompileDiagnostics.Select(d => d.ToString()));
        var dispatchers = run.Sources[group];
        Assert.Contains("private static global::System.Threading.Tasks.Task CallHandler1(int index, object handler, object message, MessageContext context)", dispatchers, StringComparison.Ordinal);
        Assert.Contains("private static global::System.Threading.Tasks.Task CallHandler2(int index, object handler, object message, MessageContext context)", dispatchers, StringComparison.Ordinal);
        Assert.DoesNotContain("CallHandler3", dispatchers, StringComparison.Ordinal);

        // The struct message keeps its typed lambda: a cast from object would box it on every message.
        Assert.Single(Occurrences(dispatchers, "static (handler, message, context) =>"));
        var contracts = run.Sources["Warren.Contracts.g.cs"];
        Assert.Contains("private static string? ReadPlaceholderWord2(int index, object message)", contracts, StringComparison.Ordinal);
        Assert.Single(Occurrences(contracts, "static message => message.Region"));
        Assert.All(new[] { dispatchers, contracts }, file => Assert.All(file.Split('\n'), line => Assert.True(line.Length <= 160, $"{line.Length} columns: {line}")));
    }

    [Fact]
    public async Task Each_consumer_gets_its_own_message_through_the_shared_calls()
    {
        var (_, app, numbers, _) = Generated.Value;

        foreach (var i in numbers)
        {
            var (outcome, calls) = await app.DispatchAsync($"q{i}", $$"""{"Region":"r{{i}}"}""", $"m{i}");

            Assert.True(outcome.Action == DispatchAction.Ack, $"q{i}: {outcome.Action} {outcome.Reason}");
            Assert.Equal([$"H{i}:r{i}"], calls);
        }

        var (structOutcome, structCalls) = await app.DispatchAsync("ticks", """{"Region":"north"}""", "tick");
        Assert.Equal(DispatchAction.Ack, structOutcome.Action);
        Assert.Equal(["Ticks:north"], structCalls);
    }

    [Fact]
    public void Each_contract_builds_its_own_routing_key_through_the_shared_word_reads()
    {
        var (_, app, numbers, _) = Generated.Value;
        var contracts = app.Services.GetRequiredService<MessageContracts>();

        foreach (var i in numbers)
        {
            Assert.Equal($"m{i}.r{i}.changed", RoutingKey(app, contracts, $"App.M{i}", $"r{i}"));
        }

        Assert.Equal("tick.north", RoutingKey(app, contracts, "App.Tick", "north"));
    }

    private static string RoutingKey(GeneratedApp app, MessageContracts contracts, string typeName, string region)
    {
        var type = app.Type(typeName);
        var message = Activator.CreateInstance(type, region)!;
        var contract = typeof(MessageContracts).GetMethod(nameof(MessageContracts.Get))!.MakeGenericMethod(type).Invoke(contracts, null)!;
        return (string)contract.GetType().GetMethod("RoutingKeyFor")!.Invoke(contract, [message])!;
    }

    private static (GeneratorRun, GeneratedApp, List<int>, string) Generate()
    {
        // Consumers H{i} whose dispatchers share one group file, as many as make two parts.
        var group = DispatcherGroup.Of("App_Ticks");
        var numbers = Enumerable.Range(0, 100_000).Where(i => DispatcherGroup.Of($"App_H{i}") == group).Take(Count).ToList();
        var source = new StringBuilder("""
            using System.Text.Json.Serialization;
            using System.Threading;
            using System.Threading.Tasks;
            using Probing;
            using Warren;

            namespace App;

            [Message("tick")] [Exchange("ticks", ExchangeKind.Topic)] [Topic("tick.{Region}")]
            public readonly record struct Tick(string Region);

            [Queue("ticks")]
            public sealed class Ticks { public Task Handle(Tick tick) { Probe.Record("Ticks", tick.Region); return Task.CompletedTask; } }

            """);
        foreach (var (i, n) in numbers.Select((i, n) => (i, n)))
        {
            source.AppendLine($$"""[Message("m{{i}}")] [Exchange("changes", ExchangeKind.Topic)] [Topic("m{{i}}.{Region}.changed")] public sealed record M{{i}}(string Region);""");
            var queue = n == 1 ? $"[Queue(\"q{i}\")] [DeadLetter(Enabled = false)]" : $"[Queue(\"q{i}\")]";
            source.AppendLine((n % 4) switch
            {
                0 => $$"""{{queue}} public sealed class H{{i}} { public void Handle(M{{i}} m) => Probe.Record("H{{i}}", m.Region); }""",
                1 => $$"""{{queue}} public sealed class H{{i}} { public Task Handle(M{{i}} m, CancellationToken ct) { Probe.Record("H{{i}}", m.Region); return Task.CompletedTask; } }""",
                2 => $$"""{{queue}} public sealed class H{{i}} { public ValueTask Handle(M{{i}} m) { Probe.Record("H{{i}}", m.Region); return default; } }""",
                _ => $$"""{{queue}} public sealed class H{{i}} { public Task Handle(M{{i}} m, MessageContext context) { Probe.Record("H{{i}}", m.Region); return Task.CompletedTask; } }""",
            });
        }

        source.AppendLine("[JsonSerializable(typeof(Tick))]");
        foreach (var i in numbers)
        {
            source.AppendLine($"[JsonSerializable(typeof(M{i}))]");
        }

        source.AppendLine("internal sealed partial class AppJson : JsonSerializerContext;");
        var run = GeneratorHarness.Run(source.ToString(), GeneratedApp.ProbeSource);
        var file = $"Warren.Dispatchers{group.ToString("D2", System.Globalization.CultureInfo.InvariantCulture)}.g.cs";
        return (run, GeneratedApp.Load(run), numbers, file);
    }

    private static List<int> Occurrences(string text, string value)
    {
        var found = new List<int>();
        for (var at = text.IndexOf(value, StringComparison.Ordinal); at >= 0; at = text.IndexOf(value, at + 1, StringComparison.Ordinal))
        {
            found.Add(at);
        }

        return found;
    }
}
