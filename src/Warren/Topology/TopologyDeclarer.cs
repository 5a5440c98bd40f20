using System;
using System.ComponentModel;
using System.Collections.Generic;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using System.Threading;
using System.Threading.Tasks;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace Warren.Infrastructure;

/// <summary>Declares a <see cref="Topology"/> on the broker: exchanges, then queues, then bindings.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class TopologyDeclarer
{
    /// <summary>
    /// The most channels one declaration opens. Each waits for the answer to each of its declarations, so N entities of a
    /// kind cost about N / channels round trips instead of N; the channels are throwaway and closed at the end.
    /// </summary>
    internal const int MaxChannels = 16;

    /// <summary>
    /// The most declaration channels open at once on one connection. Consumers that subscribe again together (after a
    /// connection recovery every one does) each declare their own topology: without a bound, hundreds of consumers times
    /// a few channels each could exhaust the connection's channels (2,047 by default) beside their consumer channels.
    /// A declaration takes what is free, at least one, so it never waits holding channels another one waits for. The
    /// bound is per connection, as the channel limit it protects is: declarations stuck on a connection that hangs hold
    /// only that connection's slots, never those of another connection's declarations.
    /// </summary>
    internal const int MaxOpenChannels = 64;

    /// <summary>The declaration channels free on each connection (see <see cref="MaxOpenChannels"/>), dropped with the connection.</summary>
    private static readonly ConditionalWeakTable<IConnection, SemaphoreSlim> s_openChannels = [];

    /// <summary>
    /// Declares everything in <paramref name="topology"/> on channels of its own. A declaration the broker refuses
    /// (an existing entity with other settings, a forbidden argument) fails with <see cref="TopologyConflictException"/>
    /// naming the entity and the broker's reason.
    /// </summary>
    /// <remarks>
    /// The exchanges are declared first, then the queues, then the bindings, each kind only once the one before is
    /// fully declared (a binding names its exchange and queue). Within a kind the declarations go out on up to
    /// <see cref="MaxChannels"/> channels at once, each channel waiting for the broker's answer to one before sending the
    /// next: every declaration reported done was answered by the broker, and RabbitMQ.Client records for its topology
    /// recovery only those (a declaration sent without waiting, <c>nowait</c>, would be recorded even when the broker
    /// refused it or one before it). When one is refused, its channel closes, no further declaration is started, those
    /// already under way finish, and the error names the first refused in declaration order: everything before it is
    /// declared.
    /// </remarks>
    public static async Task DeclareAsync(IConnection connection, Topology topology, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(topology);

        var width = Math.Min(MaxChannels, Math.Max(topology.Exchanges.Count, Math.Max(topology.Queues.Count, topology.Bindings.Count)));
        if (width == 0)
        {
            return;
        }

        var openChannels = s_openChannels.GetValue(connection, static _ => new SemaphoreSlim(MaxOpenChannels, MaxOpenChannels));
        await openChannels.WaitAsync(cancellationToken).ConfigureAwait(false);
        var held = 1;
        while (held < width && openChannels.Wait(0))
        {
            held++;
        }

        width = held;

        // A refused declaration closes its channel; throwaway channels keep the caller's alive.
        var channels = new IChannel?[width];
        try
        {
            var opening = new Task[width];
            for (var i = 0; i < width; i++)
            {
                opening[i] = OpenAsync(connection, channels, i, cancellationToken);
            }

            await Task.WhenAll(opening).ConfigureAwait(false);

            await DeclareAllAsync(connection, channels!, topology.Exchanges, static (channel, exchange, token) =>
                channel.ExchangeDeclareAsync(exchange.Name, exchange.Type, exchange.Durable, exchange.AutoDelete, ToTable(exchange.Arguments), cancellationToken: token),
                static exchange => $"exchange '{exchange.Name}'", cancellationToken).ConfigureAwait(false);
            await DeclareAllAsync(connection, channels!, topology.Queues, static (channel, queue, token) =>
                channel.QueueDeclareAsync(queue.Name, queue.Durable, queue.Exclusive, queue.AutoDelete, ToTable(queue.Arguments), cancellationToken: token),
                static queue => $"queue '{queue.Name}'", cancellationToken).ConfigureAwait(false);
            await DeclareAllAsync(connection, channels!, topology.Bindings, static (channel, binding, token) =>
                channel.QueueBindAsync(binding.Queue, binding.Exchange, binding.RoutingKey, ToTable(binding.Arguments), cancellationToken: token),
                static binding => $"binding of queue '{binding.Queue}' to exchange '{binding.Exchange}' with key '{binding.RoutingKey}'", cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            try
            {
                await Task.WhenAll(channels.Select(CloseAsync)).ConfigureAwait(false);
            }
            finally
            {
                openChannels.Release(held);
            }
        }
    }

    private static async Task OpenAsync(IConnection connection, IChannel?[] channels, int index, CancellationToken cancellationToken) =>
        channels[index] = await connection.CreateChannelAsync(cancellationToken: cancellationToken).ConfigureAwait(false);

    private static async Task CloseAsync(IChannel? channel)
    {
        if (channel is null)
        {
            return;
        }

        try
        {
            if (channel.IsOpen)
            {
                await channel.CloseAsync(CancellationToken.None).ConfigureAwait(false);
            }
        }
        catch (OperationInterruptedException)
        {
            // The connection closed between the check and the close (a refusal the broker answers by closing the
            // connection does so): the channel is closed already, and the declaration's own error is the one to report.
        }
        finally
        {
            channel.Dispose();
        }
    }

    /// <summary>
    /// Declares <paramref name="items"/> on the channels at once, each channel one declaration at a time, in the order of
    /// the list. After a failure no further declaration starts; the one reported is the first failed in list order, so
    /// that every declaration before it has been answered and none after it is named.
    /// </summary>
    private static async Task DeclareAllAsync<T>(IConnection connection, IChannel[] channels, IReadOnlyList<T> items, Func<IChannel, T, CancellationToken, Task> declare, Func<T, string> describe, CancellationToken cancellationToken)
    {
        if (items.Count == 0)
        {
            return;
        }

        var next = -1;
        var stopped = 0;
        var failures = new (int Index, Exception Error)?[Math.Min(channels.Length, items.Count)];
        var workers = new Task[failures.Length];
        for (var w = 0; w < workers.Length; w++)
        {
            workers[w] = WorkAsync(w);
        }

        await Task.WhenAll(workers).ConfigureAwait(false);
        var first = failures.Where(f => f is not null).Select(f => f!.Value).OrderBy(f => f.Index).FirstOrDefault();
        if (first.Error is null)
        {
            return;
        }

        if (first.Error is OperationInterruptedException { ShutdownReason: { } closed } connectionClosed
            && connection.CloseReason is not null && failures.Count(f => f is not null) > 1)
        {
            // A refusal the broker answers by closing the whole connection (an unknown exchange type: a plugin missing)
            // fails every declaration under way on the other channels with the same reason: which of them the broker
            // refused is not known, so all of them are named, in declaration order.
            var candidates = string.Join(", ", failures.Where(f => f is not null).Select(f => f!.Value.Index).Order().Select(i => "the " + describe(items[i])));
            throw new TopologyConflictException(TopologyConflictHints.Describe($"The broker closed the connection while declaring {candidates} (one of them is refused): {closed.ReplyCode} {closed.ReplyText}"), connectionClosed);
        }

        if (first.Error is OperationInterruptedException { ShutdownReason: { } reason } interrupted)
        {
            throw new TopologyConflictException(TopologyConflictHints.Describe($"The broker refused the {describe(items[first.Index])}: {reason.ReplyCode} {reason.ReplyText}"), interrupted);
        }

        ExceptionDispatchInfo.Throw(first.Error);

        async Task WorkAsync(int worker)
        {
            // Each worker's first step runs on the thread pool, so that the channels send at once.
            await Task.Yield();
            while (Volatile.Read(ref stopped) == 0)
            {
                var index = Interlocked.Increment(ref next);
                if (index >= items.Count)
                {
                    return;
                }

                try
                {
                    await declare(channels[worker], items[index], cancellationToken).ConfigureAwait(false);
                }
                catch (Exception ex)
                {
                    failures[worker] = (index, ex);
                    Volatile.Write(ref stopped, 1);
                    return;
                }
            }
        }
    }

    private static Dictionary<string, object?>? ToTable(IReadOnlyDictionary<string, object?>? arguments) =>
        arguments is null || arguments.Count == 0 ? null : arguments.ToDictionary(a => a.Key, a => a.Value, StringComparer.Ordinal);
}
