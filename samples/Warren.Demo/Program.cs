using System;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Threading.Tasks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Warren;
using Warren.Demo;

// The demo: a user service publishes events to a topic exchange; an email service and an analytics service each
// consume their own queue. Connects to Warren:Url / RABBITMQ_URL (samples/demo.sh starts a private broker for it).
var log = new ConcurrentQueue<string>();
var builder = Host.CreateApplicationBuilder(args);
builder.Logging.SetMinimumLevel(LogLevel.Warning);
builder.Services.AddWarren(builder.Configuration)
    .AddTopology(EventBus.Topology)
    .AddConsumer(new ConsumerDefinition(EventBus.EmailQueue, MessageDispatcher.Create(DemoJson.Default.UserCreated, (user, context) =>
    {
        log.Enqueue($"email      sent welcome mail to {user.Email} (message {context.MessageId})");
        return ValueTask.CompletedTask;
    })))
    .AddConsumer(new ConsumerDefinition(EventBus.AnalyticsQueue, new EventBus.AnalyticsDispatcher(log)));
EventBus.RegisterContracts();

using var host = builder.Build();
await host.StartAsync();
var publisher = host.Services.GetRequiredService<IPublisher>();

Console.WriteLine("user-service publishes to exchange 'user.events':");
UserCreated[] signups = [new("u-1", "ada@example.com", "eu"), new("u-2", "grace@example.com", "us"), new("u-3", "linus@example.com", "eu")];
foreach (var user in signups)
{
    await publisher.PublishAsync(user);
    Console.WriteLine($"  published user.{user.Region}.created for {user.UserId} (confirmed by the broker)");
}

await publisher.PublishAsync(new UserUpdated("u-1", "ada@lovelace.org", "eu"));
Console.WriteLine("  published user.eu.updated for u-1 (confirmed by the broker)");

// 3 welcome mails + 4 analytics events.
const int expected = 7;
var clock = Stopwatch.StartNew();
while (log.Count < expected && clock.Elapsed < TimeSpan.FromSeconds(20))
{
    await Task.Delay(20);
}

Console.WriteLine();
Console.WriteLine("consumers handled:");
foreach (var line in log)
{
    Console.WriteLine("  " + line);
}

await host.StopAsync();
if (log.Count != expected)
{
    Console.Error.WriteLine($"expected {expected} handled messages, saw {log.Count}");
    return 1;
}

Console.WriteLine();
Console.WriteLine($"all {expected} deliveries handled and acknowledged; consumers stopped gracefully.");
return 0;
