using System;

namespace Warren;

/// <summary>Which of Warren's two connections an event concerns. Publishing and consuming never share a connection,
/// so the broker's flow control on publishers cannot stall consumers' acknowledgements.</summary>
public enum ConnectionRole
{
    /// <summary>The connection publishers use.</summary>
    Publish,

    /// <summary>The connection consumers use.</summary>
    Consume,
}

/// <summary>What happened to a connection.</summary>
public enum ConnectionEventKind
{
    /// <summary>The connection was opened.</summary>
    Opened,

    /// <summary>The connection was lost; automatic recovery is trying to restore it.</summary>
    Lost,

    /// <summary>Automatic recovery restored the connection, its channels and consumers.</summary>
    Recovered,

    /// <summary>An attempt to recover the connection failed; recovery keeps trying.</summary>
    RecoveryFailed,

    /// <summary>The broker blocked publishing (a memory or disk alarm).</summary>
    Blocked,

    /// <summary>The broker unblocked publishing.</summary>
    Unblocked,

    /// <summary>The connection was closed by the application.</summary>
    Closed,

    /// <summary>
    /// The connection will not come back (closed outside Warren, access refused, or its automatic recovery kept failing):
    /// Warren gave it up and opens a new one on next use.
    /// </summary>
    Failed,
}

/// <summary>Where one of Warren's connections is, for health checks and dashboards.</summary>
public enum WarrenConnectionState
{
    /// <summary>Not opened yet: connections are opened on first use.</summary>
    NotOpened,

    /// <summary>Open.</summary>
    Open,

    /// <summary>Open, but the broker blocks publishing on it (a memory or disk alarm).</summary>
    Blocked,

    /// <summary>Lost; RabbitMQ.Client's automatic recovery is trying to restore it.</summary>
    Recovering,

    /// <summary>Given up (it will not come back); a new connection is opened on next use.</summary>
    Failed,

    /// <summary>Closed by the application (stop).</summary>
    Closed,
}

/// <summary>One connection's state.</summary>
/// <param name="Role">Which connection.</param>
/// <param name="State">Where it is.</param>
/// <param name="Since">When it entered <paramref name="State"/>.</param>
/// <param name="LastError">Why it was last lost, blocked or given up (null while it has been fine since it opened).</param>
public sealed record WarrenConnectionStatus(ConnectionRole Role, WarrenConnectionState State, DateTimeOffset Since, string? LastError);

/// <summary>A change in one of Warren's connections.</summary>
/// <param name="Role">Which connection.</param>
/// <param name="Kind">What happened.</param>
/// <param name="Reason">The broker's or the client's reason, when there is one.</param>
public sealed record ConnectionEvent(ConnectionRole Role, ConnectionEventKind Kind, string? Reason);
