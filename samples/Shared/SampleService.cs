using System;
using System.Threading.Tasks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Warren;

/// <summary>
/// How each Shop service runs: Warren configured from Warren:Url / RABBITMQ_URL, everything the generator found
/// registered by AddGeneratedHandlers(), then run until stopped (Ctrl+C or SIGTERM), and the metrics it saw printed.
/// </summary>
public static class SampleService
{
    public static async Task<int> RunAsync(string name, string[] args, Action<IServiceCollection> configure)
    {
        using var metrics = new DemoMetrics();
        using var host = Build(name, args, configure);
        await host.StartAsync();
        Console.WriteLine($"[{name}] ready");
        await host.WaitForShutdownAsync();
        Console.WriteLine($"[{name}] stopped gracefully; the 'Warren' meter saw:");
        metrics.Print();
        return 0;
    }

    public static IHost Build(string name, string[] args, Action<IServiceCollection> configure)
    {
        var builder = Host.CreateApplicationBuilder(args);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        configure(builder.Services);
        builder.Services.AddWarren(builder.Configuration).Configure(o => o.ClientName = "shop-" + name).AddGeneratedHandlers();
        return builder.Build();
    }

    /// <summary>One line of what a service did, prefixed with its name (the demo greps these).</summary>
    public static void Say(string service, string line) => Console.WriteLine($"[{service}] {line}");
}
