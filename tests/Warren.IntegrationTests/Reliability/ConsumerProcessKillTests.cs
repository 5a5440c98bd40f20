using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using System.Text;
using System.Threading.Tasks;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;
using Warren.IntegrationTests.Runtime;
using Xunit;
using Xunit.Abstractions;

namespace Warren.IntegrationTests.Reliability;

/// <summary>
/// The consumer is a separate OS process (<c>tests/Warren.FaultWorker</c>) killed with SIGKILL in the middle of a
/// stream of confirmed persistent messages, then started again: at-least-once means 0 lost, duplicates counted.
/// </summary>
[Collection(BrokerCollection.Name)]
public sealed class ConsumerProcessKillTests(BrokerFixture broker, ITestOutputHelper output)
{
    private const string Queue = "fault-worker.jobs";
    private const int Count = 5_000;
    private const int SigKill = 9;
    private const int SigTerm = 15;

    [Fact]
    public async Task Consumer_process_killed_with_sigkill_mid_stream_loses_nothing()
    {
        var run = Guid.NewGuid().ToString("N")[..8];
        var handledFile = Path.Combine(Path.GetTempPath(), $"warren-fault-worker-{run}.txt");
        try
        {
            await using var connection = await broker.ConnectAsync();
            int atKill;
            await using (var first = StartWorker(handledFile))
            {
                await WaitForConsumerAsync(connection, first);
                await PurgeAsync(connection);
                var publishing = PublishAsync(connection, run);
                await Broker.WaitUntilAsync(() => Handled(handledFile, run).Count >= Count / 5 || first.HasExited, TimeSpan.FromSeconds(60), "a fifth of the stream handled");
                Assert.False(first.HasExited, $"the worker exited on its own\n{first.Transcript()}");
                Assert.Equal(0, Kill(first.Pid, SigKill));
                var exitCode = await first.WaitForExitAsync(TimeSpan.FromSeconds(10));
                atKill = Handled(handledFile, run).Count;
                Assert.True(exitCode == 128 + SigKill, $"the worker should have died of SIGKILL (exit code {exitCode})");
                await publishing;
            }

            Assert.True(atKill < Count, $"the worker must be killed mid-stream (it had handled {atKill} of {Count})");
            await using var second = StartWorker(handledFile);
            try
            {
                await Broker.WaitUntilAsync(() => Handled(handledFile, run).Distinct().Count() >= Count, TimeSpan.FromSeconds(60), "every message handled after the restart");
            }
            catch (TimeoutException ex)
            {
                throw new TimeoutException($"{ex.Message} {Handled(handledFile, run).Distinct().Count()} of {Count} handled.\n{second.Transcript()}", ex);
            }

            // A graceful stop acknowledges what it handled: nothing is left for a later run.
            Assert.Equal(0, Kill(second.Pid, SigTerm));
            Assert.Equal(0, await second.WaitForExitAsync(TimeSpan.FromSeconds(30)));

            var handled = Handled(handledFile, run);
            var distinct = handled.ToHashSet();
            var lost = Enumerable.Range(0, Count).Count(n => !distinct.Contains(n));
            var duplicates = handled.Count - distinct.Count;
            output.WriteLine($"killed after {atKill} handled; {distinct.Count} of {Count} handled, {lost} lost, {duplicates} duplicates");
            Assert.Equal(0, lost);
            Assert.All(distinct, n => Assert.InRange(n, 0, Count - 1));
            Assert.Equal(0u, await Broker.ReadyCountAsync(connection, Queue));
        }
        finally
        {
            File.Delete(handledFile);
        }
    }

    private ChildProcess StartWorker(string handledFile)
    {
        var dll = Path.Combine(RepositoryPaths.Root, "tests", "Warren.FaultWorker", "bin", RepositoryPaths.Configuration, "net10.0", "Warren.FaultWorker.dll");
        if (!File.Exists(dll))
        {
            throw new InvalidOperationException($"{dll} is missing: build Framework.sln ({RepositoryPaths.Configuration}) first.");
        }

        var dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";
        return ChildProcess.Start(dotnet, [dll, $"--Warren:Url={broker.AmqpUrl}", $"--handled={handledFile}", "--Warren:ClientName=fault-worker"], Path.GetDirectoryName(dll)!);
    }

    /// <summary>Waits until the worker's consumer is subscribed (its queue exists and has a consumer).</summary>
    private static async Task WaitForConsumerAsync(IConnection connection, ChildProcess worker)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            try
            {
                await using var channel = await connection.CreateChannelAsync();
                if ((await channel.QueueDeclarePassiveAsync(Queue)).ConsumerCount > 0)
                {
                    return;
                }
            }
            catch (OperationInterruptedException)
            {
                // Not declared yet.
            }

            if (worker.HasExited || DateTime.UtcNow > deadline)
            {
                throw new InvalidOperationException($"the worker did not start consuming {Queue}\n{worker.Transcript()}");
            }

            await Task.Delay(100);
        }
    }

    private static async Task PurgeAsync(IConnection connection)
    {
        await using var channel = await connection.CreateChannelAsync();
        await channel.QueuePurgeAsync(Queue);
    }

    /// <summary>Publishes the stream, each message persistent and confirmed by the broker.</summary>
    private static async Task PublishAsync(IConnection connection, string run)
    {
        await using var channel = await connection.CreateChannelAsync(new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true));
        const int Window = 100;
        for (var start = 0; start < Count; start += Window)
        {
            await Task.WhenAll(Enumerable.Range(start, Math.Min(Window, Count - start)).Select(n =>
            {
                var properties = new BasicProperties
                {
                    Type = "fault.job",
                    MessageId = $"{run}-{n}",
                    ContentType = "application/json",
                    DeliveryMode = DeliveryModes.Persistent,
                };
                var body = Encoding.UTF8.GetBytes($"{{\"Run\":\"{run}\",\"N\":{n.ToString(CultureInfo.InvariantCulture)}}}");
                return channel.BasicPublishAsync("fault-worker", "job", mandatory: true, properties, body).AsTask();
            }));
        }
    }

    /// <summary>The numbers of this run's messages in the worker's file, one per handling (duplicates kept).</summary>
    private static List<int> Handled(string file, string run)
    {
        if (!File.Exists(file))
        {
            return [];
        }

        using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var reader = new StreamReader(stream);
        var numbers = new List<int>();
        while (reader.ReadLine() is { } line)
        {
            var parts = line.Split(' ');
            if (parts.Length == 2 && parts[0] == run && int.TryParse(parts[1], CultureInfo.InvariantCulture, out var n))
            {
                numbers.Add(n);
            }
        }

        return numbers;
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);
}
