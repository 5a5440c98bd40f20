using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Linq;
using System.Threading.Tasks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Warren;
using Warren.Demo;

// Two "processes" (hosts) of the same application, configured from Warren:Url / RABBITMQ_URL. The generator turned
// the attributes in Messages.cs and Consumers.cs into topology, contracts, dispatchers and the IUserEvents publisher.
var log = new DemoLog();
using var metrics = new DemoMetrics();
using var worker1 = await StartAsync("worker-1");
using var worker2 = await StartAsync("worker-2");

Console.WriteLine("== event bus: user-service publishes to topic exchange 'demo.user.events'");
var users = worker1.Services.GetRequiredService<IUserEvents>();
await users.Created(new UserCreated("u-1", "ada@example.com", "eu"));
await users.Created(new UserCreated("u-2", "grace@example.com", "us"));
await users.Updated(new UserUpdated("u-1", "ada@lovelace.org", "eu"));
Console.WriteLine("   3 events published and confirmed");
await log.WaitForAsync(2 + 3);
log.Flush();

Console.WriteLine();
Console.WriteLine("== task queue: an API publishes 6 videos to 'demo.tasks'; two workers compete (prefetch 1)");
var publisher = worker1.Services.GetRequiredService<IPublisher>();
for (var i = 1; i <= 6; i++)
{
    await publisher.PublishAsync(new ProcessVideo($"video-{i}", new Uri($"https://videos.example/{i}.mp4"), Seconds: i % 3 + 1));
}

await publisher.PublishAsync(new ProcessVideo("urgent", new Uri("https://videos.example/urgent.mp4"), 1), new PublishOptions { Priority = 9 });
Console.WriteLine("   6 normal tasks and 1 urgent task (priority 9) published");
await log.WaitForAsync(7);
log.Flush();

Console.WriteLine();
Console.WriteLine("== RPC: the order service calls IInventory.CheckStock and IPayment.Charge, then publishes order.created");
var orders = new OrderService(worker1.Services.GetRequiredService<IInventory>(), worker1.Services.GetRequiredService<IPayment>(), publisher);
Console.WriteLine("   " + await orders.PlaceAsync("o-1001", "blue-mug", 2, 19.90m));
Console.WriteLine("   " + await orders.PlaceAsync("o-1002", "sold-out", 1, 5.00m));
try
{
    await orders.PlaceAsync("o-1003", "blue-mug", 1, -1m);
}
catch (RemoteRpcException ex)
{
    Console.WriteLine($"   order o-1003: payment refused remotely ({ex.RemoteType}: {ex.RemoteMessage})");
}

await log.WaitForAsync(3 + 1 + 1); // o-1001: stock, charge, analytics; o-1002 and o-1003: stock
log.Flush();

Console.WriteLine();
Console.WriteLine("== topology the generator declared (also available as definitions.json):");
Console.WriteLine(Warren.Generated.WarrenTopology.Mermaid);
Console.WriteLine("all deliveries handled and acknowledged; stopping both workers gracefully.");
await worker1.StopAsync();
await worker2.StopAsync();

Console.WriteLine();
Console.WriteLine("== metrics gathered from the 'Warren' meter (what an OpenTelemetry exporter would receive):");
metrics.Print();
return 0;

async Task<IHost> StartAsync(string name)
{
    var builder = Host.CreateApplicationBuilder(args);
    builder.Logging.SetMinimumLevel(LogLevel.Warning);
    builder.Services.AddSingleton(log);
    builder.Services.AddSingleton(new WorkerName(name));
    builder.Services.AddWarren(builder.Configuration).Configure(o => o.ClientName = "demo-" + name).AddGeneratedHandlers();
    var host = builder.Build();
    await host.StartAsync();
    return host;
}

/// <summary>Collects what the handlers did, printed in order of arrival.</summary>
public sealed class DemoLog
{
    private readonly ConcurrentQueue<string> _lines = new();
    private int _printed;

    public void Write(string line) => _lines.Enqueue(line);

    public async Task WaitForAsync(int more)
    {
        var target = _printed + more;
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (_lines.Count < target)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"expected {target} handled messages, saw {_lines.Count}");
            }

            await Task.Delay(20);
        }
    }

    public void Flush()
    {
        foreach (var line in _lines.Skip(_printed).ToList())
        {
            Console.WriteLine("   " + line);
            _printed++;
        }
    }
}
