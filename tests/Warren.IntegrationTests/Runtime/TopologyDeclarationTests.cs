using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Threading.Tasks;
using CsCheck;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;
using Warren.Infrastructure;
using Xunit;
using Xunit.Abstractions;

namespace Warren.IntegrationTests.Runtime;

/// <summary>
/// The start-up declaration of a topology on a real broker: its cost in round trips, and, when the broker refuses one
/// declaration, an error that names exactly that one while nothing after it is declared.
/// </summary>
[Collection(BrokerCollection.Name)]
public sealed class TopologyDeclarationTests(BrokerFixture broker, ITestOutputHelper output)
{
    private const string Seed = "0N3h6aB1k2Qd";
    private static readonly TimeSpan Latency = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// An application starting with 96 entities (32 exchanges, 32 queues, 32 bindings) while every broker answer is held
    /// 100 ms by a proxy: declaring them one after the other, each waiting for its answer, added 96 × 100 ms ≈ 10 s to the
    /// start; the start now takes a few round trips more than the same application's without them. Measured against that
    /// application's start with the same latency (connecting, the relay check, closing), so that only the declarations
    /// count; a third of 96 round trips is a bound that waiting for each would cross, not a speed measurement.
    /// </summary>
    [Fact]
    public async Task An_application_declares_its_topology_at_start_in_far_fewer_round_trips_than_entities()
    {
        var node = broker.RequireLocalNode();
        var target = new Uri(node.AmqpUrl);
        await using var proxy = new BlackholeProxy(target.Port);
        var url = new UriBuilder(target) { Host = "127.0.0.1", Port = proxy.Port }.Uri.ToString();
        var run = Guid.NewGuid().ToString("N")[..8];
        var topology = new Topology();
        for (var i = 0; i < 32; i++)
        {
            topology.Add(new ExchangeDeclaration($"startup-{run}-x{i}", ExchangeTypes.Direct, Durable: false, AutoDelete: false));
            topology.Add(new QueueDeclaration($"startup-{run}-q{i}", Durable: false));
            topology.Add(new BindingDeclaration($"startup-{run}-x{i}", $"startup-{run}-q{i}", "k"));
        }

        var entities = topology.Exchanges.Count + topology.Queues.Count + topology.Bindings.Count;
        proxy.ReplyLatency = Latency;
        try
        {
            var clock = Stopwatch.StartNew();
            await using (var bare = await TestApp.StartAsync(url))
            {
                clock.Stop();
            }

            var bareStart = clock.Elapsed;
            clock.Restart();
            await using (var app = await TestApp.StartAsync(url, w => w.AddTopology(topology)))
            {
                clock.Stop();
            }

            var start = clock.Elapsed;
            var added = start - bareStart;
            output.WriteLine($"with {Latency.TotalMilliseconds:F0} ms per answer: start {bareStart.TotalMilliseconds:F0} ms without a topology, {start.TotalMilliseconds:F0} ms with {entities} entities (+{added.TotalMilliseconds:F0} ms)");
            Assert.True(added < Latency * entities / 3, $"declaring {entities} entities added {added.TotalMilliseconds:F0} ms to the start with {Latency.TotalMilliseconds:F0} ms per broker answer: it waits for the declarations one after the other");

            // Everything was declared: the messages of every binding arrive in its queue.
            proxy.ReplyLatency = TimeSpan.Zero;
            await using var connection = await broker.ConnectAsync();
            await using var channel = await connection.CreateChannelAsync();
            foreach (var binding in topology.Bindings)
            {
                await channel.BasicPublishAsync(binding.Exchange, binding.RoutingKey, new ReadOnlyMemory<byte>([1]));
            }

            foreach (var queue in topology.Queues)
            {
                await Eventually(async () => await channel.MessageCountAsync(queue.Name) == 1, $"the message bound to {queue.Name}");
            }
        }
        finally
        {
            proxy.ReplyLatency = TimeSpan.Zero;
            await DeleteAsync(topology);
        }
    }

    /// <summary>
    /// Random topologies (up to 20 exchanges, queues and bindings each, so more of a kind than the declarer has channels)
    /// where the broker refuses exactly one declaration, the k-th in declaration order, chosen at random with the way it
    /// is refused: an exchange or queue that exists with another type, durability or TTL (406, with the option to change),
    /// a reserved <c>amq.</c> name (403), a binding to an exchange or queue that does not exist (404). The error names that
    /// declaration and the broker's reason with its hint, and no other entity of the topology; everything before it is
    /// declared and nothing of a later kind is.
    /// </summary>
    [Fact]
    public async Task A_refused_declaration_is_named_exactly_with_its_hint_and_nothing_after_it_is_declared()
    {
        await using var connection = await broker.ConnectAsync();
        var checkedCases = 0;
        await RefusalCase.Gen.Array[40].SampleAsync(
            async cases =>
            {
                foreach (var refusal in cases)
                {
                    await CheckAsync(connection, refusal);
                    checkedCases++;
                }
            },
            writeLine: output.WriteLine,
            seed: Seed,
            iter: 1,
            threads: 1,
            print: cases => string.Join(Environment.NewLine, cases.Select(c => c.ToString())));
        Assert.Equal(40, checkedCases);
    }

    /// <summary>
    /// An exchange of a type the broker does not know (a plugin's type without the plugin) is refused by closing the
    /// whole connection, which fails every declaration under way on the other channels with the same reason: the error
    /// names the unknown one — alone when it alone was under way, among the candidates otherwise — never another one
    /// alone, and the close of the declaration channels never hides it. Several positions, each on a connection of its own,
    /// straight to the node and through a proxy holding every answer (so that all sixteen are under way at the close).
    /// </summary>
    [Fact]
    public async Task An_unknown_exchange_type_closing_the_connection_is_never_blamed_on_another_exchange()
    {
        var node = broker.RequireLocalNode();
        var target = new Uri(node.AmqpUrl);
        await using var proxy = new BlackholeProxy(target.Port) { ReplyLatency = TimeSpan.FromMilliseconds(50) };
        var proxied = new UriBuilder(target) { Host = "127.0.0.1", Port = proxy.Port }.Uri;
        foreach (var (position, slow) in new[] { (0, false), (5, false), (12, false), (15, false), (12, true), (3, true), (9, true), (15, true) })
        {
            var run = Guid.NewGuid().ToString("N")[..8];
            var topology = new Topology();
            for (var i = 0; i < 16; i++)
            {
                topology.Add(new ExchangeDeclaration($"unknown-{run}-x{i}", i == position ? "x-no-such-type" : ExchangeTypes.Topic, Durable: false));
            }

            try
            {
                await using var connection = slow ? await new ConnectionFactory { Uri = proxied }.CreateConnectionAsync() : await broker.ConnectAsync();
                var error = await Assert.ThrowsAsync<TopologyConflictException>(() => TopologyDeclarer.DeclareAsync(connection, topology));
                var bad = $"'unknown-{run}-x{position}'";
                Assert.Contains(bad, error.Message, StringComparison.Ordinal);
                Assert.Contains("503", error.Message, StringComparison.Ordinal);
                if (error.Message.StartsWith("The broker refused", StringComparison.Ordinal))
                {
                    Assert.Equal(1, topology.Exchanges.Count(e => error.Message.Contains($"'{e.Name}'", StringComparison.Ordinal)));
                }
                else
                {
                    Assert.StartsWith("The broker closed the connection while declaring ", error.Message, StringComparison.Ordinal);
                }

                output.WriteLine($"position {position}{(slow ? " (answers held)" : string.Empty)}: {error.Message}");
            }
            finally
            {
                await DeleteAsync(topology);
            }
        }
    }

    /// <summary>
    /// Declaring a declared topology again changes nothing and fails nothing (what a consumer does when it subscribes
    /// again), and a queue deleted meanwhile is declared anew with its binding.
    /// </summary>
    [Fact]
    public async Task Declaring_a_declared_topology_again_is_quiet_and_brings_back_a_deleted_queue()
    {
        var run = Guid.NewGuid().ToString("N")[..8];
        var topology = new Topology();
        for (var i = 0; i < 20; i++)
        {
            topology.Add(new ExchangeDeclaration($"again-{run}-x{i}", ExchangeTypes.Topic, Durable: false));
            topology.Add(new QueueDeclaration($"again-{run}-q{i}", Durable: false, Arguments: new Dictionary<string, object?> { ["x-max-length"] = 10 }));
            topology.Add(new BindingDeclaration($"again-{run}-x{i}", $"again-{run}-q{i}", "a.#"));
        }

        await using var connection = await broker.ConnectAsync();
        try
        {
            await TopologyDeclarer.DeclareAsync(connection, topology);
            await TopologyDeclarer.DeclareAsync(connection, topology);
            await using (var channel = await connection.CreateChannelAsync())
            {
                await channel.QueueDeleteAsync($"again-{run}-q7");
            }

            await TopologyDeclarer.DeclareAsync(connection, topology);
            await using var check = await connection.CreateChannelAsync();
            await check.BasicPublishAsync($"again-{run}-x7", "a.b", new ReadOnlyMemory<byte>([1]));
            await Eventually(async () => await check.MessageCountAsync($"again-{run}-q7") == 1, "the message bound to the queue declared anew");
        }
        finally
        {
            await DeleteAsync(topology);
        }
    }

    private async Task CheckAsync(IConnection connection, RefusalCase refusal)
    {
        var run = Guid.NewGuid().ToString("N")[..8];
        var (topology, failing, conflict) = refusal.Build(run);
        try
        {
            await using (var setup = await connection.CreateChannelAsync())
            {
                if (conflict is ExchangeDeclaration existingExchange)
                {
                    await setup.ExchangeDeclareAsync(existingExchange.Name, existingExchange.Type, existingExchange.Durable, existingExchange.AutoDelete);
                }
                else if (conflict is QueueDeclaration existingQueue)
                {
                    await setup.QueueDeclareAsync(existingQueue.Name, existingQueue.Durable, existingQueue.Exclusive, existingQueue.AutoDelete, existingQueue.Arguments?.ToDictionary(a => a.Key, a => a.Value));
                }
            }

            var error = await Assert.ThrowsAsync<TopologyConflictException>(() => TopologyDeclarer.DeclareAsync(connection, topology));
            var expected = $"The broker refused the {refusal.Describe(failing)}: {refusal.Code} ";
            Assert.True(error.Message.StartsWith(expected, StringComparison.Ordinal), $"{refusal}: expected '{expected}…', got '{error.Message}'");
            if (refusal.Hint is { } hint)
            {
                Assert.Contains(hint, error.Message, StringComparison.Ordinal);
            }

            var own = refusal.NamesOf(failing);
            foreach (var name in AllNames(topology).Where(n => !own.Contains(n)))
            {
                Assert.DoesNotContain($"'{name}'", error.Message, StringComparison.Ordinal);
            }

            // Everything before the refused one is declared; nothing of a later kind is.
            var position = refusal.Position;
            var exchanges = topology.Exchanges;
            var queues = topology.Queues;
            for (var i = 0; i < exchanges.Count && i < position; i++)
            {
                Assert.True(await ExchangeExistsAsync(connection, exchanges[i].Name), $"{refusal}: exchange {i} before the refused one is missing");
            }

            for (var i = 0; i < queues.Count && exchanges.Count + i < position; i++)
            {
                Assert.True(await QueueExistsAsync(connection, queues[i].Name), $"{refusal}: queue {i} before the refused one is missing");
            }

            if (position < exchanges.Count)
            {
                foreach (var queue in queues)
                {
                    Assert.False(await QueueExistsAsync(connection, queue.Name), $"{refusal}: queue {queue.Name} was declared after a refused exchange");
                }
            }
        }
        finally
        {
            await DeleteAsync(topology, connection);
        }
    }

    private static IEnumerable<string> AllNames(Topology topology) =>
        topology.Exchanges.Select(e => e.Name).Concat(topology.Queues.Select(q => q.Name)).Concat(topology.Bindings.SelectMany(b => new[] { b.Exchange, b.Queue })).Distinct();

    private static async Task<bool> ExchangeExistsAsync(IConnection connection, string name)
    {
        await using var channel = await connection.CreateChannelAsync();
        try
        {
            await channel.ExchangeDeclarePassiveAsync(name);
            return true;
        }
        catch (OperationInterruptedException ex) when (ex.ShutdownReason?.ReplyCode == 404)
        {
            return false;
        }
    }

    private static async Task<bool> QueueExistsAsync(IConnection connection, string name)
    {
        await using var channel = await connection.CreateChannelAsync();
        try
        {
            await channel.QueueDeclarePassiveAsync(name);
            return true;
        }
        catch (OperationInterruptedException ex) when (ex.ShutdownReason?.ReplyCode == 404)
        {
            return false;
        }
    }

    private async Task DeleteAsync(Topology topology, IConnection? connection = null)
    {
        var own = connection is null ? await broker.ConnectAsync() : null;
        var target = connection ?? own!;
        try
        {
            foreach (var name in topology.Queues.Select(q => q.Name).Concat(topology.Bindings.Select(b => b.Queue)).Distinct())
            {
                await DeleteOneAsync(target, channel => channel.QueueDeleteAsync(name));
            }

            foreach (var name in topology.Exchanges.Select(e => e.Name).Concat(topology.Bindings.Select(b => b.Exchange)).Distinct())
            {
                await DeleteOneAsync(target, channel => channel.ExchangeDeleteAsync(name));
            }
        }
        finally
        {
            if (own is not null)
            {
                await own.DisposeAsync();
            }
        }
    }

    /// <summary>Deletes on a channel of its own: a reserved <c>amq.</c> name is refused (403) and closes it.</summary>
    private static async Task DeleteOneAsync(IConnection connection, Func<IChannel, Task> delete)
    {
        await using var channel = await connection.CreateChannelAsync();
        try
        {
            await delete(channel);
        }
        catch (OperationInterruptedException ex) when (ex.ShutdownReason?.ReplyCode == 403)
        {
            // Never declared.
        }
    }

    private static async Task Eventually(Func<Task<bool>> condition, string what)
    {
        var clock = Stopwatch.StartNew();
        while (!await condition())
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"timed out waiting for {what}");
            await Task.Delay(20);
        }
    }

    /// <summary>How the broker refuses the declaration at <see cref="Position"/> (in declaration order: exchanges, queues, bindings).</summary>
    internal enum Refusal
    {
        ExchangeOtherType,
        ExchangeOtherDurability,
        ExchangeReservedName,
        QueueOtherDurability,
        QueueOtherTtl,
        QueueReservedName,
        BindingToMissingExchange,
        BindingOfMissingQueue,
    }

    /// <summary>A topology of <paramref name="Exchanges"/>, <paramref name="Queues"/> and <paramref name="Bindings"/> whose declaration at <paramref name="Position"/> is refused as <paramref name="Kind"/> says.</summary>
    internal sealed record RefusalCase(int Exchanges, int Queues, int Bindings, int Position, Refusal Kind)
    {
        public static readonly Gen<RefusalCase> Gen =
            from exchanges in CsCheck.Gen.Int[1, 20]
            from queues in CsCheck.Gen.Int[1, 20]
            from bindings in CsCheck.Gen.Int[0, 20]
            from position in CsCheck.Gen.Int[0, exchanges + queues + bindings - 1]
            from pick in CsCheck.Gen.Int[0, 2]
            select new RefusalCase(exchanges, queues, bindings, position, KindAt(exchanges, queues, position, pick));

        public ushort Code => Kind switch
        {
            Refusal.ExchangeReservedName or Refusal.QueueReservedName => 403,
            Refusal.BindingToMissingExchange or Refusal.BindingOfMissingQueue => 404,
            _ => 406,
        };

        /// <summary>What the hint appended to the broker's reason says (for the 406 refusals).</summary>
        public string? Hint => Kind switch
        {
            Refusal.ExchangeOtherType => "the exchange kind ([Exchange(name, ExchangeKind.…)]",
            Refusal.ExchangeOtherDurability => "Durable ([Exchange(Durable = …)]",
            Refusal.QueueOtherDurability => "Durable ([Queue(Durable = …)]",
            Refusal.QueueOtherTtl => "MessageTtl ([Queue(MessageTtl = …)])",
            _ => null,
        };

        private static Refusal KindAt(int exchanges, int queues, int position, int pick) =>
            position < exchanges ? (Refusal)pick
            : position < exchanges + queues ? (Refusal)(3 + pick)
            : (Refusal)(6 + pick % 2);

        /// <summary>The topology, the declaration the broker refuses, and what must exist on the broker beforehand for it to.</summary>
        public (Topology Topology, object Failing, object? Conflict) Build(string run)
        {
            var topology = new Topology();
            object? failing = null;
            object? conflict = null;
            for (var i = 0; i < Exchanges; i++)
            {
                var exchange = new ExchangeDeclaration($"refuse-{run}-x{i}", ExchangeTypes.Direct, Durable: false);
                if (i == Position)
                {
                    (exchange, conflict) = Kind switch
                    {
                        Refusal.ExchangeOtherType => (exchange, (object?)(exchange with { Type = ExchangeTypes.Fanout })),
                        Refusal.ExchangeOtherDurability => (exchange, exchange with { Durable = true }),
                        _ => (exchange with { Name = $"amq.refuse-{run}-x{i}" }, null),
                    };
                    failing = exchange;
                }

                topology.Add(exchange);
            }

            for (var i = 0; i < Queues; i++)
            {
                var queue = new QueueDeclaration($"refuse-{run}-q{i}", Durable: false, Arguments: new Dictionary<string, object?> { ["x-message-ttl"] = 60000 });
                if (Exchanges + i == Position)
                {
                    (queue, conflict) = Kind switch
                    {
                        Refusal.QueueOtherDurability => (queue, (object?)(queue with { Durable = true })),
                        Refusal.QueueOtherTtl => (queue, queue with { Arguments = new Dictionary<string, object?> { ["x-message-ttl"] = 30000 } }),
                        _ => (queue with { Name = $"amq.refuse-{run}-q{i}" }, null),
                    };
                    failing = queue;
                }

                topology.Add(queue);
            }

            for (var i = 0; i < Bindings; i++)
            {
                var binding = new BindingDeclaration(topology.Exchanges[i % Exchanges].Name, topology.Queues[i % Queues].Name, $"key{i}");
                if (Exchanges + Queues + i == Position)
                {
                    binding = Kind == Refusal.BindingToMissingExchange
                        ? binding with { Exchange = $"refuse-{run}-missing-x{i}" }
                        : binding with { Queue = $"refuse-{run}-missing-q{i}" };
                    failing = binding;
                }

                topology.Add(binding);
            }

            return (topology, failing!, conflict);
        }

        /// <summary>How the declarer names the declaration.</summary>
        public string Describe(object declaration) => declaration switch
        {
            ExchangeDeclaration e => $"exchange '{e.Name}'",
            QueueDeclaration q => $"queue '{q.Name}'",
            BindingDeclaration b => $"binding of queue '{b.Queue}' to exchange '{b.Exchange}' with key '{b.RoutingKey}'",
            _ => throw new ArgumentOutOfRangeException(nameof(declaration)),
        };

        /// <summary>The entity names the error may mention: those of the refused declaration.</summary>
        public HashSet<string> NamesOf(object declaration) => declaration switch
        {
            ExchangeDeclaration e => [e.Name],
            QueueDeclaration q => [q.Name],
            BindingDeclaration b => [b.Exchange, b.Queue],
            _ => [],
        };
    }
}
