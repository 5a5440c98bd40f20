using System.Collections.Concurrent;
using System.Threading.Tasks;
using RabbitMQ.Client;

namespace Warren.Benchmarks.Compare;

/// <summary>
/// Looks at one message each framework left in a queue (basic.get, then requeued): whether it is persistent, its content
/// type and body size — so the output shows the frameworks were compared on the same kind of message.
/// </summary>
internal static class WireProbe
{
    private static readonly ConcurrentDictionary<string, string> Seen = new();

    public static async Task RecordAsync(string url, string queue, string framework)
    {
        if (Seen.ContainsKey(framework))
        {
            return;
        }

        await using var connection = await RawScenarios.Factory(url).CreateConnectionAsync("bench-probe");
        await using var channel = await connection.CreateChannelAsync();
        var message = await channel.BasicGetAsync(queue, autoAck: false);
        if (message is null)
        {
            Seen[framework] = "no message to look at";
            return;
        }

        var p = message.BasicProperties;
        Seen[framework] = $"{(p.Persistent ? "persistent" : "TRANSIENT")}, content-type {p.ContentType ?? "none"}, type {p.Type ?? "none"}, body {message.Body.Length} bytes, {p.Headers?.Count ?? 0} header(s)";
        await channel.BasicNackAsync(message.DeliveryTag, multiple: false, requeue: true);
    }

    public static void Print()
    {
        foreach (var (framework, description) in Seen)
        {
            System.Console.WriteLine($"  wire format of {framework}: {description}");
        }
    }
}
