using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace Warren;

/// <summary>
/// The fixed topology behind delayed publishing, without the delayed-message plugin: <see cref="Levels"/> binary delay
/// levels. Level <c>k</c> is a topic exchange <c>warren.delay.k</c> and a durable queue of the same name whose
/// <c>x-message-ttl</c> is 2^k seconds and which dead-letters into level <c>k-1</c> (level 0 into
/// <c>warren.delay.due</c>). A delayed message's routing key is the delay in whole seconds written as <see cref="Levels"/>
/// binary words, most significant first (<c>0.0.…1.0.1</c>): at level <c>k</c> a word <c>1</c> routes it into the level's
/// queue, where it waits 2^k seconds, and a word <c>0</c> passes it straight on to level <c>k-1</c> (an exchange-to-exchange
/// binding). Every message in a level's queue waits the same time, so the queue expires them in arrival order and no
/// message waits behind another with a longer delay. Due messages land in the durable queue <c>warren.delay.due</c>, from
/// which a Warren application republishes them to the exchange and routing key they were published for (kept in headers).
/// </summary>
internal static class DelayTopology
{
    /// <summary>Binary levels: the longest delay is 2^Levels - 1 seconds (about 97 days).</summary>
    /// <remarks>RabbitMQ refuses an <c>x-message-ttl</c> above 2^32 - 1 ms (about 49.7 days): 2^22 s is the last level under it.</remarks>
    public const int Levels = 23;

    /// <summary>The longest delay: 2^<see cref="Levels"/> - 1 seconds.</summary>
    public static readonly TimeSpan MaxDelay = TimeSpan.FromSeconds((1L << Levels) - 1);

    /// <summary>Where due messages land, and the exchange that level 0 dead-letters into.</summary>
    public const string DueQueue = "warren.delay.due";

    /// <summary>Header: the exchange a delayed message is published to when it is due.</summary>
    public const string ExchangeHeader = "x-warren-delay-exchange";

    /// <summary>Header: the routing key a delayed message is published with when it is due.</summary>
    public const string RoutingKeyHeader = "x-warren-delay-routing-key";

    /// <summary>Header: the delay asked for, in whole seconds (for logs and tests).</summary>
    public const string SecondsHeader = "x-warren-delay-seconds";

    /// <summary>Header: "false" when the publish was not mandatory (an unroutable due message is then dropped by the broker).</summary>
    public const string MandatoryHeader = "x-warren-delay-mandatory";

    /// <summary>The exchange (and queue) of a level.</summary>
    public static string LevelName(int level) => "warren.delay." + level.ToString("00", CultureInfo.InvariantCulture);

    /// <summary>Whole seconds for a delay: rounded up, so a message is never delivered before it was asked for.</summary>
    public static long SecondsFor(TimeSpan delay)
    {
        if (delay > MaxDelay)
        {
            throw new ArgumentOutOfRangeException(nameof(delay), delay, $"A delay may be at most {MaxDelay} (2^{Levels} - 1 seconds).");
        }

        return delay <= TimeSpan.Zero ? 0 : (long)Math.Ceiling(delay.TotalSeconds - 1e-9);
    }

    /// <summary>The routing key that makes the levels hold a message <paramref name="seconds"/> seconds.</summary>
    public static string RoutingKeyFor(long seconds)
    {
        if (seconds < 1 || seconds > (1L << Levels) - 1)
        {
            throw new ArgumentOutOfRangeException(nameof(seconds), seconds, "Out of the delay levels' range.");
        }

        var key = new StringBuilder(Levels * 2);
        for (var level = Levels - 1; level >= 0; level--)
        {
            key.Append((seconds >> level & 1) == 1 ? '1' : '0');
            if (level > 0)
            {
                key.Append('.');
            }
        }

        return key.ToString();
    }

    /// <summary>The exchange to publish to: the level of the highest set bit (the levels above would only pass it on).</summary>
    public static string EntryExchangeFor(long seconds)
    {
        var level = 63 - System.Numerics.BitOperations.LeadingZeroCount((ulong)seconds);
        return LevelName(level);
    }

    /// <summary>The binding key at <paramref name="level"/> that matches the word <paramref name="bit"/> of that level.</summary>
    public static string BindingKey(int level, char bit)
    {
        var key = new StringBuilder(Levels * 2);
        for (var word = Levels - 1; word >= 0; word--)
        {
            key.Append(word == level ? bit : '*');
            if (word > 0)
            {
                key.Append('.');
            }
        }

        return key.ToString();
    }

    /// <summary>The exchanges, queues and queue bindings (the exchange-to-exchange bindings are in <see cref="ExchangeBindings"/>).</summary>
    public static Topology Build()
    {
        var topology = new Topology();
        topology.Add(new ExchangeDeclaration(DueQueue, ExchangeTypes.Fanout));
        topology.Add(new QueueDeclaration(DueQueue));
        topology.Add(new BindingDeclaration(DueQueue, DueQueue));
        for (var level = 0; level < Levels; level++)
        {
            var name = LevelName(level);
            topology.Add(new ExchangeDeclaration(name, ExchangeTypes.Topic));
            topology.Add(new QueueDeclaration(name, Arguments: new Dictionary<string, object?>
            {
                ["x-message-ttl"] = (1L << level) * 1000,
                ["x-dead-letter-exchange"] = level == 0 ? DueQueue : LevelName(level - 1),
            }));
            topology.Add(new BindingDeclaration(name, name, BindingKey(level, '1')));
        }

        return topology;
    }

    /// <summary>Exchange-to-exchange bindings (source, destination, key): a word 0 passes the message down a level.</summary>
    public static IEnumerable<(string Source, string Destination, string Key)> ExchangeBindings()
    {
        for (var level = 0; level < Levels; level++)
        {
            yield return (LevelName(level), level == 0 ? DueQueue : LevelName(level - 1), BindingKey(level, '0'));
        }
    }

    /// <summary>
    /// Declares the whole delay topology (idempotent; every entity durable) on a throwaway channel, in one round trip:
    /// every declaration and binding is sent without waiting for its answer (<c>nowait</c>), in dependency order, and a
    /// passive declaration of the due queue at the end waits for the broker to have done them all (a channel handles its
    /// methods in order). One after the other, waiting for each answer, the ~95 declarations took as many round trips,
    /// each with the broker's own work for a durable entity: 0.7 s on an idle private node, seconds on a busy one, all of
    /// it on the first delayed publish. A declaration the broker refuses closes the channel, and the broker's reason,
    /// which names the entity, fails the wait at the end.
    /// </summary>
    public static async Task DeclareAsync(IConnection connection, CancellationToken cancellationToken)
    {
        var topology = Build();
        var channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        try
        {
            foreach (var exchange in topology.Exchanges)
            {
                await channel.ExchangeDeclareAsync(exchange.Name, exchange.Type, exchange.Durable, exchange.AutoDelete, Table(exchange.Arguments), noWait: true, cancellationToken: cancellationToken).ConfigureAwait(false);
            }

            foreach (var queue in topology.Queues)
            {
                await channel.QueueDeclareAsync(queue.Name, queue.Durable, queue.Exclusive, queue.AutoDelete, Table(queue.Arguments), noWait: true, cancellationToken: cancellationToken).ConfigureAwait(false);
            }

            foreach (var binding in topology.Bindings)
            {
                await channel.QueueBindAsync(binding.Queue, binding.Exchange, binding.RoutingKey, Table(binding.Arguments), noWait: true, cancellationToken: cancellationToken).ConfigureAwait(false);
            }

            foreach (var (source, destination, key) in ExchangeBindings())
            {
                await channel.ExchangeBindAsync(destination, source, key, noWait: true, cancellationToken: cancellationToken).ConfigureAwait(false);
            }

            await channel.QueueDeclarePassiveAsync(DueQueue, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationInterruptedException ex) when (ex.ShutdownReason is { } reason && reason.Initiator == ShutdownInitiator.Peer)
        {
            throw new TopologyConflictException(TopologyConflictHints.Describe($"The broker refused a declaration of the delay topology: {reason.ReplyCode} {reason.ReplyText}"), ex);
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

    private static Dictionary<string, object?>? Table(IReadOnlyDictionary<string, object?>? arguments)
    {
        if (arguments is null || arguments.Count == 0)
        {
            return null;
        }

        var table = new Dictionary<string, object?>(arguments.Count, StringComparer.Ordinal);
        foreach (var (key, value) in arguments)
        {
            table[key] = value;
        }

        return table;
    }

    /// <summary>True when the due queue exists on the broker (checked on a throwaway channel: a missing queue closes it).</summary>
    public static async Task<bool> ExistsAsync(IConnection connection, CancellationToken cancellationToken)
    {
        var channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        try
        {
            await channel.QueueDeclarePassiveAsync(DueQueue, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (OperationInterruptedException ex) when (ex.ShutdownReason?.ReplyCode == 404)
        {
            return false;
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
}
