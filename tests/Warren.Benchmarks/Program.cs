using System;
using System.Threading.Tasks;
using Warren.Benchmarks;

// End-to-end scenarios against a real broker print msg/s for the raw RabbitMQ.Client loop and for Warren, alternating,
// and end with one ratio line; `micro` runs the BenchmarkDotNet in-process benchmarks.
return await BenchmarkCommand.RunAsync(args);
