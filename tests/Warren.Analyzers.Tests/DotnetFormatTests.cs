using System;
using System.Diagnostics;
using System.IO;
using System.Threading.Tasks;
using Xunit;

namespace Warren.Analyzers.Tests;

/// <summary>
/// The code fixes where users run them: <c>dotnet format analyzers --diagnostics …</c> on a small project that
/// references Warren, its generator, analyzers and code fixes as built, applying every fix of each id in one pass.
/// </summary>
public sealed class DotnetFormatTests
{
    private const string Before = """
        using System.Text.Json.Serialization;
        using Warren;

        namespace Shop;

        [Exchange("orders")] [Topic("order.placed")] public sealed record Placed(string Id);
        [Exchange("orders")] [Topic("order.paid")] public sealed record Paid(string Id);

        public static class Consumers
        {
            /// <summary>Orders.</summary>
            [Queue("orders", Prefetch = 1, Concurrency = 4)]
            public sealed class Orders
            {
                public Task Handle(Placed e) => Task.CompletedTask;
                public Task Handle(Paid e) => Task.CompletedTask;
            }

            /// <summary>Refunds.</summary>
            [Queue("refunds", Concurrency = 2, Prefetch = 1)]
            public sealed class Refunds { public Task Handle(Paid e) => Task.CompletedTask; }
        }

        /// <summary>JSON.</summary>
        internal sealed partial class Json : JsonSerializerContext;

        """;

    private const string After = """
        using System.Text.Json.Serialization;
        using Warren;

        namespace Shop;

        [Exchange("orders")] [Topic("order.placed")] public sealed record Placed(string Id);
        [Exchange("orders")] [Topic("order.paid")] public sealed record Paid(string Id);

        public static class Consumers
        {
            /// <summary>Orders.</summary>
            [Queue("orders", Prefetch = 4, Concurrency = 4)]
            public sealed class Orders
            {
                public Task Handle(Placed e) => Task.CompletedTask;
                public Task Handle(Paid e) => Task.CompletedTask;
            }

            /// <summary>Refunds.</summary>
            [Queue("refunds", Concurrency = 2, Prefetch = 2)]
            public sealed class Refunds { public Task Handle(Paid e) => Task.CompletedTask; }
        }

        /// <summary>JSON.</summary>
        [JsonSerializable(typeof(Placed))]
        [JsonSerializable(typeof(Paid))]
        internal sealed partial class Json : JsonSerializerContext;

        """;

    [Fact]
    public async Task Dotnet_format_applies_every_fix_of_the_requested_ids_in_one_pass()
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

            var (exit, output) = await RunAsync(directory.FullName, "format", "analyzers", "Shop.csproj", "--diagnostics", "WRN019", "WRN024", "--severity", "info", "-v", "diag");

            Assert.True(exit == 0, $"dotnet format exited with {exit}:\n{output}");
            Assert.Equal(After, (await File.ReadAllTextAsync(code)).Replace("\r\n", "\n", StringComparison.Ordinal));
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
