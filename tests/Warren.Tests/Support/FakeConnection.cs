using System;
using System.Collections.Generic;
using System.Reflection;
using System.Runtime.ExceptionServices;
using System.Threading;
using System.Threading.Tasks;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace Warren.Tests.Support;

/// <summary>
/// An <see cref="IConnection"/> for tests of Warren's own bookkeeping: it keeps the handlers Warren subscribes so the
/// test can raise the client's events (a lost connection, one closed outside Warren), lets the test decide what
/// <see cref="IConnection.FrameMax"/> does, and passes every other member to <see cref="Inner"/> (or throws
/// <see cref="NotSupportedException"/> without one).
/// </summary>
public class FakeConnection : DispatchProxy
{
    private readonly List<AsyncEventHandler<ShutdownEventArgs>> _shutdown = [];
    private int _frameMaxReads;

    /// <summary>Where members the fake does not handle go; null to have them throw.</summary>
    public IConnection? Inner { get; private set; }

    /// <summary>Called on each read of FrameMax with the number of reads so far (1 for the first); null reads <see cref="Inner"/>'s, else 131072.</summary>
    public Func<int, uint>? FrameMax { get; set; }

    public int FrameMaxReads => Volatile.Read(ref _frameMaxReads);

    public bool Disposed { get; private set; }

    /// <summary>While true, opening a channel fails (a channel the broker refused) while the connection stays open.</summary>
    public bool FailChannels { get; set; }

    /// <summary>While true, <see cref="IConnection.IsOpen"/> is false whatever <see cref="Inner"/> says: a connection recovering.</summary>
    public bool Closed { get; set; }

    public static (IConnection Connection, FakeConnection Fake) Create(IConnection? inner = null)
    {
        var connection = Create<IConnection, FakeConnection>();
        var fake = (FakeConnection)(object)connection;
        fake.Inner = inner;
        return (connection, fake);
    }

    /// <summary>Raises ConnectionShutdownAsync as RabbitMQ.Client does when the connection closes.</summary>
    public async Task RaiseShutdownAsync(ShutdownInitiator initiator, ushort code, string text)
    {
        AsyncEventHandler<ShutdownEventArgs>[] handlers;
        lock (_shutdown)
        {
            handlers = [.. _shutdown];
        }

        foreach (var handler in handlers)
        {
            await handler(this, new ShutdownEventArgs(initiator, code, text));
        }
    }

    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
    {
        ArgumentNullException.ThrowIfNull(targetMethod);
        switch (targetMethod.Name)
        {
            case "get_FrameMax":
                var reads = Interlocked.Increment(ref _frameMaxReads);
                if (FrameMax is { } frameMax)
                {
                    return frameMax(reads);
                }

                return Inner?.FrameMax ?? 131072u;
            case "add_ConnectionShutdownAsync":
                lock (_shutdown)
                {
                    _shutdown.Add((AsyncEventHandler<ShutdownEventArgs>)args![0]!);
                }

                break;
            case "remove_ConnectionShutdownAsync":
                lock (_shutdown)
                {
                    _shutdown.Remove((AsyncEventHandler<ShutdownEventArgs>)args![0]!);
                }

                break;
            case "CreateChannelAsync" when FailChannels:
                return Task.FromException<IChannel>(new InvalidOperationException("the test refuses channels"));
            case "get_IsOpen" when Closed:
                return false;
            case "get_CloseReason" when Closed:
                return new ShutdownEventArgs(ShutdownInitiator.Library, 541, "INTERNAL_ERROR - recovering");
            case "get_IsOpen" when Inner is null:
                return !Disposed;
            case "CloseAsync" when Inner is null:
            case "AbortAsync" when Inner is null:
                return Task.CompletedTask;
            case "Dispose" or "DisposeAsync":
                Disposed = true;
                break;
        }

        if (Inner is null)
        {
            if (targetMethod.Name.StartsWith("add_", StringComparison.Ordinal) || targetMethod.Name.StartsWith("remove_", StringComparison.Ordinal) || targetMethod.Name == "Dispose")
            {
                return null;
            }

            if (targetMethod.Name == "DisposeAsync")
            {
                return ValueTask.CompletedTask;
            }

            throw new NotSupportedException($"FakeConnection without an inner connection does not do {targetMethod.Name}.");
        }

        try
        {
            return targetMethod.Invoke(Inner, args);
        }
        catch (TargetInvocationException ex) when (ex.InnerException is not null)
        {
            ExceptionDispatchInfo.Throw(ex.InnerException);
            throw;
        }
    }
}

/// <summary>Hands out the connections a test queued, in order; each open takes the next.</summary>
public sealed class QueuedConnections(params Func<IConnection>[] connections) : Warren.Infrastructure.IConnectionSource
{
    private int _next;

    public int Opened => Volatile.Read(ref _next);

    public Task<IConnection> ConnectAsync(ConnectionRole role, string clientName, CancellationToken cancellationToken)
    {
        var index = Interlocked.Increment(ref _next) - 1;
        return index < connections.Length
            ? Task.FromResult(connections[index]())
            : Task.FromException<IConnection>(new InvalidOperationException($"the test queued {connections.Length} connection(s); open number {index + 1} was asked for"));
    }
}
