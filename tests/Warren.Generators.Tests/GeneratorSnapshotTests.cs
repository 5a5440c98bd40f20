using System;
using System.Linq;
using System.Runtime.CompilerServices;
using Warren.Generators.Tests.Infrastructure;
using Warren.Generators.Tests.Snapshots;
using Xunit;

namespace Warren.Generators.Tests;

/// <summary>What the generator emits per scenario, compared with reviewed snapshots, and proof that it compiles cleanly.</summary>
public sealed class GeneratorSnapshotTests
{
    [Fact]
    public void Event_bus_topic_exchange_templates_several_consumers_and_a_publisher() => Verify(Scenarios.EventBus);

    [Fact]
    public void Task_queue_direct_exchange_priority_queue_options_and_dead_letter() => Verify(Scenarios.TaskQueue);

    [Fact]
    public void Fanout_headers_and_quorum_queue() => Verify(Scenarios.FanoutHeadersQuorum);

    [Fact]
    public void Rpc_client_proxies_and_servers() => Verify(Scenarios.Rpc);

    [Fact]
    public void No_attributes_only_an_empty_registration()
    {
        var run = GeneratorHarness.Run("namespace Plain; public sealed class Nothing { public void Handle(int x) { } }");

        // AddGeneratedHandlers() exists in every assembly referencing Warren, even with nothing to register.
        Assert.Equal(["Warren.Registration.g.cs"], run.Sources.Keys);
        Assert.Contains("AddGeneratedHandlers", run.Sources["Warren.Registration.g.cs"], System.StringComparison.Ordinal);
        Assert.Empty(run.CompileDiagnostics.Select(d => d.ToString()));
    }

    private static void Verify(string source, [CallerMemberName] string name = "")
    {
        // A fixed assembly name: the module registration class is named after it.
        var run = GeneratorHarness.Run("UserAssembly", [], source);

        Assert.Empty(run.CompileDiagnostics.Select(d => d.ToString()));
        SnapshotVerifier.ForTestFile(ThisFile()).VerifyFiles(name, run.Sources);
    }

    private static string ThisFile([CallerFilePath] string path = "") => path;
}
