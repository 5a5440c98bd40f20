using System;
using System.ComponentModel;
using System.Collections.Generic;
using System.Linq;
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
    /// Declares everything in <paramref name="topology"/> on a channel of its own. A declaration the broker refuses
    /// (an existing entity with other settings, a forbidden argument) fails with <see cref="TopologyConflictException"/>
    /// naming the entity and the broker's reason.
    /// </summary>
    public static async Task DeclareAsync(IConnection connection, Topology topology, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(topology);

        // A refused declaration closes its channel; each attempt uses a throwaway channel so the caller's stay alive.
        var channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        try
        {
            foreach (var exchange in topology.Exchanges)
            {
                await Run(() => channel.ExchangeDeclareAsync(exchange.Name, exchange.Type, exchange.Durable, exchange.AutoDelete, ToTable(exchange.Arguments), cancellationToken: cancellationToken), $"exchange '{exchange.Name}'").ConfigureAwait(false);
            }

            foreach (var queue in topology.Queues)
            {
                await Run(() => channel.QueueDeclareAsync(queue.Name, queue.Durable, queue.Exclusive, queue.AutoDelete, ToTable(queue.Arguments), cancellationToken: cancellationToken), $"queue '{queue.Name}'").ConfigureAwait(false);
            }

            foreach (var binding in topology.Bindings)
            {
                await Run(() => channel.QueueBindAsync(binding.Queue, binding.Exchange, binding.RoutingKey, ToTable(binding.Arguments), cancellationToken: cancellationToken), $"binding of queue '{binding.Queue}' to exchange '{binding.Exchange}' with key '{binding.RoutingKey}'").ConfigureAwait(false);
            }
        }
        finally
        {
            if (channel.IsOpen)
            {
                await channel.CloseAsync(CancellationToken.None).ConfigureAwait(false);
            }

            channel.Dispose();
        }
    }

    private static async Task Run(Func<Task> declare, string what)
    {
        try
        {
            await declare().ConfigureAwait(false);
        }
        catch (OperationInterruptedException ex) when (ex.ShutdownReason is { } reason)
        {
            throw new TopologyConflictException(TopologyConflictHints.Describe($"The broker refused the {what}: {reason.ReplyCode} {reason.ReplyText}"), ex);
        }
    }

    private static Dictionary<string, object?>? ToTable(IReadOnlyDictionary<string, object?>? arguments) =>
        arguments is null || arguments.Count == 0 ? null : arguments.ToDictionary(a => a.Key, a => a.Value, StringComparer.Ordinal);
}
