using System.Globalization;
using System.Threading;
using System.Threading.Tasks;

namespace Warren.IntegrationTests.Interop;

// The Warren side of the tutorials written only with attributes: generated text publishers, a generated text RPC server
// and a generated proxy for the tutorial's own RPC server. Text needs no JsonSerializerContext.

/// <summary>receive.js's queue, addressed by name on the default exchange.</summary>
[Publisher]
public partial interface ITutorialHello
{
    [Topic("hello")]
    ValueTask Hello(string text, CancellationToken cancellationToken = default);
}

/// <summary>receive_logs.js's non-durable fanout exchange: no routing key needed.</summary>
[Publisher]
[Exchange("logs", ExchangeKind.Fanout, Durable = false)]
public partial interface ITutorialLogs
{
    Task Log(string line);
}

/// <summary>
/// Tutorial 6's RPC as a Warren service: the number as text in, fib(n) as text out, on a queue declared non-durable as
/// rpc_server.js declares its <c>rpc_queue</c>, so either side may declare it first.
/// </summary>
[RpcService("generated-fib", Queue = "rpc_queue.generated", Durable = false)]
public interface IGeneratedFib
{
    Task<string> Fib(string n, CancellationToken cancellationToken = default);
}

public sealed class GeneratedFibService : IGeneratedFib
{
    public Task<string> Fib(string n, CancellationToken cancellationToken = default) =>
        Task.FromResult(Fibonacci(int.Parse(n, CultureInfo.InvariantCulture)).ToString(CultureInfo.InvariantCulture));

    public static long Fibonacci(int n)
    {
        long a = 0, b = 1;
        for (var i = 0; i < n; i++)
        {
            (a, b) = (b, a + b);
        }

        return a;
    }
}

/// <summary>The tutorial's rpc_server.js, called through a generated proxy (no class here serves it).</summary>
[RpcService("tutorial-fib", Queue = "rpc_queue", Timeout = "20s")]
public interface ITutorialFib
{
    Task<string> Fib(string n, CancellationToken cancellationToken = default);
}
