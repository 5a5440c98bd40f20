using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Threading.Tasks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using RabbitMQ.Client;
using Warren.Benchmarks.Compare;
using Warren.Testing;

namespace Warren.Benchmarks;

/// <summary>
/// Publish variants on one private node, alternating, with what each costs the broker as well as the client: the
/// node's CPU time per message (its beam.smp, from /proc), the client's, read/write syscalls of both, and the TCP
/// segments and bytes the client sent per message (from <c>ss -ti</c> on its connections to the node). Per round:
/// msg/s, c = client µs, b = broker µs, cw/cr/bw/br = syscalls, so/si = segments out/in, B = bytes sent, per message.
/// </summary>
internal static class PublishProbe
{
    public static async Task<int> RunAsync(string[] variants, int count, int size, int rounds)
    {
        await using var broker = await PrivateBroker.StartAsync();
        var beam = FindBeam(broker.DirectoryPath);
        Console.WriteLine($"beam pid {beam}, load {File.ReadAllText("/proc/loadavg").Trim()}");
        var results = variants.ToDictionary(v => v, _ => new List<double[]>());
        for (var r = -1; r < rounds; r++)
        {
            var order = r < 0 ? variants : variants.Skip((r % variants.Length + variants.Length) % variants.Length).Concat(variants.Take((r % variants.Length + variants.Length) % variants.Length)).ToArray();
            var line = $"round {r + 1}:";
            foreach (var v in order)
            {
                var m = await RunOneAsync(v, broker.AmqpUrl, beam, r < 0 ? 2000 : count, size);
                if (r >= 0)
                {
                    results[v].Add(m);
                }

                line += $"  {v} {m[0]:N0}/s c{m[1]:F1} b{m[2]:F1} cw{m[3]:F2} cr{m[4]:F2} bw{m[5]:F2} br{m[6]:F2} so{m[7]:F3} si{m[8]:F3} B{m[9]:F0}";
            }

            Console.WriteLine(line);
        }

        Console.WriteLine($"load {File.ReadAllText("/proc/loadavg").Trim()}");
        var raw = results[variants[0]];
        foreach (var v in variants)
        {
            var rs = results[v];
            var ratios = rs.Select((m, i) => m[0] / raw[i][0]).OrderBy(x => x).ToArray();
            double Med(int k) => rs.Select(m => m[k]).OrderBy(x => x).ElementAt(rs.Count / 2);
            Console.WriteLine($"{v,-12} {Med(0),8:N0}/s ratio {ratios[ratios.Length / 2]:F3} [{string.Join(" ", ratios.Select(x => x.ToString("F2", CultureInfo.InvariantCulture)))}] client {Med(1):F2} µs broker {Med(2):F2} µs cw {Med(3):F2} cr {Med(4):F2} bw {Med(5):F2} br {Med(6):F2} segs out {Med(7):F3} in {Med(8):F3} bytes/msg {Med(9):F0}");
        }

        return 0;
    }

    private static async Task<double[]> RunOneAsync(string variant, string url, int beam, int count, int size)
    {
        await Task.Delay(1500);
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var queue = RawScenarios.Queue(variant);
        IHost? host = null;
        IConnection? connection = null;
        Func<Task> run;
        if (variant.StartsWith("warren", StringComparison.Ordinal))
        {
            var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
            var warren = builder.Services.AddWarren(o =>
            {
                o.Url = url;
                o.ClientName = "probe-warren";
                o.MaxInFlightPublishes = Window.Size;
            });
            warren.AddTopology(new Topology().Add(new QueueDeclaration(queue)));
            warren.AddContract(new MessageContract<Payload>("bench.payload", BenchJson.Default.Payload, string.Empty, queue));
            host = builder.Build();
            await host.StartAsync();
            var publisher = host.Services.GetRequiredService<IPublisher>();
            var data = Payload.Create(0, size).Data;
            run = variant == "warren-each"
                ? () => Window.RunAsync(count, i => publisher.PublishAsync(new Payload(i, data)).AsTask())
                : () => publisher.PublishBatchAsync(Enumerable.Range(0, count).Select(i => new Payload(i, data))).AsTask();
        }
        else
        {
            connection = await RawScenarios.Factory(url).CreateConnectionAsync("probe-raw");
            await RawScenarios.DeclareAsync(connection, queue);
            var channel = await connection.CreateChannelAsync(new CreateChannelOptions(true, true, null, null));
            var data = Payload.Create(0, size).Data;
            var timestamp = variant.Contains("-ts", StringComparison.Ordinal);
            run = () => Window.RunAsync(count, i =>
            {
                var body = JsonSerializer.SerializeToUtf8Bytes(new Payload(i, data), BenchJson.Default.Payload);
                var properties = new BasicProperties
                {
                    ContentType = "application/json",
                    Type = "bench.payload",
                    DeliveryMode = DeliveryModes.Persistent,
                    MessageId = Guid.NewGuid().ToString("N"),
                };
                if (timestamp)
                {
                    properties.Timestamp = new AmqpTimestamp(DateTimeOffset.UtcNow.ToUnixTimeSeconds());
                }

                return channel.BasicPublishAsync(string.Empty, queue, mandatory: true, properties, body).AsTask();
            });
        }

        var port = new Uri(url).Port;
        var s0 = Segments(port);
        var b0 = BeamCpu(beam);
        var (bw0, br0) = Io(beam.ToString(CultureInfo.InvariantCulture));
        var (cw0, cr0) = Io("self");
        var meter = Meter.Start();
        await run();
        var t = meter.Stop(count);
        var b1 = BeamCpu(beam);
        var s1 = Segments(port);
        var (bw1, br1) = Io(beam.ToString(CultureInfo.InvariantCulture));
        var (cw1, cr1) = Io("self");
        if (host is not null)
        {
            await host.StopAsync();
            host.Dispose();
        }

        await using (var c = await RawScenarios.Factory(url).CreateConnectionAsync("probe-cleanup"))
        {
            await RawScenarios.DeleteAsync(c, queue);
        }

        if (connection is not null)
        {
            await connection.DisposeAsync();
        }

        return [t.PerSecond, t.CpuMicroseconds, (b1 - b0) * 1e6 / count, (double)(cw1 - cw0) / count, (double)(cr1 - cr0) / count, (double)(bw1 - bw0) / count, (double)(br1 - br0) / count, (double)(s1.SegsOut - s0.SegsOut) / count, (double)(s1.SegsIn - s0.SegsIn) / count, (double)(s1.BytesOut - s0.BytesOut) / count];
    }

    private static (long SegsOut, long SegsIn, long BytesOut) Segments(int port)
    {
        var psi = new System.Diagnostics.ProcessStartInfo("ss", ["-tinH", "dst", $"127.0.0.1:{port}"]) { RedirectStandardOutput = true };
        using var p = System.Diagnostics.Process.Start(psi)!;
        var text = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        long so = 0, si = 0, bo = 0;
        foreach (var token in text.Split([' ', '\n', '\t'], StringSplitOptions.RemoveEmptyEntries))
        {
            if (token.StartsWith("data_segs_out:", StringComparison.Ordinal)) so += long.Parse(token[14..], CultureInfo.InvariantCulture);
            else if (token.StartsWith("data_segs_in:", StringComparison.Ordinal)) si += long.Parse(token[13..], CultureInfo.InvariantCulture);
            else if (token.StartsWith("bytes_sent:", StringComparison.Ordinal)) bo += long.Parse(token[11..], CultureInfo.InvariantCulture);
        }

        return (so, si, bo);
    }

    private static int FindBeam(string directory)
    {
        foreach (var dir in Directory.GetDirectories("/proc"))
        {
            try
            {
                var cmd = File.ReadAllText(Path.Combine(dir, "cmdline"));
                if (cmd.Contains("beam.smp", StringComparison.Ordinal) && cmd.Contains(directory, StringComparison.Ordinal))
                {
                    return int.Parse(Path.GetFileName(dir), CultureInfo.InvariantCulture);
                }
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }

        throw new InvalidOperationException("no beam");
    }

    private static double BeamCpu(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / 100.0;
    }

    private static (long Writes, long Reads) Io(string pid)
    {
        long w = 0, r = 0;
        foreach (var line in File.ReadAllLines($"/proc/{pid}/io"))
        {
            if (line.StartsWith("syscw:", StringComparison.Ordinal))
            {
                w = long.Parse(line[6..].Trim(), CultureInfo.InvariantCulture);
            }
            else if (line.StartsWith("syscr:", StringComparison.Ordinal))
            {
                r = long.Parse(line[6..].Trim(), CultureInfo.InvariantCulture);
            }
        }

        return (w, r);
    }
}
