using System;
using System.Collections.Concurrent;
using System.Linq;
using System.Threading.Tasks;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Warren.Testing.Tests;

/// <summary>Text and byte bodies in the in-memory harness: handled, dead-lettered and tracked as on RabbitMQ.</summary>
public sealed class PayloadHarnessTests
{
    [Fact]
    public async Task Text_and_bytes_are_handled_and_tracked_and_a_non_utf8_body_is_dead_lettered_with_its_reason()
    {
        var texts = new ConcurrentQueue<string>();
        var bytes = new ConcurrentQueue<byte[]>();
        await using var harness = await WarrenTestHarness.StartAsync(services => services.AddWarren(o => o.ClientName = "payload-tests")
            .AddTopology(new Topology().Add(new QueueDeclaration("hello", Durable: false)).Add(new QueueDeclaration("blobs", Durable: false)))
            .AddConsumer(new ConsumerDefinition("hello", MessageDispatcher.Create(PayloadFormat.Text, (text, _) =>
            {
                texts.Enqueue(text);
                return ValueTask.CompletedTask;
            })))
            .AddConsumer(new ConsumerDefinition("blobs", MessageDispatcher.Create(PayloadFormat.Bytes, (body, _) =>
            {
                bytes.Enqueue(body);
                return ValueTask.CompletedTask;
            }))));
        var publisher = harness.Services.GetRequiredService<IPublisher>();

        var session = await harness.RunAsync(async () =>
        {
            await publisher.PublishTextAsync(string.Empty, "hello", "Hello World! ✓");
            await publisher.PublishBytesAsync(string.Empty, "blobs", new byte[] { 0, 0xFF, 0x80 });
        });

        Assert.Equal(["Hello World! ✓"], texts);
        Assert.Equal([new byte[] { 0, 0xFF, 0x80 }], bytes);
        var text = Assert.Single(session.Consumed, m => m.Queue == "hello");
        Assert.Equal("Hello World! ✓", text.As<string>());
        Assert.Equal("text/plain; charset=utf-8", text.ContentType);
        Assert.Null(text.Type);
        var blob = Assert.Single(session.Consumed, m => m.Queue == "blobs");
        Assert.Equal(new byte[] { 0, 0xFF, 0x80 }, blob.As<byte[]>());
        Assert.Equal(new byte[] { 0, 0xFF, 0x80 }, blob.As<ReadOnlyMemory<byte>>().ToArray());
        Assert.Throws<InvalidOperationException>(() => blob.As<string>()); // declared application/octet-stream
        session.AssertNoFailures();

        var bad = await harness.RunAsync(() => publisher.PublishBytesAsync(string.Empty, "hello", new byte[] { 0xC3, 0x28 }, new PublishOptions { ContentType = "text/plain" }).AsTask());
        var dead = Assert.Single(bad.DeadLettered);
        Assert.Equal("hello", dead.Queue);
        Assert.StartsWith("The body is not valid utf-8 text: invalid bytes (C3) at offset 0 of 2 (content-type 'text/plain')", dead.Reason, StringComparison.Ordinal);
        Assert.Equal(new byte[] { 0xC3, 0x28 }, dead.Body.ToArray());
        Assert.Single(texts);
    }
}
