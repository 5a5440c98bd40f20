using System;
using System.Threading;
using System.Threading.Tasks;
using Xunit;

namespace Warren.Testing.Tests;

/// <summary>
/// The run methods take Task and ValueTask actions alike. This file is also a compile-time check: each call shape
/// below (method groups, expression lambdas returning Task, ValueTask or their generic forms, async lambdas with and
/// without a result, lambdas that only throw) must bind to one overload, or the project does not build (CS0121).
/// </summary>
public sealed class RunOverloadTests
{
    [Fact]
    public async Task Plain_actions_of_every_shape_run_and_return_their_results()
    {
        await using var harness = await Shop.StartAsync();
        var publisher = (IPublisher)harness.Services.GetService(typeof(IPublisher))!;

        (await harness.RunAsync(() => publisher.PublishAsync(new InvoiceSent("vt")))).AssertPublished<InvoiceSent>(i => i.OrderId == "vt");
        (await harness.RunAsync(async () => await publisher.PublishAsync(new InvoiceSent("async")))).AssertPublished<InvoiceSent>(i => i.OrderId == "async");
        (await harness.RunAsync(() => publisher.PublishAsync(new InvoiceSent("task")).AsTask())).AssertPublished<InvoiceSent>(i => i.OrderId == "task");

        Assert.Equal(1, (await harness.RunAsync(() => Task.FromResult(1))).Result);
        Assert.Equal(2, (await harness.RunAsync(() => ValueTask.FromResult(2))).Result);
        Assert.Equal(3, (await harness.RunAsync(async () =>
        {
            await Task.Yield();
            return 3;
        })).Result);

        Assert.Equal(4, (await harness.RunAsync(FourAsTask)).Result);
        Assert.Equal(5, (await harness.RunAsync(FiveAsValueTask)).Result);
        await harness.RunAsync(NothingAsTask);
        await harness.RunAsync(NothingAsValueTask);

        await Assert.ThrowsAsync<TimeoutException>(() => harness.RunAsync(() => throw new TimeoutException("thrown")));
    }

    [Fact]
    public async Task Service_actions_of_every_shape_run_and_return_their_results()
    {
        await using var harness = await Shop.StartAsync();

        (await harness.RunAsync<IPublisher>(p => p.PublishAsync(new InvoiceSent("vt")))).AssertPublished<InvoiceSent>(i => i.OrderId == "vt");
        (await harness.RunAsync<IPublisher>(async p => await p.PublishAsync(new InvoiceSent("async")))).AssertPublished<InvoiceSent>(i => i.OrderId == "async");
        (await harness.RunAsync<IPublisher>(PublishBilled)).AssertPublished<InvoiceSent>(i => i.OrderId == "group");

        var quote = new QuoteRequest("mug", 2);
        Assert.Equal(5m, (await harness.RunAsync<IPricing, Quote>(p => p.GetQuote(quote))).Result.Total);
        Assert.Equal(5m, (await harness.RunAsync<IPricing, Quote>(p => new ValueTask<Quote>(p.GetQuote(quote)))).Result.Total);
        Assert.Equal(5m, (await harness.RunAsync<IPricing, Quote>(async p => await p.GetQuote(quote))).Result.Total);

        await Assert.ThrowsAsync<TimeoutException>(() => harness.RunAsync<IPublisher>(_ => throw new TimeoutException("thrown")));
        await Assert.ThrowsAsync<TimeoutException>(() => harness.RunAsync<IPricing, Quote>(_ => throw new TimeoutException("thrown")));
    }

    [Fact]
    public async Task A_failing_value_task_action_is_held_by_the_tried_run()
    {
        await using var harness = await Shop.StartAsync();

        var viaValueTask = await harness.TryRunAsync(() => ValueTask.FromException(new TimeoutException("value task")));
        var viaThrow = await harness.TryRunAsync(() => throw new TimeoutException("thrown"));
        var viaAsync = await harness.TryRunAsync(async () =>
        {
            await Task.Yield();
            throw new TimeoutException("async");
        });

        Assert.Equal("value task", Assert.IsType<TimeoutException>(viaValueTask.Exception).Message);
        Assert.Equal("thrown", Assert.IsType<TimeoutException>(viaThrow.Exception).Message);
        Assert.Equal("async", Assert.IsType<TimeoutException>(viaAsync.Exception).Message);
    }

    private static Task<int> FourAsTask() => Task.FromResult(4);

    private static ValueTask<int> FiveAsValueTask() => ValueTask.FromResult(5);

    private static Task NothingAsTask() => Task.CompletedTask;

    private static ValueTask NothingAsValueTask() => ValueTask.CompletedTask;

    private static ValueTask PublishBilled(IPublisher publisher) => publisher.PublishAsync(new InvoiceSent("group"));
}
