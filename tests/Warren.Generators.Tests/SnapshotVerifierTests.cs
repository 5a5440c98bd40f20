using System;
using System.Collections.Generic;
using System.IO;
using Warren.Generators.Tests.Snapshots;
using Xunit;

namespace Warren.Generators.Tests;

public sealed class SnapshotVerifierTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "warren-snapshots-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    [Fact]
    public void Match_passes_and_writes_nothing()
    {
        Directory.CreateDirectory(_directory);
        File.WriteAllText(Path.Combine(_directory, "Case.verified.cs"), "class A { }\n");

        new SnapshotVerifier(_directory, accept: false).Verify("Case", "class A { }\r\n");

        Assert.False(File.Exists(Path.Combine(_directory, "Case.received.cs")));
    }

    [Fact]
    public void Mismatch_fails_with_a_diff_and_writes_received()
    {
        Directory.CreateDirectory(_directory);
        File.WriteAllText(Path.Combine(_directory, "Case.verified.cs"), "line 1\nline 2\nline 3\n");

        var error = Assert.Throws<SnapshotMismatchException>(
            () => new SnapshotVerifier(_directory, accept: false).Verify("Case", "line 1\nline two\nline 3\n"));

        Assert.Contains("-    2 | line 2", error.Message, StringComparison.Ordinal);
        Assert.Contains("+    2 | line two", error.Message, StringComparison.Ordinal);
        Assert.Equal("line 1\nline two\nline 3\n", File.ReadAllText(Path.Combine(_directory, "Case.received.cs")));
        Assert.Equal("line 1\nline 2\nline 3\n", File.ReadAllText(Path.Combine(_directory, "Case.verified.cs")));
    }

    [Fact]
    public void Missing_snapshot_fails_and_writes_received()
    {
        var error = Assert.Throws<SnapshotMismatchException>(
            () => new SnapshotVerifier(_directory, accept: false).Verify("New", "class B { }"));

        Assert.Contains("no verified snapshot yet", error.Message, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(_directory, "New.received.cs")));
        Assert.False(File.Exists(Path.Combine(_directory, "New.verified.cs")));
    }

    [Fact]
    public void Accept_writes_verified_and_removes_received()
    {
        Directory.CreateDirectory(_directory);
        File.WriteAllText(Path.Combine(_directory, "Case.verified.cs"), "old\n");
        File.WriteAllText(Path.Combine(_directory, "Case.received.cs"), "stale\n");

        new SnapshotVerifier(_directory, accept: true).Verify("Case", "new");

        Assert.Equal("new\n", File.ReadAllText(Path.Combine(_directory, "Case.verified.cs")));
        Assert.False(File.Exists(Path.Combine(_directory, "Case.received.cs")));
    }

    [Fact]
    public void Files_are_verified_per_hint_name_and_stale_snapshots_fail()
    {
        var verifier = new SnapshotVerifier(_directory, accept: true);
        verifier.VerifyFiles("Gen", new Dictionary<string, string> { ["A.g.cs"] = "a", ["B.g.cs"] = "b" });
        Assert.True(File.Exists(Path.Combine(_directory, "Gen#A.g.verified.cs")));
        Assert.True(File.Exists(Path.Combine(_directory, "Gen#B.g.verified.cs")));

        var error = Assert.Throws<SnapshotMismatchException>(() =>
            new SnapshotVerifier(_directory, accept: false).VerifyFiles("Gen", new Dictionary<string, string> { ["A.g.cs"] = "a" }));
        Assert.Contains("Gen#B.g.verified.cs", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("true", "1", false)]
    [InlineData("1", "true", false)]
    [InlineData(null, "1", true)]
    [InlineData("false", "true", true)]
    [InlineData(null, null, false)]
    [InlineData(null, "0", false)]
    public void Accept_is_never_honoured_under_CI(string? ci, string? accept, bool expected) =>
        Assert.Equal(expected, SnapshotVerifier.AcceptRequested(ci, accept));
}
