using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Xunit;

namespace Warren.IntegrationTests.Packaging;

/// <summary>
/// The Warren package under test: the one <c>tests/test.sh</c> packed (its path in <c>WARREN_TEST_NUPKG</c>), or, when
/// run on its own, one packed here from the Release build output (<c>dotnet pack --no-build</c>) into a temporary folder
/// that is removed afterwards.
/// </summary>
public sealed class PackedPackage : IAsyncLifetime
{
    public const string PathVariable = "WARREN_TEST_NUPKG";

    private string? _path;
    private string? _ownDirectory;

    /// <summary>The path of the .nupkg.</summary>
    public string Path => _path ?? throw new InvalidOperationException("Not initialized.");

    /// <summary>How the package was found or made, for the test output.</summary>
    public string Origin { get; private set; } = string.Empty;

    /// <summary>The repository root (the directory holding Framework.sln above the test assembly).</summary>
    public static string RepositoryRoot
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(System.IO.Path.Combine(dir.FullName, "Framework.sln")))
                {
                    return dir.FullName;
                }
            }

            throw new InvalidOperationException($"Framework.sln not found above {AppContext.BaseDirectory}.");
        }
    }

    /// <summary>Whether this is a CI build (<c>CI=true</c>, as tests/test.sh sets): then the package's paths must be mapped to <c>/_/</c>.</summary>
    public static bool IsContinuousIntegrationBuild => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    public async Task InitializeAsync()
    {
        if (Environment.GetEnvironmentVariable(PathVariable) is { Length: > 0 } given)
        {
            if (!File.Exists(given))
            {
                throw new InvalidOperationException($"{PathVariable} names {given}, which does not exist.");
            }

            _path = given;
            Origin = $"package from {PathVariable}: {given}";
            return;
        }

        _ownDirectory = Directory.CreateTempSubdirectory("warren-nupkg-").FullName;
        var result = await Run.ProcessAsync(
            "dotnet",
            ["pack", System.IO.Path.Combine(RepositoryRoot, "src", "Warren", "Warren.csproj"), "-c", "Release", "--no-build", "-o", _ownDirectory, "-nologo", "-nodeReuse:false"],
            RepositoryRoot,
            new Dictionary<string, string>(),
            TimeSpan.FromMinutes(2));
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"dotnet pack failed ({result.ExitCode}):\n{result.Output}");
        }

        _path = Directory.GetFiles(_ownDirectory, "Warren.*.nupkg").Single();
        Origin = $"packed {_path} from the Release build in {result.Elapsed.TotalSeconds:F1} s";
    }

    public Task DisposeAsync()
    {
        if (_ownDirectory is not null)
        {
            Directory.Delete(_ownDirectory, recursive: true);
        }

        return Task.CompletedTask;
    }
}

/// <summary>Runs a command to completion with a timeout, killing its whole process tree if it overruns.</summary>
internal static class Run
{
    internal sealed record Result(int ExitCode, string Output, TimeSpan Elapsed);

    public static async Task<Result> ProcessAsync(string fileName, IReadOnlyList<string> arguments, string workingDirectory, IReadOnlyDictionary<string, string> environment, TimeSpan timeout)
    {
        var info = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        info.Environment["DOTNET_NOLOGO"] = "1";
        info.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        foreach (var (key, value) in environment)
        {
            info.Environment[key] = value;
        }

        var output = new StringBuilder();
        var clock = Stopwatch.StartNew();
        using var process = new Process { StartInfo = info };
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var limit = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None);
            throw new TimeoutException($"`{fileName} {string.Join(' ', arguments)}` did not finish within {timeout.TotalSeconds:0} s:\n{Text()}");
        }

        // The parameterless wait also drains the redirected streams.
        process.WaitForExit();
        return new Result(process.ExitCode, Text(), clock.Elapsed);

        void Append(string? line)
        {
            if (line is not null)
            {
                lock (output)
                {
                    output.AppendLine(line);
                }
            }
        }

        string Text()
        {
            lock (output)
            {
                return output.ToString();
            }
        }
    }
}
