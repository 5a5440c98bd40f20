using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Threading.Tasks;

namespace Warren.Benchmarks.Compare;

/// <summary>
/// Cold start: a fresh process is launched, starts its framework, publishes one message to itself and reports when its
/// handler ran; the time from launch to that line, and the process's peak resident set (VmHWM), are what is measured.
/// The peers and Warren run as child processes of this benchmark (JIT); the Warren worker sample
/// (samples/Warren.AotWorker, <c>--check 1</c>) runs as published with JIT, ReadyToRun and NativeAOT.
/// </summary>
internal static class ColdStart
{
    public const string FirstHandled = "first handled: ";
    private const string PeakRss = "peak RSS: ";

    /// <summary>A way to launch one cold process; <see cref="Baseline"/> is the framework its ratio is taken against.</summary>
    internal sealed record Variant(string Name, string FileName, IReadOnlyList<string> Arguments, string Framework);

    /// <summary>One launch: launch → first handled message, and peak RSS.</summary>
    internal sealed record Launch(double Milliseconds, double PeakRssMiB);

    public static void ReportFirstHandled()
    {
        using var self = Process.GetCurrentProcess();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{FirstHandled}{(DateTime.Now - self.StartTime).TotalMilliseconds:F0} ms after process start"));
    }

    /// <summary>In the child: runs the framework's cold start, then prints the peak RSS.</summary>
    public static async Task<int> ChildAsync(Framework framework, string url)
    {
        var code = await framework.ColdStartAsync(url);
        Console.WriteLine($"{PeakRss}{PeakRssKib()} KiB");
        return code;
    }

    public static string PeakRssKib()
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
            {
                return line["VmHWM:".Length..].Trim().Split(' ')[0];
            }
        }

        return "0";
    }

    /// <summary>The variants for the selected frameworks; publishes the worker sample's JIT, ReadyToRun and NativeAOT builds when missing.</summary>
    public static async Task<List<Variant>> VariantsAsync(IReadOnlyList<Framework> frameworks, bool samples)
    {
        var self = Environment.ProcessPath!;
        var (fileName, prefix) = Path.GetFileNameWithoutExtension(self) == "dotnet"
            ? (self, new[] { typeof(ColdStart).Assembly.Location })
            : (self, Array.Empty<string>());
        var variants = frameworks
            .Select(f => new Variant($"{f.Name} (JIT)", fileName, [.. prefix, "coldstart-child", f.Name], f.Name))
            .ToList();
        if (samples && frameworks.Any(f => f.Name == "warren"))
        {
            var root = RepositoryRoot();
            var artifacts = Path.Combine(root, "artifacts", "bench");
            var jit = await PublishAsync(root, Path.Combine(artifacts, "aotworker-jit"), "Warren.AotWorker.dll", "-p:PublishAot=false");
            var r2r = await PublishAsync(root, Path.Combine(artifacts, "aotworker-r2r"), "Warren.AotWorker", "-p:PublishAot=false", "-p:PublishReadyToRun=true", "-r", "linux-x64", "--self-contained", "false");
            var aot = await PublishAsync(root, Path.Combine(artifacts, "aotworker-aot"), "Warren.AotWorker", "-r", "linux-x64");
            var dotnet = DotnetHost();
            variants.Add(new Variant("warren sample (JIT)", dotnet, [jit, "--check", "1"], "warren"));
            variants.Add(new Variant("warren sample (ReadyToRun)", r2r, ["--check", "1"], "warren"));
            variants.Add(new Variant("warren sample (NativeAOT)", aot, ["--check", "1"], "warren"));
        }

        return variants;
    }

    /// <summary>Launches the variant once against <paramref name="url"/>.</summary>
    public static async Task<Launch> LaunchAsync(Variant variant, string url)
    {
        var start = new ProcessStartInfo(variant.FileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in variant.Arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["RABBITMQ_URL"] = url;
        start.Environment["WARREN_BENCH_AMQP_URL"] = url;
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        var output = new List<string>();
        var firstHandled = new TaskCompletionSource<double>(TaskCreationOptions.RunContinuationsAsynchronously);
        var clock = Stopwatch.StartNew();
        using var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                return;
            }

            if (e.Data.StartsWith(FirstHandled, StringComparison.Ordinal))
            {
                firstHandled.TrySetResult(clock.Elapsed.TotalMilliseconds);
            }

            lock (output)
            {
                output.Add(e.Data);
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (output)
                {
                    output.Add(e.Data);
                }
            }
        };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var timeout = new System.Threading.CancellationTokenSource(TimeSpan.FromSeconds(90));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{variant.Name} did not exit within 90 s:\n{string.Join('\n', output)}");
        }

        process.WaitForExit(); // drains the redirected output
        if (process.ExitCode != 0 || !firstHandled.Task.IsCompleted)
        {
            throw new InvalidOperationException($"{variant.Name} exited with {process.ExitCode} without handling its message:\n{string.Join('\n', output)}");
        }

        var rss = output.Select(l => l.StartsWith(PeakRss, StringComparison.Ordinal) ? l[PeakRss.Length..].Split(' ')[0] : null).LastOrDefault(v => v is not null);
        return new Launch(firstHandled.Task.Result, rss is null ? double.NaN : double.Parse(rss, CultureInfo.InvariantCulture) / 1024);
    }

    private static async Task<string> PublishAsync(string root, string output, string binary, params string[] options)
    {
        var path = Path.Combine(output, binary);
        if (File.Exists(path) && File.GetLastWriteTimeUtc(path) > NewestSource(root))
        {
            return path;
        }

        Console.WriteLine($"publishing samples/Warren.AotWorker to {Path.GetRelativePath(root, output)} ({string.Join(' ', options)}) ...");
        var start = new ProcessStartInfo(DotnetHost()) { WorkingDirectory = root, UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { "publish", "samples/Warren.AotWorker", "-c", "Release", "-o", output, "-nologo", "-v", "quiet" }.Concat(options))
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0 || !File.Exists(path))
        {
            throw new InvalidOperationException($"dotnet publish failed ({process.ExitCode}):\n{await stdout}\n{await stderr}");
        }

        return path;
    }

    /// <summary>The newest source the worker is built from: a build older than it is published again.</summary>
    private static DateTime NewestSource(string root) =>
        new[] { "src/Warren", "generators/Warren.Generators", "samples/Warren.AotWorker" }
            .SelectMany(d => Directory.EnumerateFiles(Path.Combine(root, d), "*.*", SearchOption.AllDirectories))
            .Where(f => (f.EndsWith(".cs", StringComparison.Ordinal) || f.EndsWith(".csproj", StringComparison.Ordinal))
                && !f.Contains("/obj/", StringComparison.Ordinal) && !f.Contains("/bin/", StringComparison.Ordinal))
            .Select(File.GetLastWriteTimeUtc)
            .DefaultIfEmpty(DateTime.MinValue)
            .Max();

    private static string DotnetHost() =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Framework.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("the repository root (Framework.sln) was not found above " + AppContext.BaseDirectory);
    }
}
