using System;
using System.IO;
using System.Text;
using System.Text.Json.Serialization;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Warren;
using Warren.FaultWorker;

// Usage: Warren.FaultWorker --Warren:Url=amqp://… --handled=/path/to/file
// Consumes fault-worker.jobs and appends "run n" to the file for every message it handled, before the message is
// acknowledged: after a SIGKILL the file holds at least everything that was acknowledged.
var builder = Host.CreateApplicationBuilder(args);
var handled = builder.Configuration["handled"] ?? throw new InvalidOperationException("--handled=<file> is required.");
builder.Services.AddSingleton(new HandledLog(handled));
builder.Services.AddWarren(builder.Configuration).AddGeneratedHandlers();
await builder.Build().RunAsync();

namespace Warren.FaultWorker
{
    [Exchange("fault-worker", ExchangeKind.Direct)]
    [Topic("job")]
    [Message("fault.job")]
    public sealed record FaultJob(string Run, int N);

    [JsonSerializable(typeof(FaultJob))]
    internal sealed partial class FaultWorkerJson : JsonSerializerContext;

    [Queue("fault-worker.jobs", Prefetch = 50, Concurrency = 4)]
    public sealed class FaultJobs(HandledLog log)
    {
        public async Task Handle(FaultJob job, CancellationToken ct)
        {
            await Task.Delay(1, ct); // a stream of a few seconds, so the kill lands in the middle of it
            log.Record(job);
        }
    }

    /// <summary>Appends one line per handled message with a single write call (kept by the kernel if the process is killed).</summary>
    public sealed class HandledLog(string path) : IDisposable
    {
        private readonly FileStream _file = new(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite, bufferSize: 0);
        private readonly Lock _lock = new();

        public void Record(FaultJob job)
        {
            var line = Encoding.UTF8.GetBytes($"{job.Run} {job.N}\n");
            lock (_lock)
            {
                _file.Write(line);
            }
        }

        public void Dispose() => _file.Dispose();
    }
}
