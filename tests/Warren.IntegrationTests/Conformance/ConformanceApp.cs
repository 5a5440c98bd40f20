using System;
using System.Text.Json.Serialization;
using System.Threading;
using System.Threading.Tasks;
using Warren.IntegrationTests.Generated;
using Warren.IntegrationTests.Reliability;

namespace Warren.IntegrationTests.Conformance;

// The application of the conformance suite: run unchanged on the in-memory broker and on RabbitMQ. Its consumers use
// only the services every generated host of this assembly registers (Recorder, Gates, Attempts).

[Exchange("conf.topic", ExchangeKind.Topic)]
[Topic("conf.default")]
[Message("conf.quote")]
public sealed record Quote(string Id);

[Exchange("conf.direct", ExchangeKind.Direct)]
[Topic("red")]
[Message("conf.paint")]
public sealed record Paint(string Id);

[Exchange("conf.fanout", ExchangeKind.Fanout)]
[Message("conf.notice")]
public sealed record Notice(string Id);

[Exchange("conf.headers", ExchangeKind.Headers)]
[Message("conf.document")]
public sealed record Document(string Id);

[Exchange("conf.work", ExchangeKind.Direct)]
[Topic("job")]
[Message("conf.job")]
public sealed record ConfJob(string Id);

[Exchange("conf.work", ExchangeKind.Direct)]
[Topic("fragile")]
[Message("conf.fragile")]
public sealed record Fragile(string Id, int FailTimes);

[Exchange("conf.lonely", ExchangeKind.Direct)]
[Topic("nobody")]
[Message("conf.lonely")]
public sealed record Lonely(string Id);

public sealed record Division(int Dividend, int Divisor);

public sealed record Ratio(int Value);

[JsonSerializable(typeof(Quote))]
[JsonSerializable(typeof(Paint))]
[JsonSerializable(typeof(Notice))]
[JsonSerializable(typeof(Document))]
[JsonSerializable(typeof(ConfJob))]
[JsonSerializable(typeof(Fragile))]
[JsonSerializable(typeof(Lonely))]
[JsonSerializable(typeof(Division))]
[JsonSerializable(typeof(Ratio))]
internal sealed partial class ConformanceJson : JsonSerializerContext;

[Queue("conf.topic-star")]
public sealed class TopicStar(Recorder recorder)
{
    [Topic("stock.*.nyse")]
    public void Handle(Quote quote, MessageContext context) => recorder.Add("conf-star", quote.Id, context);
}

[Queue("conf.topic-hash")]
public sealed class TopicHash(Recorder recorder)
{
    [Topic("stock.#")]
    public void Handle(Quote quote, MessageContext context) => recorder.Add("conf-hash", quote.Id, context);
}

[Queue("conf.topic-tail")]
public sealed class TopicTail(Recorder recorder)
{
    [Topic("#.nyse")]
    public void Handle(Quote quote, MessageContext context) => recorder.Add("conf-tail", quote.Id, context);
}

[Queue("conf.topic-mid")]
public sealed class TopicMiddle(Recorder recorder)
{
    [Topic("*.#.*")]
    public void Handle(Quote quote, MessageContext context) => recorder.Add("conf-mid", quote.Id, context);
}

[Queue("conf.red")]
public sealed class Red(Recorder recorder)
{
    [Topic("red")]
    public void Handle(Paint paint, MessageContext context) => recorder.Add("conf-red", paint.Id, context);
}

[Queue("conf.green")]
public sealed class Green(Recorder recorder)
{
    [Topic("green")]
    public void Handle(Paint paint, MessageContext context) => recorder.Add("conf-green", paint.Id, context);
}

[Queue("conf.fan-a")]
public sealed class FanA(Recorder recorder)
{
    public void Handle(Notice notice, MessageContext context) => recorder.Add("conf-fan-a", notice.Id, context);
}

[Queue("conf.fan-b")]
public sealed class FanB(Recorder recorder)
{
    public void Handle(Notice notice, MessageContext context) => recorder.Add("conf-fan-b", notice.Id, context);
}

[Queue("conf.docs-all")]
public sealed class DocsAll(Recorder recorder)
{
    [Headers("format=pdf", "lang=en")]
    public void Handle(Document doc, MessageContext context) => recorder.Add("conf-all", doc.Id, context);
}

[Queue("conf.docs-any")]
public sealed class DocsAny(Recorder recorder)
{
    [Headers("format=pdf", "lang=en", Mode = HeadersMatch.Any)]
    public void Handle(Document doc, MessageContext context) => recorder.Add("conf-any", doc.Id, context);
}

/// <summary>Priorities and per-message TTL: one message at a time, held at a gate while the others wait in the queue.</summary>
[Queue("conf.jobs", Prefetch = 1)]
[Priority(Max = 10)]
[DeadLetter]
public sealed class ConfJobs(Recorder recorder, Gates gates)
{
    public async Task Handle(ConfJob job, MessageContext context)
    {
        await gates.PassAsync("conf-jobs", job.Id);
        recorder.Add("conf-jobs", job.Id, context);
    }
}

/// <summary>Fails <see cref="Fragile.FailTimes"/> times, with short retry delays, then succeeds (or ends in the DLQ).</summary>
[Queue("conf.fragile")]
[DeadLetter(MaxRetries = 2, RetryDelays = new[] { "200ms", "400ms" })]
public sealed class FragileWorker(Attempts attempts)
{
    public void Handle(Fragile item, MessageContext context)
    {
        var attempt = attempts.Record(item.Id, context);
        if (attempt <= item.FailTimes)
        {
            throw new InvalidOperationException($"attempt {attempt} of {item.Id} failed");
        }

        attempts.Succeeded(item.Id);
    }
}

[RpcService("conf-calc", Timeout = "5s")]
public interface IConfCalculator
{
    Task<Ratio> Divide(Division division, CancellationToken ct = default);
}

public sealed class ConfCalculator : IConfCalculator
{
    public Task<Ratio> Divide(Division division, CancellationToken ct = default) => Task.FromResult(new Ratio(division.Dividend / division.Divisor));
}

/// <summary>Its queue exists (declared by the suite) but nobody consumes it: calls time out.</summary>
[RpcService("conf-stalled", Timeout = "1s")]
public interface IConfStalled
{
    Task<Ratio> Divide(Division division, CancellationToken ct = default);
}

/// <summary>Nobody serves it and its queue does not exist: calls are returned.</summary>
[RpcService("conf-absent", Timeout = "5s")]
public interface IConfAbsent
{
    Task<Ratio> Divide(Division division, CancellationToken ct = default);
}
