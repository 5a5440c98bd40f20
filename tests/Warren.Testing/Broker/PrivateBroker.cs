using System;
using System.Collections;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace Warren.Testing;

/// <summary>
/// A private, throwaway RabbitMQ node (or cluster) for tests: its own epmd, cookie, ports, config and data, all
/// in one temporary directory, listening on 127.0.0.1 only. It never touches a system RabbitMQ and
/// <see cref="DisposeAsync"/> kills only the processes it started.
/// </summary>
/// <remarks>
/// Needs the Debian/Ubuntu <c>rabbitmq-server</c> package (binaries in <c>/usr/lib/rabbitmq/bin</c>). One node
/// is ready in about 5 s; a 3-node cluster in about 15-20 s.
/// </remarks>
public sealed class PrivateBroker : IAsyncDisposable
{
    /// <summary>Where the package puts the real scripts (the /usr/sbin wrappers switch user, HOME and cookie).</summary>
    public const string RabbitMQBinDirectory = "/usr/lib/rabbitmq/bin";

    /// <summary>
    /// How long a node may take to become ready (also the bound of a cluster join). A bound for a stuck start, not an
    /// expectation: a node boots in 3-10 s on an idle machine, but a first boot on a freshly installed machine at a
    /// load average of 30 took over 60 s.
    /// </summary>
    public static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(180);

    private static readonly TimeSpan CtlTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan ExitGrace = TimeSpan.FromSeconds(10);
    private static readonly string[] EpmdCandidates = ["/usr/lib/erlang/bin/epmd", "/usr/bin/epmd", "/usr/local/bin/epmd"];

    private readonly Lock _gate = new();
    private readonly List<TrackedProcess> _processes = [];
    private readonly BrokerNode[] _nodes;
    private readonly int _epmdPort;
    private readonly string _epmdPath;
    private readonly string _homeDirectory;
    private readonly string _envFile;
    private readonly string _ctlDirectory;
    private readonly EventHandler _onProcessExit;
    private int _ctlCounter;
    private Task? _disposal;

    private readonly BrokerTls? _tls;

    private PrivateBroker(int nodeCount, string epmdPath, BrokerTls? tls)
    {
        _epmdPath = epmdPath;
        _tls = tls;
        DirectoryPath = Directory.CreateTempSubdirectory("warren-broker-").FullName;
        _homeDirectory = Path.Combine(DirectoryPath, "home");
        _envFile = Path.Combine(DirectoryPath, "rabbitmq-env.conf");
        _ctlDirectory = Path.Combine(DirectoryPath, "ctl");

        // epmd, then an AMQP and a distribution port per node, then a TLS port per node if asked for; all distinct.
        var count = 1 + (2 * nodeCount) + (tls is null ? 0 : nodeCount);
        var ports = PortChooser.Value?.Invoke(count) ?? ProcessTools.FreeLoopbackPorts(count);
        _epmdPort = ports[0];
        var id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4));
        _nodes = new BrokerNode[nodeCount];
        for (var i = 0; i < nodeCount; i++)
        {
            var shortName = string.Create(CultureInfo.InvariantCulture, $"warren-{id}-{i + 1}");
            _nodes[i] = new BrokerNode(
                this,
                i,
                shortName + "@localhost",
                amqpPort: ports[1 + (2 * i)],
                distributionPort: ports[2 + (2 * i)],
                Path.Combine(DirectoryPath, shortName))
            {
                AmqpsPort = tls is null ? null : ports[1 + (2 * nodeCount) + i],
            };
        }

        _onProcessExit = (_, _) => EmergencyCleanup();
        AppDomain.CurrentDomain.ProcessExit += _onProcessExit;
    }

    /// <summary>The temporary directory holding everything of this broker (removed on dispose).</summary>
    public string DirectoryPath { get; }

    /// <summary>The AMQP URL of the first node: <c>amqp://guest:guest@127.0.0.1:PORT/</c>.</summary>
    public string AmqpUrl => _nodes[0].AmqpUrl;

    /// <summary>The nodes; <c>Nodes[0]</c> is the one the others joined.</summary>
    public IReadOnlyList<BrokerNode> Nodes => _nodes;

    /// <summary>The AMQP endpoints of all nodes, for <c>ConnectionFactory.CreateConnectionAsync(endpoints)</c>.</summary>
    public IReadOnlyList<AmqpTcpEndpoint> AmqpEndpoints =>
        _nodes.Select(n => new AmqpTcpEndpoint("127.0.0.1", n.AmqpPort)).ToArray();

    /// <summary>
    /// Every long-running OS process this broker started, across restarts: epmd, each <c>rabbitmq-server</c>
    /// shell wrapper and the node's beam.smp (the wrapper's child; pid taken from the node's pid file).
    /// Short-lived <c>rabbitmqctl</c> runs are waited for and not listed.
    /// </summary>
    public IReadOnlyCollection<int> StartedProcessIds
    {
        get
        {
            lock (_gate)
            {
                return _processes.Select(p => p.Pid).ToArray();
            }
        }
    }

    /// <summary>Starts one private node.</summary>
    public static Task<PrivateBroker> StartAsync(CancellationToken cancellationToken = default) =>
        StartClusterAsync(1, cancellationToken);

    /// <summary>Starts one private node with a TLS listener (<see cref="BrokerNode.AmqpsPort"/>) beside the plain one.</summary>
    public static Task<PrivateBroker> StartAsync(BrokerTls tls, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(tls);
        return StartCoreAsync(1, tls, cancellationToken);
    }

    /// <summary>
    /// Starts <paramref name="nodeCount"/> nodes sharing one epmd and cookie; nodes 2..N join node 1
    /// (<c>stop_app</c>, <c>reset</c>, <c>join_cluster</c>, <c>start_app</c>).
    /// </summary>
    /// <exception cref="InvalidOperationException">rabbitmq-server is not installed, or a node failed to start.</exception>
    /// <exception cref="TimeoutException">a node was not ready within <see cref="StartTimeout"/>.</exception>
    public static Task<PrivateBroker> StartClusterAsync(int nodeCount = 3, CancellationToken cancellationToken = default) =>
        StartCoreAsync(nodeCount, null, cancellationToken);

    private static async Task<PrivateBroker> StartCoreAsync(int nodeCount, BrokerTls? tls, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(nodeCount, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(nodeCount, 9);
        var epmd = CheckInstalled(RabbitMQBinDirectory);
        for (var attempt = 1; ; attempt++)
        {
            var broker = new PrivateBroker(nodeCount, epmd, tls);
            try
            {
                await broker.BootAsync(cancellationToken).ConfigureAwait(false);
                return broker;
            }
            catch (Exception e) when (attempt < PortAttempts && IsPortTaken(e))
            {
                // The ports were free when chosen; another process bound one before the node did. Fresh ports, once more.
                await Console.Error.WriteLineAsync(
                    $"PrivateBroker: a port chosen for the node was taken before the node bound it; starting again on other ports (attempt {attempt + 1} of {PortAttempts}).")
                    .ConfigureAwait(false);
                await broker.DisposeAsync().ConfigureAwait(false);
            }
            catch
            {
                await broker.DisposeAsync().ConfigureAwait(false);
                throw;
            }
        }
    }

    private const int PortAttempts = 3;

    /// <summary>
    /// For tests of the start itself: picks the ports of the next start in this async flow (null result: free ports).
    /// </summary>
    internal static readonly AsyncLocal<Func<int, int[]?>?> PortChooser = new();

    /// <summary>Whether a start failed because a listener's port was in use (the node's log says <c>eaddrinuse</c>).</summary>
    internal static bool IsPortTaken(Exception e) =>
        e.ToString().Contains("eaddrinuse", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// Runs <c>rabbitmqctl -n NODE args...</c> with the node's environment and returns its stdout.
    /// </summary>
    /// <exception cref="InvalidOperationException">rabbitmqctl exited with a non-zero code (message has its stderr).</exception>
    public Task<string> RabbitmqctlAsync(BrokerNode node, params string[] args) =>
        RabbitmqctlAsync(node, args, CancellationToken.None);

    /// <inheritdoc cref="RabbitmqctlAsync(BrokerNode, string[])"/>
    public async Task<string> RabbitmqctlAsync(BrokerNode node, IReadOnlyList<string> args, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(node);
        ArgumentNullException.ThrowIfNull(args);
        ThrowIfDisposed();
        var result = await RunCtlAsync(node, args, CtlTimeout, cancellationToken).ConfigureAwait(false);
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"`rabbitmqctl -n {node.Name} {string.Join(' ', args)}` exited with code {result.ExitCode}: " +
                $"{result.Stderr.Trim()}{Environment.NewLine}{result.Stdout.Trim()}".TrimEnd());
        }

        return result.Stdout;
    }

    /// <summary>Closes every client connection on every running node (<c>close_all_connections --global "test"</c>).</summary>
    public async Task CloseAllConnectionsAsync()
    {
        foreach (var node in _nodes.Where(n => n.IsRunning))
        {
            await RabbitmqctlAsync(node, "close_all_connections", "--global", "test").ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Stops every node (<c>rabbitmqctl stop PIDFILE</c>), kills whichever recorded process is still alive
    /// (never anything else), and deletes <see cref="DirectoryPath"/>. Safe to call more than once.
    /// </summary>
    public ValueTask DisposeAsync()
    {
        lock (_gate)
        {
            _disposal ??= DisposeCoreAsync();
        }

        GC.SuppressFinalize(this);
        return new ValueTask(_disposal);
    }

    public override string ToString() => $"PrivateBroker {DirectoryPath} ({_nodes.Length} node(s), {AmqpUrl})";

    internal async Task StopNodeAsync(BrokerNode node, CancellationToken cancellationToken)
    {
        ThrowIfDisposed();
        if (!node.IsRunning)
        {
            return;
        }

        await StopGracefullyAsync(node, cancellationToken).ConfigureAwait(false);
        if (node.Wrapper?.IsAlive == true || node.Beam?.IsAlive == true)
        {
            throw new InvalidOperationException($"RabbitMQ node {node.Name} did not stop.{LogTail(node)}");
        }
    }

    internal Task RestartNodeAsync(BrokerNode node, CancellationToken cancellationToken)
    {
        ThrowIfDisposed();
        if (node.IsRunning)
        {
            throw new InvalidOperationException($"RabbitMQ node {node.Name} is already running.");
        }

        return StartNodeAsync(node, cancellationToken);
    }

    internal void KillNode(BrokerNode node)
    {
        ThrowIfDisposed();
        DiscoverBeam(node);
        if (node.Beam is { } beam)
        {
            ProcessTools.Kill(beam);
        }

        // The wrapper notices, reaps the beam and exits.
        if (node.Wrapper?.Handle is { } wrapper && !wrapper.WaitForExit(ExitGrace))
        {
            ProcessTools.Kill(node.Wrapper);
            wrapper.WaitForExit(ExitGrace);
        }

        node.IsRunning = false;
    }

    /// <summary>Returns the epmd path, or throws with installation instructions.</summary>
    internal static string CheckInstalled(string binDirectory)
    {
        var server = Path.Combine(binDirectory, "rabbitmq-server");
        var epmd = EpmdCandidates.FirstOrDefault(File.Exists);
        if (!File.Exists(server) || epmd is null)
        {
            throw new InvalidOperationException(
                $"rabbitmq-server is not installed ({server}{(epmd is null ? " or epmd" : "")} is missing), so the " +
                "private test broker cannot start. Install it (as root) with " +
                "`apt-get update && apt-get install -y rabbitmq-server` (tests/test.sh does this), or point the " +
                "integration tests at an existing broker with WARREN_TEST_AMQP_URL.");
        }

        return epmd;
    }

    private async Task BootAsync(CancellationToken cancellationToken)
    {
        WriteFiles();
        await StartEpmdAsync(cancellationToken).ConfigureAwait(false);
        await Task.WhenAll(_nodes.Select(n => StartNodeAsync(n, cancellationToken))).ConfigureAwait(false);
        foreach (var node in _nodes.Skip(1))
        {
            await JoinFirstNodeAsync(node, cancellationToken).ConfigureAwait(false);
        }
    }

    private void WriteFiles()
    {
        Directory.CreateDirectory(_homeDirectory);
        Directory.CreateDirectory(_ctlDirectory);
        var cookie = Path.Combine(_homeDirectory, ".erlang.cookie");
        File.WriteAllText(cookie, RandomNumberGenerator.GetString("ABCDEFGHIJKLMNOPQRSTUVWXYZ", 32));
        if (!OperatingSystem.IsWindows())
        {
            // Erlang refuses a cookie file others can read.
            File.SetUnixFileMode(cookie, UnixFileMode.UserRead);
        }
        File.WriteAllText(_envFile, "");

        foreach (var node in _nodes)
        {
            Directory.CreateDirectory(node.MnesiaBase);
            Directory.CreateDirectory(node.LogDirectory);
            File.WriteAllText(node.ConfigFile, string.Create(CultureInfo.InvariantCulture, $"""
                # Written by Warren.Testing.PrivateBroker: a throwaway node, loopback only.
                listeners.tcp.default = 127.0.0.1:{node.AmqpPort}
                loopback_users.guest = true
                # Low, so that tests on a nearly full disk still run (the default, 50MB, blocks publishers).
                disk_free_limit.absolute = 10MB
                # The default (128 MiB), stated so that tests can rely on it.
                max_message_size = 134217728
                log.console = false
                log.file.level = info

                """) + TlsConfig(node));
            File.WriteAllText(node.AdvancedConfigFile, "[].\n");
            File.WriteAllText(node.EnabledPluginsFile, "[].\n");
        }
    }

    private string TlsConfig(BrokerNode node) => _tls is null ? string.Empty : string.Create(CultureInfo.InvariantCulture, $"""
        listeners.ssl.default = 127.0.0.1:{node.AmqpsPort}
        ssl_options.cacertfile = {_tls.CaCertificateFile}
        ssl_options.certfile = {_tls.CertificateFile}
        ssl_options.keyfile = {_tls.KeyFile}
        ssl_options.verify = {(_tls.VerifyPeer ? "verify_peer" : "verify_none")}
        ssl_options.fail_if_no_peer_cert = {(_tls.FailIfNoPeerCertificate ? "true" : "false")}

        """);

    private async Task StartEpmdAsync(CancellationToken cancellationToken)
    {
        var port = _epmdPort.ToString(CultureInfo.InvariantCulture);
        var epmd = Track(
            ProcessTools.StartRedirected(
                _epmdPath,
                ["-port", port, "-address", "127.0.0.1"],
                BaseEnvironment(),
                DirectoryPath,
                Path.Combine(DirectoryPath, "epmd.out"),
                Path.Combine(DirectoryPath, "epmd.err")),
            TrackedKind.Epmd,
            "epmd");
        var deadline = Stopwatch.StartNew();
        while (await ProcessTools.EpmdNamesAsync(_epmdPort, cancellationToken).ConfigureAwait(false) is null)
        {
            if (epmd.Handle!.HasExited || deadline.Elapsed > TimeSpan.FromSeconds(10))
            {
                throw new InvalidOperationException(
                    $"epmd did not start on 127.0.0.1:{port}: " +
                    ProcessTools.Tail(Path.Combine(DirectoryPath, "epmd.err"), 20));
            }

            await Task.Delay(50, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Starts the node's processes and waits until it is ready (epmd, await_startup, AMQP).</summary>
    private async Task StartNodeAsync(BrokerNode node, CancellationToken cancellationToken)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(StartTimeout);
        var token = limit.Token;
        var clock = Stopwatch.StartNew();
        File.Delete(node.PidFile);
        node.Beam = null;
        node.Wrapper = Track(
            ProcessTools.StartRedirected(
                Path.Combine(RabbitMQBinDirectory, "rabbitmq-server"),
                [],
                NodeEnvironment(node),
                node.NodeDirectory,
                node.ServerStdout,
                node.ServerStderr),
            TrackedKind.ServerWrapper,
            "rabbitmq-server " + node.Name);
        node.IsRunning = true;
        var stage = "registering with epmd";
        try
        {
            var registration = $"name {node.ShortName} at port ";
            while (true)
            {
                ReadPidFile(node);
                if (node.Wrapper.Handle!.HasExited)
                {
                    throw new InvalidOperationException("rabbitmq-server exited (see the log below).");
                }

                var names = await ProcessTools.EpmdNamesAsync(_epmdPort, token).ConfigureAwait(false);
                if (names?.Contains(registration, StringComparison.Ordinal) == true)
                {
                    break;
                }

                await Task.Delay(100, token).ConfigureAwait(false);
            }

            stage = "rabbitmqctl await_startup";
            var left = Math.Max(1, (int)(StartTimeout - clock.Elapsed).TotalSeconds);
            await RabbitmqctlAsync(node, ["await_startup", "--timeout", left.ToString(CultureInfo.InvariantCulture)], token)
                .ConfigureAwait(false);
            ReadPidFile(node);
            if (node.Beam is null)
            {
                throw new InvalidOperationException($"The node is up but its pid file {node.PidFile} names no child of the wrapper.");
            }

            stage = "opening an AMQP connection";
            await WaitForAmqpAsync(node, token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            node.IsRunning = !node.Wrapper.Handle!.HasExited;
            throw new TimeoutException(
                $"RabbitMQ node {node.Name} was not ready within {StartTimeout.TotalSeconds:0} s (stuck {stage}).{LogTail(node)}");
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            node.IsRunning = !node.Wrapper.Handle!.HasExited;
            throw new InvalidOperationException($"RabbitMQ node {node.Name} failed to start ({stage}): {e.Message}{LogTail(node)}", e);
        }
    }

    private async Task JoinFirstNodeAsync(BrokerNode node, CancellationToken cancellationToken)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(StartTimeout);
        var token = limit.Token;
        string[][] steps = [["stop_app"], ["reset"], ["join_cluster", _nodes[0].Name], ["start_app"]];
        try
        {
            foreach (var step in steps)
            {
                await RabbitmqctlAsync(node, step, token).ConfigureAwait(false);
            }

            await WaitForAmqpAsync(node, token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException(
                $"RabbitMQ node {node.Name} did not join {_nodes[0].Name} within {StartTimeout.TotalSeconds:0} s.{LogTail(node)}");
        }
        catch (InvalidOperationException e)
        {
            throw new InvalidOperationException($"RabbitMQ node {node.Name} could not join {_nodes[0].Name}: {e.Message}{LogTail(node)}", e);
        }
    }

    private static async Task WaitForAmqpAsync(BrokerNode node, CancellationToken cancellationToken)
    {
        var factory = new ConnectionFactory
        {
            Uri = new Uri(node.AmqpUrl),
            AutomaticRecoveryEnabled = false,
            TopologyRecoveryEnabled = false,
            RequestedConnectionTimeout = TimeSpan.FromSeconds(5),
            ClientProvidedName = "warren-private-broker-readiness",
        };
        while (true)
        {
            try
            {
                var connection = await factory.CreateConnectionAsync(cancellationToken).ConfigureAwait(false);
                await using (connection.ConfigureAwait(false))
                {
                    await connection.CloseAsync(cancellationToken).ConfigureAwait(false);
                    return;
                }
            }
            catch (BrokerUnreachableException) when (!cancellationToken.IsCancellationRequested)
            {
                await Task.Delay(200, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Records the beam.smp named by the pid file, if it is the current wrapper's child.</summary>
    private void ReadPidFile(BrokerNode node)
    {
        if (node.Beam is not null || node.Wrapper is not { } wrapper)
        {
            return;
        }

        string text;
        try
        {
            text = File.ReadAllText(node.PidFile).Trim();
        }
        catch (IOException)
        {
            return;
        }

        if (int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var pid)
            && ProcessTools.TryReadStat(pid, out var stat)
            && stat.ParentPid == wrapper.Pid)
        {
            node.Beam = Track(pid, stat.StartTime, TrackedKind.Beam, "beam.smp " + node.Name);
        }
    }

    /// <summary>Finds the beam even if the pid file was not written yet: the wrapper's only child while it waits.</summary>
    private void DiscoverBeam(BrokerNode node)
    {
        ReadPidFile(node);
        if (node.Beam is not null || node.Wrapper is not { IsAlive: true } wrapper)
        {
            return;
        }

        foreach (var child in ProcessTools.Children(wrapper.Pid))
        {
            if (ProcessTools.TryReadStat(child, out var stat) && stat.ParentPid == wrapper.Pid)
            {
                node.Beam = Track(child, stat.StartTime, TrackedKind.Beam, "beam.smp? " + node.Name);
                return;
            }
        }
    }

    private async Task StopGracefullyAsync(BrokerNode node, CancellationToken cancellationToken)
    {
        // Only the pid file here: while the wrapper is still in its startup script, its children are
        // short-lived subshells, not the node.
        ReadPidFile(node);
        if (node.Wrapper?.IsAlive == true || node.Beam?.IsAlive == true)
        {
            // `stop PIDFILE` returns once that OS process has exited. A failure (node not up yet, already
            // down) or a timeout is handled below.
            try
            {
                await RunCtlAsync(node, ["stop", node.PidFile], StopTimeout, cancellationToken).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                // killed below
            }
        }

        // The wrapper exits (reaping the node) once the node has; if it does not, kill the node first (looking
        // for it once more: it may have been started after the first look), then the wrapper.
        if (node.Wrapper is { } wrapper)
        {
            var clock = Stopwatch.StartNew();
            while (wrapper.IsAlive && clock.Elapsed < ExitGrace)
            {
                await Task.Delay(50, CancellationToken.None).ConfigureAwait(false);
            }

            DiscoverBeam(node);
        }

        if (node.Beam is { } beam)
        {
            await EndAsync(beam, TimeSpan.Zero).ConfigureAwait(false);
        }

        if (node.Wrapper is { } ended)
        {
            await EndAsync(ended, TimeSpan.FromSeconds(2)).ConfigureAwait(false);
        }

        node.IsRunning = false;
    }

    /// <summary>Waits for a tracked process to exit, SIGKILLs it after <paramref name="grace"/>, and makes sure it was reaped.</summary>
    private static async Task EndAsync(TrackedProcess process, TimeSpan grace)
    {
        var clock = Stopwatch.StartNew();
        while (process.IsAlive && clock.Elapsed < grace)
        {
            await Task.Delay(50).ConfigureAwait(false);
        }

        ProcessTools.Kill(process);
        if (process.Handle is { } handle)
        {
            // Our child: .NET reaps it; once this returns, /proc/PID is gone.
            using var limit = new CancellationTokenSource(ExitGrace);
            try
            {
                await handle.WaitForExitAsync(limit.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // reported by the caller's liveness check
            }

            return;
        }

        // A grandchild (beam.smp): its parent, the wrapper, reaps it.
        clock.Restart();
        while (process.Exists && clock.Elapsed < TimeSpan.FromSeconds(5))
        {
            await Task.Delay(20).ConfigureAwait(false);
        }
    }

    private async Task DisposeCoreAsync()
    {
        AppDomain.CurrentDomain.ProcessExit -= _onProcessExit;
        var stops = _nodes.Select(async node =>
        {
            try
            {
                await StopGracefullyAsync(node, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception e) when (e is InvalidOperationException or IOException or TimeoutException or System.ComponentModel.Win32Exception)
            {
                // Best effort: whatever is still alive is killed below.
            }
        });
        await Task.WhenAll(stops).ConfigureAwait(false);

        TrackedProcess[] leftovers;
        lock (_gate)
        {
            leftovers = [.. _processes.OrderBy(p => p.Kind)];
        }

        foreach (var process in leftovers)
        {
            await EndAsync(process, TimeSpan.Zero).ConfigureAwait(false);
        }

        foreach (var process in leftovers)
        {
            process.Handle?.Dispose();
        }

        DeleteDirectory();
    }

    /// <summary>On test-host exit without dispose: SIGKILL everything recorded and remove the directory.</summary>
    private void EmergencyCleanup()
    {
        TrackedProcess[] all;
        lock (_gate)
        {
            if (_disposal is not null)
            {
                return;
            }

            all = [.. _processes.OrderBy(p => p.Kind)];
        }

        foreach (var node in _nodes)
        {
            DiscoverBeam(node);
        }

        foreach (var process in all)
        {
            ProcessTools.Kill(process);
            process.Handle?.WaitForExit(TimeSpan.FromSeconds(2));
        }

        DeleteDirectory();
    }

    private void DeleteDirectory()
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                if (Directory.Exists(DirectoryPath))
                {
                    Directory.Delete(DirectoryPath, recursive: true);
                }

                return;
            }
            catch (IOException) when (attempt < 5)
            {
                Thread.Sleep(100);
            }
            catch (UnauthorizedAccessException) when (attempt < 5)
            {
                Thread.Sleep(100);
            }
        }
    }

    private Task<CommandResult> RunCtlAsync(BrokerNode node, IReadOnlyList<string> args, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var number = Interlocked.Increment(ref _ctlCounter);
        var prefix = Path.Combine(_ctlDirectory, string.Create(CultureInfo.InvariantCulture, $"{number:D4}-{node.ShortName}-{(args.Count > 0 ? args[0] : "")}"));
        string[] arguments = ["-n", node.Name, .. args];
        return ProcessTools.RunAsync(
            Path.Combine(RabbitMQBinDirectory, "rabbitmqctl"),
            arguments,
            NodeEnvironment(node),
            DirectoryPath,
            prefix,
            timeout,
            cancellationToken);
    }

    /// <summary>The inherited environment minus anything RabbitMQ or Erlang would pick up, plus HOME and locale.</summary>
    private Dictionary<string, string> BaseEnvironment()
    {
        var environment = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (DictionaryEntry entry in Environment.GetEnvironmentVariables())
        {
            var key = (string)entry.Key;
            if (key.StartsWith("RABBITMQ_", StringComparison.Ordinal)
                || key.StartsWith("ERL_", StringComparison.Ordinal)
                || key is "HOME" or "CONF_ENV_FILE" or "NODENAME" or "LC_ALL")
            {
                continue;
            }

            environment[key] = entry.Value as string ?? "";
        }

        environment["HOME"] = _homeDirectory;
        // Elixir (the CLI) warns on a non-UTF-8 locale.
        environment["LANG"] = "C.UTF-8";
        environment["LC_ALL"] = "C.UTF-8";
        return environment;
    }

    private Dictionary<string, string> NodeEnvironment(BrokerNode node)
    {
        // Loopback-only distribution; never let erl spawn an untracked epmd daemon.
        const string ErlArgs = "-kernel inet_dist_use_interface {127,0,0,1} -start_epmd false";
        var environment = BaseEnvironment();
        environment["RABBITMQ_NODENAME"] = node.Name;
        environment["RABBITMQ_NODE_IP_ADDRESS"] = "127.0.0.1";
        environment["RABBITMQ_NODE_PORT"] = node.AmqpPort.ToString(CultureInfo.InvariantCulture);
        environment["RABBITMQ_DIST_PORT"] = node.DistributionPort.ToString(CultureInfo.InvariantCulture);
        environment["ERL_EPMD_PORT"] = _epmdPort.ToString(CultureInfo.InvariantCulture);
        environment["ERL_EPMD_ADDRESS"] = "127.0.0.1";
        environment["RABBITMQ_CONF_ENV_FILE"] = _envFile;
        environment["RABBITMQ_CONFIG_FILE"] = node.ConfigFile;
        environment["RABBITMQ_ADVANCED_CONFIG_FILE"] = node.AdvancedConfigFile;
        environment["RABBITMQ_ENABLED_PLUGINS_FILE"] = node.EnabledPluginsFile;
        environment["RABBITMQ_MNESIA_BASE"] = node.MnesiaBase;
        environment["RABBITMQ_MNESIA_DIR"] = node.MnesiaDirectory;
        environment["RABBITMQ_LOG_BASE"] = node.LogDirectory;
        environment["RABBITMQ_PID_FILE"] = node.PidFile;
        environment["RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS"] = ErlArgs;
        environment["RABBITMQ_CTL_ERL_ARGS"] = ErlArgs;
        // CLI runs take an ephemeral distribution port (the default range 35672-35682 is shared machine-wide).
        environment["RABBITMQ_CTL_DIST_PORT_MIN"] = "0";
        environment["RABBITMQ_CTL_DIST_PORT_MAX"] = "0";
        return environment;
    }

    private TrackedProcess Track(Process process, TrackedKind kind, string description)
    {
        // The kernel start time identifies the process; read it right away (it cannot have been reaped yet
        // unless it already exited, in which case 0 never matches a live process).
        var startTime = ProcessTools.TryReadStat(process.Id, out var stat) ? stat.StartTime : 0;
        var tracked = new TrackedProcess(process.Id, startTime, kind, description, process);
        lock (_gate)
        {
            _processes.Add(tracked);
        }

        return tracked;
    }

    private TrackedProcess Track(int pid, ulong startTime, TrackedKind kind, string description)
    {
        var tracked = new TrackedProcess(pid, startTime, kind, description, handle: null);
        lock (_gate)
        {
            _processes.Add(tracked);
        }

        return tracked;
    }

    /// <summary>For failure messages: the first error lines (often the cause) and the tail of each log file.</summary>
    private static string LogTail(BrokerNode node)
    {
        var text = new StringBuilder();
        var files = Directory.Exists(node.LogDirectory)
            ? Directory.GetFiles(node.LogDirectory).Where(f => new FileInfo(f).Length > 0).Order(StringComparer.Ordinal)
            : Enumerable.Empty<string>();
        foreach (var file in files)
        {
            var firstErrors = ProcessTools.FirstLinesContaining(file, "[error]", 5);
            if (firstErrors.Length > 0)
            {
                text.Append(Environment.NewLine).Append("----- first errors in ").Append(file).Append(" -----")
                    .Append(Environment.NewLine).Append(firstErrors);
            }

            text.Append(Environment.NewLine).Append("----- last lines of ").Append(file).Append(" -----")
                .Append(Environment.NewLine).Append(ProcessTools.Tail(file, 30));
        }

        return text.Length == 0 ? $" (no log output in {node.LogDirectory})" : text.ToString();
    }

    private void ThrowIfDisposed()
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposal is not null, this);
        }
    }
}
