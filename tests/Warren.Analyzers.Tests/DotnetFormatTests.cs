using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis.CodeFixes;
using Xunit;

namespace Warren.Analyzers.Tests;

/// <summary>
/// The code fixes where users run them: <c>dotnet format analyzers --diagnostics …</c> on a small project that
/// references Warren, its generator, analyzers and code fixes as built, applying every fix of every id that has one in
/// one run (one <c>dotnet format</c> process, so the test stays fast).
/// </summary>
public sealed class DotnetFormatTests
{
    // One consumer, message or publisher per diagnostic, so each fix's edit is checked on its own; doc comments and
    // comments throughout show the trivia survives.
    private const string Before = """
        using System.Text.Json.Serialization;
        using Warren;

        namespace Shop;

        [Exchange("orders")] [Topic("order.placed")] public sealed record Placed(string Id);
        [Exchange("orders")] [Topic("order.paid")] public sealed record Paid(string Id);

        /// <summary>A job.</summary>
        [Exchange("jobs", ExchangeKind.Direct)] [Topic("job")] [Priority(20 /* urgent */)] public sealed record Job(string Id);

        [Exchange("docs", ExchangeKind.Headers)] public sealed record Doc(string Id);

        /// <summary>An account was created (Billing.Created shares its short name).</summary>
        public sealed record Created(string Id);

        /// <summary>Documents.</summary>
        [Publisher]
        public partial interface IDocs
        {
            /// <summary>Sends a document.</summary>
            ValueTask Send(Doc doc, CancellationToken ct = default);
        }

        public static class Consumers
        {
            /// <summary>Orders.</summary>
            [Queue("orders", Prefetch = 1, Concurrency = 4)]
            public sealed class Orders
            {
                public Task Handle(Placed e) => Task.CompletedTask;

                /// <summary>Payments.</summary>
                [Topic("order.paid")] private async void Paid(Paid e) => await Task.Yield();

                /// <summary>Documents.</summary>
                private Task HandleAsync(Doc doc) => Task.CompletedTask;
            }

            /// <summary>Refunds.</summary>
            [Queue("refunds", Concurrency = 2, Prefetch = 1)]
            public sealed class Refunds { public Task Handle(Paid e) => Task.CompletedTask; }

            /// <summary>Jobs.</summary>
            [Queue("jobs")]
            public sealed class Jobs { public void Handle(Job job) { } }

            /// <summary>Failed orders.</summary>
            [Queue("orders.dlq")]
            public sealed class Failures
            {
                /// <summary>A failed order.</summary>
                [Topic("order.placed")]
                public void Handle(Placed e) { }
            }

            /// <summary>Exclusive.</summary>
            [Queue("quorum", Type = QueueType.Quorum, Exclusive = true)]
            public sealed class Quorum { public void Handle(Paid e) { } }

            /// <summary>Limited.</summary>
            [Queue("limited", Type = QueueType.Quorum, DeliveryLimit = 2 /* few */)]
            [DeadLetter(MaxRetries = 3)]
            public sealed class Limited { public void Handle(Paid e) { } }

            /// <summary>Capped.</summary>
            [Queue("capped", Type = QueueType.Quorum, MaxLength = 100, Overflow = QueueOverflow.RejectPublishDlx)]
            public sealed class Capped { public void Handle(Paid e) { } }

            /// <summary>Batches.</summary>
            [Queue("batches", Prefetch = 10)]
            public sealed class Batches { [Batch(Size = 25)] public void Handle(IReadOnlyList<Placed> e) { } }

            /// <summary>Creations, of both types named Created.</summary>
            [Queue("creations")]
            public sealed class Creations { public void Handle(Created e) { } public void Handle(Billing.Created e) { } }

            /// <summary>A stream.</summary>
            [Queue("stream", Type = QueueType.Stream, MessageTtl = "1h")]
            public sealed class Replay { public void Handle(Paid e) { } }

            /// <summary>Delays without a count.</summary>
            [Queue("delayed")]
            [DeadLetter(RetryDelays = new[] { "1s", "10s" })]
            public sealed class Delayed { public void Handle(Paid e) { } }
        }

        /// <summary>JSON.</summary>
        [JsonSerializable(typeof(Job))]
        [JsonSerializable(typeof(Doc))]
        [JsonSerializable(typeof(Created), TypeInfoPropertyName = "ShopCreated")]
        [JsonSerializable(typeof(Billing.Created), TypeInfoPropertyName = "BillingCreated")]
        internal sealed partial class Json : JsonSerializerContext;

        """;

    private const string After = """
        using System.Text.Json.Serialization;
        using Warren;

        namespace Shop;

        [Exchange("orders")] [Topic("order.placed")] public sealed record Placed(string Id);
        [Exchange("orders")] [Topic("order.paid")] public sealed record Paid(string Id);

        /// <summary>A job.</summary>
        [Exchange("jobs", ExchangeKind.Direct)] [Topic("job")] [Priority(10 /* urgent */)] public sealed record Job(string Id);

        [Exchange("docs", ExchangeKind.Headers)] public sealed record Doc(string Id);

        /// <summary>An account was created (Billing.Created shares its short name).</summary>
        [Message("shop.created")]
        public sealed record Created(string Id);

        /// <summary>Documents.</summary>
        [Publisher]
        public partial interface IDocs
        {
            /// <summary>Sends a document.</summary>
            ValueTask Send(Doc doc, PublishOptions options, CancellationToken ct = default);
        }

        public static class Consumers
        {
            /// <summary>Orders.</summary>
            [Queue("orders", Prefetch = 4, Concurrency = 4)]
            public sealed class Orders
            {
                public Task Handle(Placed e) => Task.CompletedTask;

                /// <summary>Payments.</summary>
                [Topic("order.paid")] public async Task Paid(Paid e) => await Task.Yield();

                /// <summary>Documents.</summary>
                public Task HandleAsync(Doc doc) => Task.CompletedTask;
            }

            /// <summary>Refunds.</summary>
            [Queue("refunds", Concurrency = 2, Prefetch = 2)]
            public sealed class Refunds { public Task Handle(Paid e) => Task.CompletedTask; }

            /// <summary>Jobs.</summary>
            [Queue("jobs")]
            [Priority(Max = 10)]
            public sealed class Jobs { public void Handle(Job job) { } }

            /// <summary>Failed orders.</summary>
            [Queue("orders.dlq")]
            public sealed class Failures
            {
                /// <summary>A failed order.</summary>
                public void Handle(Placed e) { }
            }

            /// <summary>Exclusive.</summary>
            [Queue("quorum", Type = QueueType.Quorum)]
            public sealed class Quorum { public void Handle(Paid e) { } }

            /// <summary>Limited.</summary>
            [Queue("limited", Type = QueueType.Quorum, DeliveryLimit = 4 /* few */)]
            [DeadLetter(MaxRetries = 3)]
            public sealed class Limited { public void Handle(Paid e) { } }

            /// <summary>Capped.</summary>
            [Queue("capped", Type = QueueType.Quorum, MaxLength = 100, Overflow = QueueOverflow.RejectPublish)]
            public sealed class Capped { public void Handle(Paid e) { } }

            /// <summary>Batches.</summary>
            [Queue("batches", Prefetch = 25)]
            public sealed class Batches { [Batch(Size = 25)] public void Handle(IReadOnlyList<Placed> e) { } }

            /// <summary>Creations, of both types named Created.</summary>
            [Queue("creations")]
            public sealed class Creations { public void Handle(Created e) { } public void Handle(Billing.Created e) { } }

            /// <summary>A stream.</summary>
            [Queue("stream", Type = QueueType.Stream)]
            public sealed class Replay { public void Handle(Paid e) { } }

            /// <summary>Delays without a count.</summary>
            [Queue("delayed")]
            [DeadLetter(MaxRetries = 2, RetryDelays = new[] { "1s", "10s" })]
            public sealed class Delayed { public void Handle(Paid e) { } }
        }

        /// <summary>JSON.</summary>
        [JsonSerializable(typeof(Job))]
        [JsonSerializable(typeof(Doc))]
        [JsonSerializable(typeof(Created), TypeInfoPropertyName = "ShopCreated")]
        [JsonSerializable(typeof(Billing.Created), TypeInfoPropertyName = "BillingCreated")]
        [JsonSerializable(typeof(Placed))]
        [JsonSerializable(typeof(Paid))]
        internal sealed partial class Json : JsonSerializerContext;

        """;

    // A second file: a type of the same short name as Shop.Created in another namespace (WRN035 at both).
    private const string BillingBefore = """
        namespace Billing;

        /// <summary>An invoice account was created.</summary>
        public sealed record Created(string Id);

        """;

    private const string BillingAfter = """
        namespace Billing;

        /// <summary>An invoice account was created.</summary>
        [Warren.Message("billing.created")]
        public sealed record Created(string Id);

        """;

    /// <summary>The diagnostics the scenario above raises, one of each fix at least.</summary>
    private static readonly string[] Covered = ["WRN005", "WRN011", "WRN012", "WRN015", "WRN016", "WRN017", "WRN019", "WRN024", "WRN026", "WRN027", "WRN030", "WRN031", "WRN035", "WRN039", "WRN042"];

    [Fact]
    public void The_scenario_covers_every_diagnostic_with_a_code_fix()
    {
        var fixable = typeof(Warren.CodeFixes.DocumentCodeFix).Assembly.GetTypes()
            .Where(t => !t.IsAbstract && typeof(CodeFixProvider).IsAssignableFrom(t))
            .SelectMany(t => ((CodeFixProvider)Activator.CreateInstance(t)!).FixableDiagnosticIds)
            .Distinct()
            .Order(StringComparer.Ordinal);

        Assert.Equal(fixable, Covered);
    }

    [Fact]
    public async Task Dotnet_format_applies_every_code_fix_in_one_pass_keeping_doc_comments()
    {
        var directory = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "warren-format-" + Guid.NewGuid().ToString("N")));
        try
        {
            var bin = AppContext.BaseDirectory;
            await File.WriteAllTextAsync(Path.Combine(directory.FullName, "Shop.csproj"), $"""
                <Project Sdk="Microsoft.NET.Sdk">
                  <PropertyGroup>
                    <TargetFramework>net10.0</TargetFramework>
                    <Nullable>enable</Nullable>
                    <ImplicitUsings>enable</ImplicitUsings>
                  </PropertyGroup>
                  <ItemGroup>
                    <Reference Include="{bin}Warren.dll" />
                    <Reference Include="{bin}RabbitMQ.Client.dll" />
                    <Reference Include="{bin}Microsoft.Extensions.DependencyInjection.Abstractions.dll" />
                    <Analyzer Include="{bin}Warren.Generators.dll" />
                    <Analyzer Include="{bin}Warren.Analyzers.dll" />
                    <Analyzer Include="{bin}Warren.CodeFixes.dll" />
                  </ItemGroup>
                </Project>
                """);
            var code = Path.Combine(directory.FullName, "Code.cs");
            await File.WriteAllTextAsync(code, Before);
            var billing = Path.Combine(directory.FullName, "Billing.cs");
            await File.WriteAllTextAsync(billing, BillingBefore);

            var (exit, output) = await RunAsync(directory.FullName, ["format", "analyzers", "Shop.csproj", "--diagnostics", .. Covered, "--severity", "info", "-v", "diag"]);

            Assert.True(exit == 0, $"dotnet format exited with {exit}:\n{output}");
            Assert.Equal(After, (await File.ReadAllTextAsync(code)).Replace("\r\n", "\n", StringComparison.Ordinal));
            Assert.Equal(BillingAfter, (await File.ReadAllTextAsync(billing)).Replace("\r\n", "\n", StringComparison.Ordinal));
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    private static async Task<(int Exit, string Output)> RunAsync(string directory, params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        // The test host's MSBuild settings must not leak into the child's project evaluation.
        start.Environment.Remove("MSBuildExtensionsPath");
        start.Environment.Remove("MSBUILD_EXE_PATH");
        start.Environment.Remove("MSBuildSDKsPath");
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new System.Threading.CancellationTokenSource(TimeSpan.FromMinutes(3));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException("dotnet format took over 3 minutes:\n" + await stdout + await stderr);
        }

        return (process.ExitCode, await stdout + await stderr);
    }
}
