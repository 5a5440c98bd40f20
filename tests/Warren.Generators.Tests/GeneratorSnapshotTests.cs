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
    public void No_attributes_no_output()
    {
        var run = GeneratorHarness.Run("namespace Plain; public sealed class Nothing { public void Handle(int x) { } }");

        Assert.Empty(run.Sources);
    }

    private static void Verify(string source, [CallerMemberName] string name = "")
    {
        var run = GeneratorHarness.Run(source);

        Assert.Empty(run.CompileDiagnostics.Select(d => d.ToString()));
        SnapshotVerifier.ForTestFile(ThisFile()).VerifyFiles(name, run.Sources);
    }

    private static string ThisFile([CallerFilePath] string path = "") => path;
}
