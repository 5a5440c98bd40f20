using System;
using System.Globalization;
using System.IO;
using System.Threading;
using System.Threading.Tasks;

namespace Warren.Testing;

/// <summary>One RabbitMQ node of a <see cref="PrivateBroker"/>.</summary>
public sealed class BrokerNode
{
    private readonly PrivateBroker _broker;
    private int _busy;

    internal BrokerNode(PrivateBroker broker, int index, string name, int amqpPort, int distributionPort, string directory)
    {
        _broker = broker;
        Index = index;
        Name = name;
        AmqpPort = amqpPort;
        DistributionPort = distributionPort;
        AmqpUrl = string.Create(CultureInfo.InvariantCulture, $"amqp://guest:guest@127.0.0.1:{amqpPort}/");
        NodeDirectory = directory;
    }

    /// <summary>The Erlang node name, e.g. <c>warren-1a2b3c4d-1@localhost</c>.</summary>
    public string Name { get; }

    /// <summary>The AMQP 0-9-1 port, on 127.0.0.1.</summary>
    public int AmqpPort { get; }

    /// <summary>The Erlang distribution (inter-node and CLI) port, on 127.0.0.1.</summary>
    public int DistributionPort { get; }

    /// <summary>The TLS (AMQPS) port on 127.0.0.1, when the broker was started with <see cref="BrokerTls"/>.</summary>
    public int? AmqpsPort { get; internal init; }

    /// <summary><c>amqp://guest:guest@127.0.0.1:PORT/</c> (guest may connect over loopback).</summary>
    public string AmqpUrl { get; }

    /// <summary>Whether the node was started and has not been stopped or killed since.</summary>
    public bool IsRunning { get; internal set; }

    /// <summary>0 for the first node.</summary>
    internal int Index { get; }

    internal string ShortName => Name[..Name.IndexOf('@', StringComparison.Ordinal)];

    internal string NodeDirectory { get; }

    internal string ConfigFile => Path.Combine(NodeDirectory, "rabbitmq.conf");

    internal string AdvancedConfigFile => Path.Combine(NodeDirectory, "advanced.config");

    internal string EnabledPluginsFile => Path.Combine(NodeDirectory, "enabled_plugins");

    internal string MnesiaBase => Path.Combine(NodeDirectory, "mnesia");

    internal string MnesiaDirectory => Path.Combine(MnesiaBase, Name);

    internal string LogDirectory => Path.Combine(NodeDirectory, "log");

    internal string PidFile => Path.Combine(NodeDirectory, "node.pid");

    internal string ServerStdout => Path.Combine(LogDirectory, "server.out");

    internal string ServerStderr => Path.Combine(LogDirectory, "server.err");

    /// <summary>The <c>rabbitmq-server</c> shell wrapper of the current run (our direct child).</summary>
    internal TrackedProcess? Wrapper { get; set; }

    /// <summary>The node's beam.smp of the current run (child of <see cref="Wrapper"/>).</summary>
    internal TrackedProcess? Beam { get; set; }

    /// <summary>
    /// <c>rabbitmqctl stop</c> (graceful) and waits until the node's processes have exited. The data directory
    /// is kept, so <see cref="StartAsync"/> brings the node back with its durable queues and messages.
    /// </summary>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        EnterOperation();
        try
        {
            await _broker.StopNodeAsync(this, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            ExitOperation();
        }
    }

    /// <summary>
    /// Starts the node again (after <see cref="StopAsync"/> or <see cref="Kill"/>) with the same name, ports and
    /// data directory, and waits until it accepts AMQP connections. A clustered node rejoins its cluster.
    /// </summary>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        EnterOperation();
        try
        {
            await _broker.RestartNodeAsync(this, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            ExitOperation();
        }
    }

    /// <summary>
    /// SIGKILLs the node's beam.smp (a crash: no graceful shutdown) and waits until it is gone.
    /// </summary>
    public void Kill()
    {
        EnterOperation();
        try
        {
            _broker.KillNode(this);
        }
        finally
        {
            ExitOperation();
        }
    }

    public override string ToString() => $"{Name} (AMQP {AmqpUrl})";

    private void EnterOperation()
    {
        if (Interlocked.Exchange(ref _busy, 1) != 0)
        {
            throw new InvalidOperationException($"Another start, stop or kill of node {Name} is in progress.");
        }
    }

    private void ExitOperation() => Volatile.Write(ref _busy, 0);
}
