using System;
using System.Reflection;
using System.Threading;
using System.Threading.Tasks;
using RabbitMQ.Client;
using Warren.Infrastructure;
using Xunit;

namespace Warren.Tests;

/// <summary>
/// The bound on declaration channels is per connection: declarations stuck on a connection that hangs (its broker
/// answers nothing) hold all of that connection's declaration channels, and another connection's declarations still
/// go through at once.
/// </summary>
public sealed class TopologyDeclarerChannelCapTests
{
    [Fact]
    public async Task Declarations_hung_on_one_connection_do_not_stall_another_connections_declarations()
    {
        var hung = FakeConnection.Create(answers: false);
        var healthy = FakeConnection.Create(answers: true);
        using var stop = new CancellationTokenSource();

        // Enough declarations on the hung connection to take every declaration channel it may open.
        var stuck = new Task[TopologyDeclarer.MaxOpenChannels / TopologyDeclarer.MaxChannels];
        for (var i = 0; i < stuck.Length; i++)
        {
            var topology = new Topology();
            for (var e = 0; e < TopologyDeclarer.MaxChannels; e++)
            {
                topology.Add(new ExchangeDeclaration($"hung-{i}-{e}", ExchangeType.Topic));
            }

            stuck[i] = TopologyDeclarer.DeclareAsync(hung.Connection, topology, stop.Token);
        }

        await hung.Fake.WaitForChannelsAsync(TopologyDeclarer.MaxOpenChannels).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.All(stuck, task => Assert.False(task.IsCompleted));

        var other = new Topology().Add(new ExchangeDeclaration("healthy", ExchangeType.Topic)).Add(new QueueDeclaration("healthy-queue"));
        var declared = TopologyDeclarer.DeclareAsync(healthy.Connection, other, CancellationToken.None);
        var finished = await Task.WhenAny(declared, Task.Delay(TimeSpan.FromSeconds(20)));
        var stalled = finished != declared;

        // Release the hung declarations either way, so that the channel slots they hold go back.
        await stop.CancelAsync();
        await Task.WhenAll(stuck).ContinueWith(_ => { }, TaskScheduler.Default);

        Assert.False(stalled, "the healthy connection's declarations waited for the hung connection's declaration channels");
        await declared;
        Assert.Equal(2, healthy.Fake.Declared);
    }

    /// <summary>An <see cref="IConnection"/> whose channels answer every declaration at once, or never (a hung broker).</summary>
    public class FakeConnection : DispatchProxy
    {
        private readonly object _gate = new();
        private int _channels;
        private int _declared;
        private TaskCompletionSource? _reached;
        private int _target;

        public bool Answers { get; set; }

        public int Declared => Volatile.Read(ref _declared);

        public static (IConnection Connection, FakeConnection Fake) Create(bool answers)
        {
            var connection = Create<IConnection, FakeConnection>();
            var fake = (FakeConnection)(object)connection;
            fake.Answers = answers;
            return (connection, fake);
        }

        public Task WaitForChannelsAsync(int count)
        {
            lock (_gate)
            {
                if (_channels >= count)
                {
                    return Task.CompletedTask;
                }

                _target = count;
                _reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                return _reached.Task;
            }
        }

        internal Task Declare(CancellationToken token)
        {
            if (!Answers)
            {
                return Task.Delay(Timeout.Infinite, token);
            }

            Interlocked.Increment(ref _declared);
            return Task.CompletedTask;
        }

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
        {
            ArgumentNullException.ThrowIfNull(targetMethod);
            switch (targetMethod.Name)
            {
                case "CreateChannelAsync":
                    lock (_gate)
                    {
                        _channels++;
                        if (_reached is not null && _channels >= _target)
                        {
                            _reached.TrySetResult();
                        }
                    }

                    var channel = DispatchProxy.Create<IChannel, FakeChannel>();
                    ((FakeChannel)(object)channel).Connection = this;
                    return Task.FromResult(channel);
                case "get_CloseReason":
                    return null;
                default:
                    throw new NotSupportedException($"FakeConnection does not do {targetMethod.Name}.");
            }
        }
    }

    /// <summary>A declaration channel of a <see cref="FakeConnection"/>.</summary>
    public class FakeChannel : DispatchProxy
    {
        internal FakeConnection Connection { get; set; } = null!;

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
        {
            ArgumentNullException.ThrowIfNull(targetMethod);
            return targetMethod.Name switch
            {
                "ExchangeDeclareAsync" => Connection.Declare((CancellationToken)args![^1]!),
                "QueueDeclareAsync" => Declared(Connection.Declare((CancellationToken)args![^1]!), (string)args[0]!),
                "get_IsOpen" => true,
                "CloseAsync" => Task.CompletedTask,
                "Dispose" => null,
                "DisposeAsync" => ValueTask.CompletedTask,
                _ => throw new NotSupportedException($"FakeChannel does not do {targetMethod.Name}."),
            };
        }

        private static async Task<QueueDeclareOk> Declared(Task declare, string queue)
        {
            await declare;
            return new QueueDeclareOk(queue, 0, 0);
        }
    }
}
