using System;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;

namespace Warren.IntegrationTests.Runtime;

/// <summary>
/// A loopback TCP proxy to the broker that can turn into a network black hole: while blackholed it forwards nothing
/// in either direction and connects nothing new, yet closes no socket (no reset, no FIN), as a dead firewall or a
/// pulled cable does. What arrived meanwhile is held and forwarded once <see cref="Resume"/> is called.
/// </summary>
internal sealed class BlackholeProxy : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly int _targetPort;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentBag<TcpClient> _sockets = [];
    private readonly object _gate = new();
    private readonly Task _accepting;
    private TaskCompletionSource _open = NewOpen(open: true);
    private volatile bool _refusing;

    /// <param name="targetPort">The broker's port on 127.0.0.1.</param>
    /// <param name="listenPort">The port to listen on (0: any free port).</param>
    public BlackholeProxy(int targetPort, int listenPort = 0)
    {
        _listener = new TcpListener(IPAddress.Loopback, listenPort);
        _targetPort = targetPort;
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>
    /// How long each read from the broker is held before it is forwarded to the client (zero: none): a round trip that
    /// waits for the broker's answer costs at least this long, while methods sent without waiting cost nothing more.
    /// </summary>
    public TimeSpan ReplyLatency { get; set; }

    /// <summary>Stops forwarding, keeping every socket open.</summary>
    public void Blackhole()
    {
        lock (_gate)
        {
            if (_open.Task.IsCompleted)
            {
                _open = NewOpen(open: false);
            }
        }
    }

    /// <summary>Forwards again, including what was held, and accepts connections again after <see cref="Refuse"/>.</summary>
    public void Resume()
    {
        _refusing = false;
        lock (_gate)
        {
            _open.TrySetResult();
        }
    }

    /// <summary>
    /// Closes every connection through the proxy and closes each new one as soon as it is accepted, until
    /// <see cref="Resume"/>: a broker that went away (the connections are reset, reconnecting fails).
    /// </summary>
    public void Refuse()
    {
        _refusing = true;
        foreach (var socket in _sockets)
        {
            socket.Client?.Close(0);
            socket.Dispose();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        foreach (var socket in _sockets)
        {
            socket.Dispose();
        }

        await _accepting;
        _stop.Dispose();
    }

    private static TaskCompletionSource NewOpen(bool open)
    {
        var source = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (open)
        {
            source.SetResult();
        }

        return source;
    }

    private Task WaitOpenAsync()
    {
        Task open;
        lock (_gate)
        {
            open = _open.Task;
        }

        return open.WaitAsync(_stop.Token);
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            if (_refusing)
            {
                client.Client.Close(0);
                client.Dispose();
                continue;
            }

            _sockets.Add(client);
            _ = RelayAsync(client);
        }
    }

    private async Task RelayAsync(TcpClient client)
    {
        var upstream = new TcpClient();
        _sockets.Add(upstream);
        try
        {
            await WaitOpenAsync();
            await upstream.ConnectAsync(IPAddress.Loopback, _targetPort, _stop.Token);
            var toBroker = PumpAsync(client.GetStream(), upstream.GetStream(), fromBroker: false);
            var toClient = PumpAsync(upstream.GetStream(), client.GetStream(), fromBroker: true);
            await Task.WhenAny(toBroker, toClient);
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or System.IO.IOException or ObjectDisposedException)
        {
            // One side went away or the proxy stops: close both.
        }
        finally
        {
            client.Dispose();
            upstream.Dispose();
        }
    }

    private async Task PumpAsync(NetworkStream from, NetworkStream to, bool fromBroker)
    {
        var buffer = new byte[16 * 1024];
        while (true)
        {
            var read = await from.ReadAsync(buffer, _stop.Token);

            // Held while blackholed: neither forwarded nor dropped, and a close is not passed on either.
            await WaitOpenAsync();
            if (read == 0)
            {
                return;
            }

            if (fromBroker && ReplyLatency > TimeSpan.Zero)
            {
                await Task.Delay(ReplyLatency, _stop.Token);
            }

            await to.WriteAsync(buffer.AsMemory(0, read), _stop.Token);
        }
    }
}
