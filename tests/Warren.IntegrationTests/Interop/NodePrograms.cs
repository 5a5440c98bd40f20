using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;

namespace Warren.IntegrationTests.Interop;

/// <summary>
/// Runs the Node.js programs of <c>tests/interop/node</c> (amqplib, the client of the RabbitMQ tutorials). Node.js
/// comes from the OS packages and amqplib from npm: <c>tests/test.sh</c> installs both. A missing Node.js is a
/// failure that says how to install it, never a skip.
/// </summary>
internal static class NodePrograms
{
    private static readonly SemaphoreSlim InstallGate = new(1, 1);
    private static bool _installed;

    public static string Directory => Path.Combine(RepositoryPaths.Root, "tests", "interop", "node");

    /// <summary>Starts <c>node script args…</c> in the Node project's directory.</summary>
    public static async Task<ChildProcess> StartAsync(string script, params string[] arguments)
    {
        var node = await EnsureInstalledAsync();
        return ChildProcess.Start(node, [script, .. arguments], Directory);
    }

    /// <summary>Finds node and npm, and runs <c>npm ci</c> once if amqplib is not installed yet.</summary>
    private static async Task<string> EnsureInstalledAsync()
    {
        var node = FindOnPath("node");
        var npm = FindOnPath("npm");
        if (node is null || npm is null)
        {
            var ci = string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase) ? " (CI=true)" : string.Empty;
            throw new InvalidOperationException(
                $"Node.js is needed for the interop tests{ci} but {(node is null ? "node" : "npm")} is not on PATH. tests/test.sh installs it " +
                "from the OS packages (as root: apt-get install -y nodejs npm) and runs npm ci in tests/interop/node.");
        }

        await InstallGate.WaitAsync();
        try
        {
            if (!_installed && !File.Exists(Path.Combine(Directory, "node_modules", "amqplib", "package.json")))
            {
                await using var install = ChildProcess.Start(npm, ["ci", "--no-audit", "--no-fund"], Directory);
                var code = await install.WaitForExitAsync(TimeSpan.FromMinutes(3));
                if (code != 0)
                {
                    throw new InvalidOperationException($"npm ci in {Directory} failed with {code}.\n{install.Transcript()}");
                }
            }

            _installed = true;
        }
        finally
        {
            InstallGate.Release();
        }

        return node;
    }

    private static string? FindOnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, name))
            .FirstOrDefault(File.Exists);
}
