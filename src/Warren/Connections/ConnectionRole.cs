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
}

/// <summary>A change in one of Warren's connections.</summary>
/// <param name="Role">Which connection.</param>
/// <param name="Kind">What happened.</param>
/// <param name="Reason">The broker's or the client's reason, when there is one.</param>
public sealed record ConnectionEvent(ConnectionRole Role, ConnectionEventKind Kind, string? Reason);
