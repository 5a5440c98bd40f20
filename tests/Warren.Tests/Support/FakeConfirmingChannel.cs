using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using System.Threading;
using System.Threading.Tasks;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace Warren.Tests.Support;

/// <summary>
/// An <see cref="IChannel"/> in confirm mode whose broker is the test: it numbers publishes as RabbitMQ.Client does
/// (from 1, again from 1 after a recovery), keeps what each publish carried, and lets the test raise the acks, nacks,
/// returns and the shutdown that the broker and the client would. Members a confirming publisher does not use throw.
/// As RabbitMQ.Client's recovering channel does, it raises each incarnation's events with a sender of that incarnation
/// (the client channel underneath, replaced by a recovery).
/// </summary>
public class FakeConfirmingChannel : DispatchProxy
{
    private AsyncEventHandler<BasicAckEventArgs>? _acks;
    private AsyncEventHandler<BasicNackEventArgs>? _nacks;
    private AsyncEventHandler<BasicReturnEventArgs>? _returns;
    private AsyncEventHandler<ShutdownEventArgs>? _shutdown;
    private ShutdownEventArgs? _closeReason;

    /// <summary>The sender of the current incarnation's events.</summary>
    public object Incarnation { get; private set; } = new();

    /// <summary>The number the next publish gets.</summary>
    public ulong NextSequence { get; set; } = 1;

    /// <summary>Every publish sent, in order, with its number and what a return of it carries.</summary>
    public List<SentMessage> Sent { get; } = [];

    public static (IChannel Channel, FakeConfirmingChannel Fake) Create()
    {
        var channel = Create<IChannel, FakeConfirmingChannel>();
        return (channel, (FakeConfirmingChannel)(object)channel);
    }

    /// <summary>An ack raised by <paramref name="from"/> (an incarnation, the current one when null).</summary>
    public Task AckAsync(ulong tag, bool multiple, object? from = null) => _acks!(from ?? Incarnation, new BasicAckEventArgs(tag, multiple));

    public Task NackAsync(ulong tag, bool multiple, object? from = null) => _nacks!(from ?? Incarnation, new BasicNackEventArgs(tag, multiple, requeue: false));

    /// <summary>Returns a sent message as unroutable (the broker sends this before the message's ack).</summary>
    public Task ReturnAsync(SentMessage sent) =>
        _returns!(Incarnation, new BasicReturnEventArgs(312, "NO_ROUTE", sent.Exchange, sent.RoutingKey, sent.Properties, ReadOnlyMemory<byte>.Empty));

    /// <summary>The channel is lost (its shutdown handlers run), then recovered: it numbers publishes from 1 again.</summary>
    public async Task LoseAndRecoverAsync()
    {
        _closeReason = new ShutdownEventArgs(ShutdownInitiator.Library, 320, "CONNECTION_FORCED - the test");
        await _shutdown!(Incarnation, _closeReason);
        _closeReason = null;
        Recover();
    }

    /// <summary>
    /// The channel is lost and recovered before its shutdown handlers ran (they run when the test calls
    /// <see cref="ShutdownLateAsync"/>): it numbers publishes from 1 again. Returns the lost incarnation.
    /// </summary>
    public object LoseAndRecoverBeforeShutdown()
    {
        var lost = Incarnation;
        Recover();
        return lost;
    }

    /// <summary>Runs the shutdown handlers of a lost incarnation, while the channel is open again.</summary>
    public Task ShutdownLateAsync(object lost) =>
        _shutdown!(lost, new ShutdownEventArgs(ShutdownInitiator.Library, 320, "CONNECTION_FORCED - the test, late"));

    private void Recover()
    {
        Incarnation = new object();
        NextSequence = 1;
    }

    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
    {
        ArgumentNullException.ThrowIfNull(targetMethod);
        switch (targetMethod.Name)
        {
            case "add_BasicAcksAsync":
                _acks += (AsyncEventHandler<BasicAckEventArgs>)args![0]!;
                return null;
            case "add_BasicNacksAsync":
                _nacks += (AsyncEventHandler<BasicNackEventArgs>)args![0]!;
                return null;
            case "add_BasicReturnAsync":
                _returns += (AsyncEventHandler<BasicReturnEventArgs>)args![0]!;
                return null;
            case "add_ChannelShutdownAsync":
                _shutdown += (AsyncEventHandler<ShutdownEventArgs>)args![0]!;
                return null;
            case "get_IsOpen":
                return _closeReason is null;
            case "get_CloseReason":
                return _closeReason;
            case "GetNextPublishSequenceNumberAsync":
                return ValueTask.FromResult(NextSequence);
            case "BasicPublishAsync" when args![0] is string exchange:
                var properties = (IReadOnlyBasicProperties)args[3]!;
                // The channel writes the message id and the sequence header in place for each send (as the client
                // encodes them into the frame at once): what the broker would return is a copy.
                var copy = new BasicProperties
                {
                    MessageId = properties.MessageId is { } id ? new string(id.AsSpan()) : null,
                    Headers = properties.Headers?.ToDictionary(h => h.Key, h => h.Value is long number ? number : h.Value, StringComparer.Ordinal),
                };
                Sent.Add(new SentMessage(NextSequence, exchange, (string)args[1]!, (bool)args[2]!, copy));
                NextSequence++;
                return ValueTask.CompletedTask;
            case "CloseAsync":
                return Task.CompletedTask;
            case "Dispose":
                return null;
            case "DisposeAsync":
                return ValueTask.CompletedTask;
            default:
                throw new NotSupportedException($"FakeConfirmingChannel does not do {targetMethod.Name}.");
        }
    }
}

/// <summary>A publish as the fake broker saw it: its number and the properties a return of it carries back.</summary>
public sealed record SentMessage(ulong Sequence, string Exchange, string RoutingKey, bool Mandatory, BasicProperties Properties);
