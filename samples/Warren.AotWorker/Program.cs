using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Threading.Tasks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Warren;
using Warren.AotWorker;

// A Warren worker that publishes as a NativeAOT binary. The broker comes from RABBITMQ_URL (or Warren:Url).
//
//   Warren.AotWorker              runs until stopped (Ctrl+C / SIGTERM), handling work items and status calls
//   Warren.AotWorker --check N    publishes N work items to itself and makes one RPC call, waits until all N are
//                                 handled (at most 30 s), prints what it measured and exits: 0 when everything
//                                 arrived, 1 otherwise. `first handled` is the time from process start to the first
//                                 handled item; the benchmark's cold-start scenario reads that line.
var check = CheckCount(args);
var builder = Host.CreateApplicationBuilder(args);
var progress = new Progress();
builder.Services.AddSingleton(progress);
builder.Services.AddWarren(builder.Configuration).AddGeneratedHandlers();
using var host = builder.Build();

if (check is null)
{
    await host.RunAsync();
    return 0;
}

progress.Expected = check.Value;
var started = Stopwatch.StartNew();
await host.StartAsync();
var work = host.Services.GetRequiredService<IWork>();
var publishing = Task.Run(async () =>
{
    for (var i = 0; i < check.Value; i++)
    {
        await work.Submit(new WorkItem($"item-{i}", i % 2 == 0 ? "resize" : "encode", 1024 + i));
    }
});

var done = await Task.WhenAny(progress.All, Task.Delay(TimeSpan.FromSeconds(30)));
if (progress.First.IsCompleted)
{
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"first handled: {SinceProcessStart().TotalMilliseconds:F0} ms after process start"));
}

var ok = done == progress.All;
if (ok)
{
    await publishing;
    var status = await host.Services.GetRequiredService<IWorkerStatus>().Get(new StatusRequest("check"));
    ok = status.Handled >= check.Value;
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"rpc status: {status.Handled} handled since {status.Since:O}"));
}

Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"handled {progress.Count} of {check.Value} in {started.Elapsed.TotalMilliseconds:F0} ms ({(ok ? "ok" : "FAILED: timed out after 30 s")})"));
await host.StopAsync();
Console.WriteLine($"peak RSS: {PeakRssKib()} KiB");
Console.WriteLine($"runtime: {(System.Runtime.CompilerServices.RuntimeFeature.IsDynamicCodeSupported ? "JIT" : "NativeAOT")}");
return ok ? 0 : 1;

static int? CheckCount(string[] args)
{
    var at = Array.IndexOf(args, "--check");
    if (at < 0)
    {
        return null;
    }

    if (at + 1 < args.Length && int.TryParse(args[at + 1], NumberStyles.None, CultureInfo.InvariantCulture, out var count) && count > 0)
    {
        return count;
    }

    Console.Error.WriteLine("usage: Warren.AotWorker [--check N]   (N: a positive number of work items)");
    Environment.Exit(2);
    return null;
}

static TimeSpan SinceProcessStart() => DateTime.Now - Process.GetCurrentProcess().StartTime;

// VmHWM: the largest resident set the process has had.
static string PeakRssKib()
{
    foreach (var line in File.ReadLines("/proc/self/status"))
    {
        if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
        {
            return line["VmHWM:".Length..].Trim().Split(' ')[0];
        }
    }

    return "?";
}
