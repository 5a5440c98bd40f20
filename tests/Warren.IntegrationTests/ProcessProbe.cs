using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using Xunit;

namespace Warren.IntegrationTests;

/// <summary>Looks at processes through /proc, for the "nothing is left behind" assertions.</summary>
internal static class ProcessProbe
{
    /// <summary>A process seen before dispose: its pid, kernel start time and command name.</summary>
    internal readonly record struct Identity(int Pid, ulong StartTime, string Command);

    /// <summary>Captures the identity of running processes; fails if one of them is not running.</summary>
    public static IReadOnlyList<Identity> Capture(IEnumerable<int> pids) =>
        pids.Select(pid =>
        {
            Assert.True(TryRead(pid, out var state, out var start), $"process {pid} should be running");
            Assert.NotEqual('Z', state);
            return new Identity(pid, start, Command(pid));
        }).ToArray();

    /// <summary>
    /// The captured processes that still have a /proc entry (zombies count: a zombie is dead but not reaped).
    /// A pid now used by a different process (other start time) does not count.
    /// </summary>
    public static IReadOnlyList<string> StillPresent(IEnumerable<Identity> identities) =>
        identities
            .Where(p => TryRead(p.Pid, out _, out var start) && start == p.StartTime)
            .Select(p => TryRead(p.Pid, out var state, out _) ? $"{p.Command} (pid {p.Pid}, state {state})" : $"{p.Command} (pid {p.Pid})")
            .ToArray();

    /// <summary>Running (non-zombie) processes whose command line mentions <paramref name="text"/>.</summary>
    public static IReadOnlyList<string> RunningWithCommandLineContaining(string text)
    {
        var found = new List<string>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), NumberStyles.Integer, CultureInfo.InvariantCulture, out var pid))
            {
                continue;
            }

            string commandLine;
            try
            {
                commandLine = File.ReadAllText(Path.Combine(dir, "cmdline")).Replace('\0', ' ');
            }
            catch (IOException)
            {
                continue;
            }
            catch (UnauthorizedAccessException)
            {
                continue;
            }

            if (commandLine.Contains(text, StringComparison.Ordinal) && TryRead(pid, out var state, out _) && state != 'Z')
            {
                found.Add($"{pid}: {commandLine}");
            }
        }

        return found;
    }

    public static string Command(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/comm").Trim();
        }
        catch (IOException)
        {
            return "?";
        }
    }

    private static bool TryRead(int pid, out char state, out ulong startTime)
    {
        state = '?';
        startTime = 0;
        string text;
        try
        {
            text = File.ReadAllText($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/stat");
        }
        catch (IOException)
        {
            return false;
        }

        var fields = text[(text.LastIndexOf(')') + 2)..].Split(' ');
        state = fields[0][0];
        startTime = ulong.Parse(fields[19], CultureInfo.InvariantCulture);
        return true;
    }
}
