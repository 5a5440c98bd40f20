using System;
using System.Text.Json.Serialization;
using System.Threading;
using System.Threading.Tasks;

namespace Warren.IntegrationTests.Rpc;

public sealed record Calc(int A, int B, int DelayMs = 0, bool Fail = false);

public sealed record CalcResult(int Sum, string Server);

public sealed record Note(string Text);

[RpcService("it-calculator", Timeout = "5s")]
public interface ICalculator
{
    Task<CalcResult> Add(Calc request, CancellationToken ct = default);

    [Rpc(Timeout = "300ms")]
    Task<CalcResult> AddQuick(Calc request, CancellationToken ct = default);

    ValueTask Record(Note note);
}

/// <summary>A service nobody serves: its queue is never declared.</summary>
[RpcService("it-nobody")]
public interface INobody
{
    Task<CalcResult> Ask(Calc request);
}

public sealed class CalculatorService(ServerName server, NoteBook notes) : ICalculator
{
    public async Task<CalcResult> Add(Calc request, CancellationToken ct = default)
    {
        if (request.DelayMs > 0)
        {
            await Task.Delay(request.DelayMs, CancellationToken.None);
        }

        if (request.Fail)
        {
            throw new InvalidOperationException($"boom {request.A}");
        }

        return new CalcResult(request.A + request.B, server.Name);
    }

    public Task<CalcResult> AddQuick(Calc request, CancellationToken ct = default) => Add(request, ct);

    public ValueTask Record(Note note)
    {
        notes.Add(note.Text);
        return ValueTask.CompletedTask;
    }
}

public sealed record ServerName(string Name);

public sealed class NoteBook
{
    private readonly System.Collections.Concurrent.ConcurrentQueue<string> _notes = new();

    public string[] Notes => [.. _notes];

    public void Add(string note) => _notes.Enqueue(note);
}

[JsonSerializable(typeof(Calc))]
[JsonSerializable(typeof(CalcResult))]
[JsonSerializable(typeof(Note))]
internal sealed partial class RpcTestJson : JsonSerializerContext;
