using System;
using System.Diagnostics;
using System.IO;
using System.Threading.Tasks;
using Xunit;

namespace Warren.Tests.SystemCheck;

/// <summary>
/// The check tool, run as the build runs it, on manifests that are not what it writes: each ends with exit code 2 and a
/// WRS000 error naming the file and what is wrong, never with an unhandled exception (exit code 134).
/// </summary>
public sealed class MalformedManifestTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "warren-malformed-" + Guid.NewGuid().ToString("N"));

    public MalformedManifestTests() => Directory.CreateDirectory(_directory);

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Theory]
    [InlineData("""{"format":1,"service":"Shop","kind":"service"}""", "'modules'")]
    [InlineData("""{"format":1,"service":"Shop","kind":"service","modules":[],"exchanges":null,"queues":[],"bindings":[],"publishes":[],"consumes":[],"deadLetters":[],"calls":[],"serves":[]}""", "'exchanges'")]
    [InlineData("""{"format":1,"service":"Shop","kind":"service","modules":[],"exchanges":[null],"queues":[],"bindings":[],"publishes":[],"consumes":[],"deadLetters":[],"calls":[],"serves":[]}""", "'exchanges[0]'")]
    [InlineData("""{"format":1,"service":"Shop","kind":"service","modules":[],"exchanges":[],"queues":[],"bindings":[],"publishes":[{"contract":"order.placed"}],"consumes":[],"deadLetters":[],"calls":[],"serves":[]}""", "'publishes[0].type'")]
    [InlineData("""{"format":0,"service":"Shop","kind":"service","modules":[],"exchanges":[],"queues":[],"bindings":[],"publishes":[],"consumes":[],"deadLetters":[],"calls":[],"serves":[]}""", "format 0")]
    [InlineData("""{"service":"Shop","kind":"service","modules":[],"exchanges":[],"queues":[],"bindings":[],"publishes":[],"consumes":[],"deadLetters":[],"calls":[],"serves":[]}""", "'format'")]
    [InlineData("""{"format":7,"service":"Shop","kind":"service"}""", "format 7")]
    [InlineData("""{"format":1,"service":"Sh""", "is not a Warren manifest")]
    [InlineData("", "is not a Warren manifest")]
    [InlineData("null", "is empty")]
    [InlineData("""{"format":1,"service":"Shop","kind":"service","exchanges":"orders"}""", "is not a Warren manifest")]
    [InlineData("""{"format":1,"service":"Shop","kind":"service","modules":[],"exchanges":[],"queues":[],"bindings":[],"consumes":[],"deadLetters":[],"calls":[],"serves":[]}""", "the list 'publishes' is missing")]
    [InlineData("""{"format":1,"service":"Shop","kind":"service","modules":[],"exchanges":[],"queues":[],"bindings":[],"publishes":[],"consumes":[],"calls":[],"serves":[]}""", "the list 'deadLetters' is missing")]
    public async Task A_manifest_the_tool_did_not_write_fails_with_WRS000_naming_the_file_and_what_is_wrong(string json, string named)
    {
        var file = Path.Combine(_directory, "manifest.json");
        await File.WriteAllTextAsync(file, json);

        var (exit, output) = await RunToolAsync("check", file);

        Assert.True(exit == 2, $"exit code {exit}, expected 2:\n{output}");
        Assert.Contains("error WRS000 : " + file, output, StringComparison.Ordinal);
        Assert.Contains(named, output, StringComparison.Ordinal);
        Assert.DoesNotContain("Unhandled exception", output, StringComparison.Ordinal);
    }

    private static async Task<(int Exit, string Output)> RunToolAsync(params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Warren.Manifest.dll"));
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(1));
        return (process.ExitCode, await output + await error);
    }
}
