using System;
using System.Collections.Generic;
using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace Warren.Testing;

/// <summary>What a tracked process is; also the order in which leftovers are killed (the node before its wrapper).</summary>
internal enum TrackedKind
{
    Beam = 0,
    ServerWrapper = 1,
    Epmd = 2,
}

/// <summary>
/// A long-running process the harness started, directly (<see cref="Handle"/> set) or as a descendant. It is
/// identified by pid AND kernel start time, so a pid reused by an unrelated process is never signalled.
/// </summary>
internal sealed class TrackedProcess
{
    public TrackedProcess(int pid, ulong startTime, TrackedKind kind, string description, Process? handle)
    {
        Pid = pid;
        StartTime = startTime;
        Kind = kind;
        Description = description;
        Handle = handle;
    }

    public int Pid { get; }

    public ulong StartTime { get; }

    public TrackedKind Kind { get; }

    public string Description { get; }

    /// <summary>Set for direct children: .NET reaps them, and waiting on it proves the process was reaped.</summary>
    public Process? Handle { get; }

    /// <summary>Running (not a zombie) and still the same process.</summary>
    public bool IsAlive => ProcessTools.TryReadStat(Pid, out var stat) && stat.StartTime == StartTime && !stat.IsDead;

    /// <summary>Still has a /proc entry (zombies included).</summary>
    public bool Exists => ProcessTools.TryReadStat(Pid, out var stat) && stat.StartTime == StartTime;

    public override string ToString() => $"{Description} (pid {Pid})";
}

/// <summary>The fields of /proc/PID/stat the harness needs.</summary>
internal readonly record struct ProcStat(char State, int ParentPid, ulong StartTime)
{
    public bool IsDead => State is 'Z' or 'X' or 'x';
}

internal static class ProcessTools
{
    /// <summary>Reads /proc/PID/stat (Linux); false if the process does not exist.</summary>
    public static bool TryReadStat(int pid, out ProcStat stat)
    {
        stat = default;
        string text;
        try
        {
            text = File.ReadAllText($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/stat");
        }
        catch (IOException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }

        // "pid (comm) state ppid ..." where comm may contain spaces and parentheses: split after the last ')'.
        var close = text.LastIndexOf(')');
        if (close < 0 || close + 2 >= text.Length)
        {
            return false;
        }

        var fields = text[(close + 2)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        // fields[0] is field 3 (state), fields[1] field 4 (ppid), fields[19] field 22 (starttime).
        if (fields.Length < 20
            || !int.TryParse(fields[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out var ppid)
            || !ulong.TryParse(fields[19], NumberStyles.Integer, CultureInfo.InvariantCulture, out var start))
        {
            return false;
        }

        stat = new ProcStat(fields[0][0], ppid, start);
        return true;
    }

    /// <summary>Child pids of a process (needs /proc/PID/task/PID/children); empty if unknown.</summary>
    public static IReadOnlyList<int> Children(int pid)
    {
        var id = pid.ToString(CultureInfo.InvariantCulture);
        string text;
        try
        {
            text = File.ReadAllText($"/proc/{id}/task/{id}/children");
        }
        catch (IOException)
        {
            return [];
        }
        catch (UnauthorizedAccessException)
        {
            return [];
        }

        var result = new List<int>();
        foreach (var part in text.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            if (int.TryParse(part, NumberStyles.Integer, CultureInfo.InvariantCulture, out var child))
            {
                result.Add(child);
            }
        }

        return result;
    }

    /// <summary>SIGKILL, only if the pid still belongs to the recorded process.</summary>
    public static void Kill(TrackedProcess process)
    {
        try
        {
            if (process.Handle is { } handle)
            {
                if (!handle.HasExited)
                {
                    handle.Kill();
                }

                return;
            }

            if (!process.IsAlive)
            {
                return;
            }

            using var other = Process.GetProcessById(process.Pid);
            other.Kill();
        }
        catch (ArgumentException)
        {
            // already gone
        }
        catch (InvalidOperationException)
        {
            // already gone
        }
        catch (Win32Exception)
        {
            // already gone (ESRCH) or not ours to signal
        }
    }

    /// <summary>
    /// Starts <paramref name="fileName"/> through <c>/bin/sh -c 'exec ...'</c> so that its output goes straight
    /// to files (no pipes that could fill up or be held open by grandchildren) and stdin is /dev/null; thanks to
    /// <c>exec</c> the returned process has the program's own pid.
    /// </summary>
    public static Process StartRedirected(
        string fileName,
        IEnumerable<string> arguments,
        IReadOnlyDictionary<string, string> environment,
        string workingDirectory,
        string stdoutPath,
        string stderrPath)
    {
        var info = new ProcessStartInfo("/bin/sh")
        {
            UseShellExecute = false,
            WorkingDirectory = workingDirectory,
        };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add("out=$1; err=$2; shift 2; exec \"$@\" </dev/null >>\"$out\" 2>>\"$err\"");
        info.ArgumentList.Add("warren-broker");
        info.ArgumentList.Add(stdoutPath);
        info.ArgumentList.Add(stderrPath);
        info.ArgumentList.Add(fileName);
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        info.Environment.Clear();
        foreach (var (key, value) in environment)
        {
            info.Environment[key] = value;
        }

        return Process.Start(info) ?? throw new InvalidOperationException($"Could not start {fileName}.");
    }

    /// <summary>Runs a short-lived command to completion (killing it on timeout or cancellation).</summary>
    public static async Task<CommandResult> RunAsync(
        string fileName,
        IReadOnlyList<string> arguments,
        IReadOnlyDictionary<string, string> environment,
        string workingDirectory,
        string outputPathPrefix,
        TimeSpan timeout,
        CancellationToken cancellationToken)
    {
        var stdoutPath = outputPathPrefix + ".out";
        var stderrPath = outputPathPrefix + ".err";
        using (var process = StartRedirected(fileName, arguments, environment, workingDirectory, stdoutPath, stderrPath))
        {
            using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            limit.CancelAfter(timeout);
            try
            {
                await process.WaitForExitAsync(limit.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                try
                {
                    process.Kill();
                }
                catch (InvalidOperationException)
                {
                    // exited meanwhile
                }

                await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
                cancellationToken.ThrowIfCancellationRequested();
                throw new TimeoutException(
                    $"`{fileName} {string.Join(' ', arguments)}` did not finish within {timeout.TotalSeconds:0} s.");
            }

            var stdout = await ReadAllTextAsync(stdoutPath).ConfigureAwait(false);
            var stderr = await ReadAllTextAsync(stderrPath).ConfigureAwait(false);
            return new CommandResult(process.ExitCode, stdout, stderr);
        }
    }

    /// <summary>Free loopback TCP ports (all distinct), found by binding listeners to 127.0.0.1:0.</summary>
    public static int[] FreeLoopbackPorts(int count)
    {
        var listeners = new List<TcpListener>(count);
        try
        {
            var ports = new int[count];
            for (var i = 0; i < count; i++)
            {
                var listener = new TcpListener(IPAddress.Loopback, 0);
                listeners.Add(listener);
                listener.Start();
                ports[i] = ((IPEndPoint)listener.LocalEndpoint).Port;
            }

            return ports;
        }
        finally
        {
            foreach (var listener in listeners)
            {
                listener.Dispose();
            }
        }
    }

    /// <summary>
    /// The epmd NAMES request (what <c>epmd -port P -names</c> sends): the text listing registered nodes, or
    /// null if epmd does not answer yet.
    /// </summary>
    public static async Task<string?> EpmdNamesAsync(int epmdPort, CancellationToken cancellationToken)
    {
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync(IPAddress.Loopback, epmdPort, cancellationToken).ConfigureAwait(false);
            var stream = client.GetStream();
            await stream.WriteAsync(new byte[] { 0, 1, (byte)'n' }, cancellationToken).ConfigureAwait(false);
            using var buffer = new MemoryStream();
            await stream.CopyToAsync(buffer, cancellationToken).ConfigureAwait(false);
            var bytes = buffer.ToArray();
            // 4 bytes: epmd's own port, then "name NAME at port PORT\n" lines.
            return bytes.Length < 4 ? null : Encoding.ASCII.GetString(bytes, 4, bytes.Length - 4);
        }
        catch (SocketException)
        {
            return null;
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>The last lines of a file that may still be written to; empty if it does not exist.</summary>
    public static string Tail(string path, int lines)
    {
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            const int MaxBytes = 16 * 1024;
            if (stream.Length > MaxBytes)
            {
                stream.Seek(-MaxBytes, SeekOrigin.End);
            }

            using var reader = new StreamReader(stream, Encoding.UTF8);
            var all = reader.ReadToEnd().Split('\n');
            var start = Math.Max(0, all.Length - lines - 1);
            return string.Join('\n', all[start..]).TrimEnd();
        }
        catch (IOException)
        {
            return "";
        }
        catch (UnauthorizedAccessException)
        {
            return "";
        }
    }

    /// <summary>The first <paramref name="count"/> lines of a file containing <paramref name="marker"/>, joined.</summary>
    public static string FirstLinesContaining(string path, string marker, int count)
    {
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var reader = new StreamReader(stream, Encoding.UTF8);
            var found = new List<string>(count);
            while (found.Count < count && reader.ReadLine() is { } line)
            {
                if (line.Contains(marker, StringComparison.OrdinalIgnoreCase))
                {
                    found.Add(line);
                }
            }

            return string.Join('\n', found);
        }
        catch (IOException)
        {
            return "";
        }
        catch (UnauthorizedAccessException)
        {
            return "";
        }
    }

    private static async Task<string> ReadAllTextAsync(string path)
    {
        try
        {
            return await File.ReadAllTextAsync(path).ConfigureAwait(false);
        }
        catch (FileNotFoundException)
        {
            return "";
        }
    }
}

/// <summary>Exit code and output of a finished command.</summary>
internal readonly record struct CommandResult(int ExitCode, string Stdout, string Stderr);
