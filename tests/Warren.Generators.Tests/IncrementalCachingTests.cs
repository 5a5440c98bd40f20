using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Warren.Generators.Model;
using Warren.Generators.Tests.Infrastructure;
using Xunit;

namespace Warren.Generators.Tests;

/// <summary>The pipeline only redoes work when what it reads changed, and its models hold no compiler objects.</summary>
public sealed class IncrementalCachingTests
{
    /// <summary>The input of every output: one per file kind (per item for dispatchers, publishers, clients and servers).</summary>
    private static readonly string[] OutputSteps =
    [
        WarrenGenerator.Steps.Contracts,
        WarrenGenerator.Steps.ContractNames,
        WarrenGenerator.Steps.Topology,
        WarrenGenerator.Steps.Registration,
        WarrenGenerator.Steps.Module,
        WarrenGenerator.Steps.Dispatchers,
        WarrenGenerator.Steps.PublisherClasses,
        WarrenGenerator.Steps.RpcClients,
        WarrenGenerator.Steps.RpcServerClasses,
    ];

    private static readonly string[] PerItemSteps =
    [
        WarrenGenerator.Steps.Dispatchers,
        WarrenGenerator.Steps.PublisherClasses,
        WarrenGenerator.Steps.RpcClients,
        WarrenGenerator.Steps.RpcServerClasses,
    ];

    private static readonly string[] TrackedSteps =
    [
        WarrenGenerator.Steps.Messages,
        WarrenGenerator.Steps.Consumers,
        WarrenGenerator.Steps.Publishers,
        WarrenGenerator.Steps.JsonContexts,
        WarrenGenerator.Steps.RpcServices,
        WarrenGenerator.Steps.RpcServers,
        WarrenGenerator.Steps.References,
        WarrenGenerator.Steps.Model,
        .. OutputSteps,
    ];


    [Theory]
    [InlineData(nameof(Scenarios.EventBus))]
    [InlineData(nameof(Scenarios.Rpc))]
    public void An_unrelated_edit_leaves_every_step_cached(string scenario)
    {
        var source = scenario == nameof(Scenarios.Rpc) ? Scenarios.Rpc : Scenarios.EventBus;
        var result = RunTwice(source, c => c.AddSyntaxTrees(CSharpSyntaxTree.ParseText("namespace Other; public sealed class Unrelated { public int X => 1; }", GeneratorHarness.ParseOptions)));

        foreach (var step in TrackedSteps)
        {
            Assert.All(Outputs(result, step), reason => Assert.True(reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, $"{step}: {reason}"));
        }

        AssertOutputsCached(result);
    }

    [Fact]
    public void A_handler_body_edit_leaves_the_model_unchanged()
    {
        var edited = Scenarios.EventBus.Replace("public Task Handle(UserCreated evt, CancellationToken ct) => Task.CompletedTask;", "public Task Handle(UserCreated evt, CancellationToken ct) => Task.Delay(1, ct);", StringComparison.Ordinal);
        Assert.NotEqual(Scenarios.EventBus, edited);

        var result = RunTwice(Scenarios.EventBus, c => Replace(c, edited));

        Assert.All(Outputs(result, WarrenGenerator.Steps.Model), reason => Assert.True(reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, reason.ToString()));
        AssertOutputsCached(result);
    }

    [Fact]
    public void An_rpc_server_method_body_edit_leaves_the_model_unchanged()
    {
        var edited = Scenarios.Rpc.Replace("Task.FromResult(new StockLevel(request.Sku, 3))", "Task.FromResult(new StockLevel(request.Sku, 4))", StringComparison.Ordinal);
        Assert.NotEqual(Scenarios.Rpc, edited);

        var result = RunTwice(Scenarios.Rpc, c => Replace(c, edited));

        Assert.All(Outputs(result, WarrenGenerator.Steps.Model), reason => Assert.True(reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, reason.ToString()));
        AssertOutputsCached(result);
    }

    [Fact]
    public void Calls_of_rpc_methods_are_found_by_name_and_bound_to_their_interface()
    {
        // Interface calls (plain and conditional) count; a call of the same name on the implementing class does not.
        var edited = Scenarios.Rpc + """

            public sealed class Caller(IInventory inventory, IPayment? payment, InventoryService local)
            {
                public async Task Run()
                {
                    await local.CheckStock(new CheckStock("b", 1));
                    await inventory.CheckStock(new CheckStock("a", 1)).ConfigureAwait(false);
                    if (payment?.ChargeAsync(new Charge("o", 1m)) is { } charge)
                    {
                        await charge;
                    }
                }
            }
            """;

        var result = RunTwice(Scenarios.Rpc, c => Replace(c, edited));

        Assert.Contains(IncrementalStepRunReason.Modified, Outputs(result, WarrenGenerator.Steps.Usages));
        var manifest = Warren(result).GeneratedSources.Single(s => s.HintName == "Warren.Manifest.g.cs").SourceText.ToString();
        // One attribute for the calls, a JSON array with an entry a line (quotes doubled in the verbatim string).
        var start = manifest.IndexOf("\"Warren.Calls\", @\"[\n", StringComparison.Ordinal);
        Assert.True(start >= 0, manifest);
        var calls = manifest[start..manifest.IndexOf("]\")]", start, StringComparison.Ordinal)].Split('\n')[1..^1];
        Assert.Equal(["{\"\"service\"\":\"\"inventory\"\",", "{\"\"service\"\":\"\"payment\"\","], calls.Select(c => c[..(c.IndexOf(',', StringComparison.Ordinal) + 1)]));
    }

    [Fact]
    public void An_rpc_timeout_change_modifies_the_services_step()
    {
        var edited = Scenarios.Rpc.Replace("[RpcService(\"inventory\", Timeout = \"5s\")]", "[RpcService(\"inventory\", Timeout = \"7s\")]", StringComparison.Ordinal);
        Assert.NotEqual(Scenarios.Rpc, edited);

        var result = RunTwice(Scenarios.Rpc, c => Replace(c, edited));

        Assert.Contains(IncrementalStepRunReason.Modified, Outputs(result, WarrenGenerator.Steps.RpcServices));
        var proxy = Warren(result).GeneratedSources.Single(s => s.HintName == "Orders_IInventory.RpcClient.g.cs").SourceText.ToString();
        Assert.Contains("FromSeconds(7)", proxy, StringComparison.Ordinal);
    }

    [Fact]
    public void An_attribute_change_modifies_the_model_and_the_output()
    {
        var edited = Scenarios.EventBus.Replace("[Queue(\"email-notifications\", Prefetch = 20)]", "[Queue(\"email-notifications\", Prefetch = 50)]", StringComparison.Ordinal);
        Assert.NotEqual(Scenarios.EventBus, edited);

        var result = RunTwice(Scenarios.EventBus, c => Replace(c, edited));

        Assert.Contains(IncrementalStepRunReason.Modified, Outputs(result, WarrenGenerator.Steps.Consumers));
        Assert.Contains(IncrementalStepRunReason.Modified, Outputs(result, WarrenGenerator.Steps.Model));
        // A consumer of the runtime's dispatcher with the default failure policy: its settings are listed with its dispatcher.
        var dispatchers = Warren(result).GeneratedSources.Where(s => s.HintName.StartsWith("Warren.Dispatchers", StringComparison.Ordinal)).Select(s => s.SourceText.ToString());
        Assert.Single(dispatchers, d => d.Contains("\"email-notifications\"", StringComparison.Ordinal) && d.Contains("{ Prefetch = 50 }", StringComparison.Ordinal));
    }

    [Fact]
    public void A_binding_edit_re_emits_that_consumers_dispatcher_and_the_topology_only()
    {
        var edited = Scenarios.EventBus.Replace("[Topic(\"user.*.created\")]", "[Topic(\"user.*.created\")]\n    [Topic(\"user.vip.#\")]", StringComparison.Ordinal);
        Assert.NotEqual(Scenarios.EventBus, edited);

        var result = RunTwice(Scenarios.EventBus, c => Replace(c, edited));

        Assert.Equal(["Warren.Output.Dispatchers", "Warren.Output.Topology"], ChangedOutputs(result));
        Assert.Single(Outputs(result, WarrenGenerator.Steps.Dispatchers), r => r == IncrementalStepRunReason.Modified);
    }

    [Fact]
    public void A_prefetch_edit_re_emits_that_consumers_dispatcher_group_only()
    {
        // email-notifications has the runtime's dispatcher and the default failure policy: its group file lists its
        // prefetch with its dispatcher, and the registration only names the group's list.
        var edited = Scenarios.EventBus.Replace("Prefetch = 20", "Prefetch = 21", StringComparison.Ordinal);
        Assert.NotEqual(Scenarios.EventBus, edited);

        var result = RunTwice(Scenarios.EventBus, c => Replace(c, edited));

        Assert.Equal(["Warren.Output.Dispatchers"], ChangedOutputs(result));
        Assert.Single(Outputs(result, WarrenGenerator.Steps.Dispatchers), r => r == IncrementalStepRunReason.Modified);
    }

    [Fact]
    public void A_publisher_edit_re_emits_that_publisher_only()
    {
        var edited = Scenarios.EventBus.Replace("[Topic(\"user.eu.updated.v1\")]", "[Topic(\"user.us.updated.v1\")]", StringComparison.Ordinal);
        Assert.NotEqual(Scenarios.EventBus, edited);

        var result = RunTwice(Scenarios.EventBus, c => Replace(c, edited));

        Assert.Equal(["Warren.Output.Publishers"], ChangedOutputs(result));
    }

    [Fact]
    public void A_message_key_edit_re_emits_the_contracts_the_topology_and_the_dispatchers_of_its_consumers()
    {
        var edited = Scenarios.EventBus.Replace("[Topic(\"user.{Region}.updated.v{Version}\")]", "[Topic(\"user.{Region}.updated.version{Version}\")]", StringComparison.Ordinal);
        Assert.NotEqual(Scenarios.EventBus, edited);

        var result = RunTwice(Scenarios.EventBus, c => Replace(c, edited));

        Assert.Contains("Warren.Output.Contracts", ChangedOutputs(result));
        Assert.DoesNotContain("Warren.Output.Registration", ChangedOutputs(result));
    }

    [Fact]
    public void An_rpc_method_body_edit_and_a_timeout_edit_touch_only_the_rpc_outputs()
    {
        var edited = Scenarios.Rpc.Replace("[RpcService(\"inventory\", Timeout = \"5s\")]", "[RpcService(\"inventory\", Timeout = \"6s\")]", StringComparison.Ordinal);
        Assert.NotEqual(Scenarios.Rpc, edited);

        var result = RunTwice(Scenarios.Rpc, c => Replace(c, edited));

        Assert.Equal(["Warren.Output.RpcClients", "Warren.Output.RpcServers"], ChangedOutputs(result));
        Assert.Single(Outputs(result, WarrenGenerator.Steps.RpcClients), r => r == IncrementalStepRunReason.Modified);
    }

    [Fact]
    public void Each_class_is_parsed_by_one_step_once()
    {
        var first = GeneratorHarness.CreateDriver(withJson: false).RunGenerators(GeneratorHarness.Compile(Scenarios.EventBus)).GetRunResult();

        // EmailNotifications has [Queue] and a [Topic] handler; Analytics two [Topic] handlers; the messages [Exchange] and [Topic].
        var consumers = Warren(first).TrackedSteps[WarrenGenerator.Steps.Consumers].Single().Outputs.Single().Value;
        Assert.Equal(2, ((System.Collections.Immutable.ImmutableArray<ConsumerModel>)consumers).Length);
        var messages = Warren(first).TrackedSteps[WarrenGenerator.Steps.Messages].Single().Outputs.Single().Value;
        Assert.Equal(2, ((System.Collections.Immutable.ImmutableArray<MessageModel>)messages).Length);
    }

    [Fact]
    public void Models_hold_no_symbols_syntax_locations_or_compilations()
    {
        var forbidden = new[] { typeof(ISymbol), typeof(SyntaxNode), typeof(Location), typeof(Compilation), typeof(SemanticModel), typeof(SyntaxTree) };
        var modelTypes = typeof(WarrenGenerator).Assembly.GetTypes().Where(t => t.Namespace == typeof(GenerationModel).Namespace && !t.IsEnum).ToList();
        Assert.Contains(typeof(GenerationModel), modelTypes);

        foreach (var type in modelTypes)
        {
            foreach (var member in MemberTypes(type))
            {
                Assert.False(forbidden.Any(f => f.IsAssignableFrom(member)), $"{type.Name} holds a {member.Name}: models must be plain values for caching.");
            }
        }
    }

    private static IEnumerable<Type> MemberTypes(Type type)
    {
        const BindingFlags all = BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic;
        foreach (var field in type.GetFields(all))
        {
            foreach (var t in Expand(field.FieldType))
            {
                yield return t;
            }
        }
    }

    private static IEnumerable<Type> Expand(Type type)
    {
        yield return type;
        if (type.IsArray)
        {
            yield return type.GetElementType()!;
        }

        foreach (var argument in type.IsGenericType ? type.GetGenericArguments() : [])
        {
            foreach (var t in Expand(argument))
            {
                yield return t;
            }
        }
    }

    private static GeneratorDriverRunResult RunTwice(string source, Func<Compilation, Compilation> edit)
    {
        var compilation = GeneratorHarness.Compile(source);
        var driver = GeneratorHarness.CreateDriver(withJson: false).RunGenerators(compilation);
        return driver.RunGenerators(edit(compilation)).GetRunResult();
    }

    private static GeneratorRunResult Warren(GeneratorDriverRunResult result) =>
        result.Results.Single(r => r.Generator.GetGeneratorType() == typeof(WarrenGenerator));

    /// <summary>Every output the generator added came from the cache: nothing was emitted again.</summary>
    private static void AssertOutputsCached(GeneratorDriverRunResult result) =>
        Assert.All(Warren(result).TrackedOutputSteps.SelectMany(s => s.Value).SelectMany(s => s.Outputs), o => Assert.Equal(IncrementalStepRunReason.Cached, o.Reason));

    private static Compilation Replace(Compilation compilation, string source)
    {
        var old = compilation.SyntaxTrees.First();
        return compilation.ReplaceSyntaxTree(old, CSharpSyntaxTree.ParseText(source, GeneratorHarness.ParseOptions, old.FilePath));
    }

    /// <summary>The output steps with an input that is not cached or unchanged, in name order: the files emitted again.</summary>
    private static List<string> ChangedOutputs(GeneratorDriverRunResult result) =>
        OutputSteps
            .Where(step => Outputs(result, step).Any(reason => reason is not (IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged)))
            .Order(StringComparer.Ordinal)
            .ToList();

    private static IEnumerable<IncrementalStepRunReason> Outputs(GeneratorDriverRunResult result, string step)
    {
        var steps = Warren(result).TrackedSteps;
        if (!steps.ContainsKey(step) && PerItemSteps.Contains(step))
        {
            return []; // a scenario without such items (no publisher, no RPC service) runs no step for them
        }

        Assert.True(steps.ContainsKey(step), $"step {step} was not tracked");
        return steps[step].SelectMany(s => s.Outputs).Select(o => o.Reason);
    }
}
