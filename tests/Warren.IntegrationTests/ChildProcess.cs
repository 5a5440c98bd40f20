using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;

namespace Warren.IntegrationTests;

/// <summary>
/// A program the test starts (a Node.js script, a worker executable): its output is collected line by line for the
/// assertions and for the failure message, and disposing kills it if it is still running.
/// </summary>
internal sealed class ChildProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _stdout = new();
    private readonly ConcurrentQueue<string> _stderr = new();

    private ChildProcess(Process process, string description)
    {
        _process = process;
        Description = description;
    }

    public string Description { get; }

    public int Pid => _process.Id;

    public bool HasExited => _process.HasExited;

    public IReadOnlyList<string> OutputLines => [.. _stdout];

    /// <summary>Starts <paramref name="fileName"/> with its output redirected to this object.</summary>
    public static ChildProcess Start(string fileName, IEnumerable<string> arguments, string workingDirectory, IReadOnlyDictionary<string, string>? environment = null)
    {
        var info = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = false,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[key] = value;
        }

        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var child = new ChildProcess(process, $"{Path.GetFileName(fileName)} {string.Join(' ', info.ArgumentList)}");
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                child._stdout.Enqueue(e.Data);
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                child._stderr.Enqueue(e.Data);
            }
        };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return child;
    }

    /// <summary>Waits until a line of standard output satisfies <paramref name="match"/>; fails if the program exits first.</summary>
    public async Task<string> WaitForLineAsync(Func<string, bool> match, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if (_stdout.FirstOrDefault(match) is { } line)
            {
                return line;
            }

            if (_process.HasExited)
            {
                await _process.WaitForExitAsync(); // all output read
                throw new InvalidOperationException($"{Description} exited with {_process.ExitCode} before {what}.\n{Transcript()}");
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"{Description} did not report {what} within {timeout}.\n{Transcript()}");
            }

            await Task.Delay(20);
        }
    }

    /// <summary>Waits for the program to end and returns its exit code (output fully read).</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"{Description} did not exit within {timeout}.\n{Transcript()}");
        }

        return _process.ExitCode;
    }

    /// <summary>Kills the process with SIGKILL (what <see cref="Process.Kill()"/> sends on Linux) and waits until it is reaped.</summary>
    public async Task<int> KillAsync()
    {
        _process.Kill(entireProcessTree: false);
        await _process.WaitForExitAsync();
        return _process.ExitCode;
    }

    /// <summary>The program's output so far, for failure messages.</summary>
    public string Transcript() =>
        $"--- stdout of {Description}\n{string.Join('\n', _stdout.TakeLast(60))}\n--- stderr\n{string.Join('\n', _stderr.TakeLast(60))}";

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync();
            }
        }
        catch (InvalidOperationException)
        {
            // Never started or already reaped.
        }

        _process.Dispose();
    }
}

/// <summary>Where the repository's files are, found from the test assembly's location.</summary>
internal static class RepositoryPaths
{
    private static readonly Lazy<string> RootPath = new(() =>
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Framework.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No Framework.sln above {AppContext.BaseDirectory}: the tests run from the repository's build output.");
    });

    public static string Root => RootPath.Value;

    /// <summary>The build configuration of this test assembly (Debug or Release), for finding sibling build outputs.</summary>
    public static string Configuration =>
        typeof(RepositoryPaths).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyConfigurationAttribute), false)
            .OfType<System.Reflection.AssemblyConfigurationAttribute>().FirstOrDefault()?.Configuration ?? "Release";
}
