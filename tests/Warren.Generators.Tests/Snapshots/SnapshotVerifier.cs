using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;

namespace Warren.Generators.Tests.Snapshots;

/// <summary>
/// Compares text with a committed <c>*.verified.cs</c> file, following Verify's conventions: on a mismatch the
/// actual text is written beside it as <c>*.received.cs</c> and the test fails with a line diff. Setting
/// <see cref="AcceptVariable"/> to <c>1</c> accepts the received text, except under <c>CI=true</c>, where
/// snapshots are only ever compared.
/// </summary>
public sealed class SnapshotVerifier
{
    /// <summary>Environment variable that accepts received snapshots when set to <c>1</c> or <c>true</c>.</summary>
    public const string AcceptVariable = "WARREN_ACCEPT_SNAPSHOTS";

    private const string VerifiedSuffix = ".verified.cs";
    private const string ReceivedSuffix = ".received.cs";

    private readonly string _directory;
    private readonly bool _accept;

    public SnapshotVerifier(string directory, bool accept)
    {
        _directory = directory;
        _accept = accept;
    }

    /// <summary>A verifier for the <c>_snapshots</c> folder beside <paramref name="testSourceFile"/>, configured from the environment.</summary>
    public static SnapshotVerifier ForTestFile(string testSourceFile) =>
        new(Path.Combine(Path.GetDirectoryName(testSourceFile)!, "_snapshots"), AcceptRequested());

    /// <summary>True when <see cref="AcceptVariable"/> asks to accept and the run is not CI.</summary>
    public static bool AcceptRequested() =>
        AcceptRequested(Environment.GetEnvironmentVariable("CI"), Environment.GetEnvironmentVariable(AcceptVariable));

    /// <summary>The rule behind <see cref="AcceptRequested()"/>, given the two variables' values.</summary>
    public static bool AcceptRequested(string? ci, string? accept)
    {
        if (IsTrue(ci))
        {
            return false;
        }

        return IsTrue(accept);
    }

    private static bool IsTrue(string? value) =>
        value == "1" || string.Equals(value, "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// Verifies a set of named texts (for a generator: hint name → source) against <c>{name}#{file}.verified.cs</c>.
    /// Snapshot files under the same name that the run no longer produces also fail the test.
    /// </summary>
    public void VerifyFiles(string name, IEnumerable<KeyValuePair<string, string>> files)
    {
        var failures = new List<string>();
        var expectedPaths = new HashSet<string>(StringComparer.Ordinal);
        foreach (var file in files.OrderBy(f => f.Key, StringComparer.Ordinal))
        {
            var stem = $"{name}#{StripCsExtension(file.Key)}";
            expectedPaths.Add(VerifiedPath(stem));
            var failure = Compare(stem, file.Value);
            if (failure is not null)
            {
                failures.Add(failure);
            }
        }

        if (Directory.Exists(_directory))
        {
            foreach (var stale in Directory.GetFiles(_directory, $"{name}#*{VerifiedSuffix}")
                         .Where(p => !expectedPaths.Contains(p))
                         .OrderBy(p => p, StringComparer.Ordinal))
            {
                if (_accept)
                {
                    File.Delete(stale);
                }
                else
                {
                    failures.Add($"{Path.GetFileName(stale)}: the snapshot exists but nothing produced it any more (delete it, or set {AcceptVariable}=1).");
                }
            }
        }

        if (failures.Count > 0)
        {
            throw new SnapshotMismatchException(string.Join(Environment.NewLine + Environment.NewLine, failures));
        }
    }

    /// <summary>Verifies one text against <c>{name}.verified.cs</c>.</summary>
    public void Verify(string name, string actual)
    {
        var failure = Compare(name, actual);
        if (failure is not null)
        {
            throw new SnapshotMismatchException(failure);
        }
    }

    private string? Compare(string stem, string actual)
    {
        actual = Normalize(actual);
        var verifiedPath = VerifiedPath(stem);
        var receivedPath = Path.Combine(_directory, stem + ReceivedSuffix);
        var expected = File.Exists(verifiedPath) ? Normalize(File.ReadAllText(verifiedPath)) : null;

        if (expected == actual)
        {
            if (File.Exists(receivedPath))
            {
                File.Delete(receivedPath);
            }

            return null;
        }

        Directory.CreateDirectory(_directory);
        if (_accept)
        {
            File.WriteAllText(verifiedPath, actual);
            if (File.Exists(receivedPath))
            {
                File.Delete(receivedPath);
            }

            return null;
        }

        File.WriteAllText(receivedPath, actual);
        if (expected is null)
        {
            return $"{Path.GetFileName(verifiedPath)}: no verified snapshot yet. Review {receivedPath}, then rename it to .verified.cs or run with {AcceptVariable}=1.";
        }

        return $"{Path.GetFileName(verifiedPath)}: the output differs from the verified snapshot (received text written to {receivedPath}; accept with {AcceptVariable}=1 once reviewed).{Environment.NewLine}{LineDiff.Format(expected, actual)}";
    }

    private string VerifiedPath(string stem) => Path.Combine(_directory, stem + VerifiedSuffix);

    private static string StripCsExtension(string hintName) =>
        hintName.EndsWith(".cs", StringComparison.Ordinal) ? hintName[..^3] : hintName;

    private static string Normalize(string text)
    {
        var normalized = text.Replace("\r\n", "\n", StringComparison.Ordinal);
        return normalized.EndsWith('\n') ? normalized : normalized + "\n";
    }
}

/// <summary>Thrown when a text does not match its verified snapshot.</summary>
public sealed class SnapshotMismatchException : Exception
{
    public SnapshotMismatchException()
    {
    }

    public SnapshotMismatchException(string message) : base(message)
    {
    }

    public SnapshotMismatchException(string message, Exception innerException) : base(message, innerException)
    {
    }
}
