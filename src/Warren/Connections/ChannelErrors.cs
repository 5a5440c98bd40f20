using System;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace Warren;

/// <summary>
/// Reads a shutdown reason: whether the broker closed one channel because of something sent on it (a channel error),
/// closed the whole connection because of a malformed frame, or the connection was simply lost.
/// </summary>
internal static class ChannelErrors
{
    /// <summary>
    /// The broker closed the channel (not the connection) with one of AMQP's channel-level codes: 311 content too large,
    /// 313 no consumers, 403 access refused, 404 not found, 405 resource locked, 406 precondition failed. RabbitMQ.Client
    /// never recovers such a channel.
    /// </summary>
    public static bool IsChannelError(ShutdownEventArgs? reason) =>
        reason is { Initiator: ShutdownInitiator.Peer, ReplyCode: 311 or 313 or (>= 403 and <= 406) };

    /// <summary>
    /// The broker closed the whole connection because of a frame it could not accept (501 frame error, 502 syntax error,
    /// 503 command invalid, 504 channel error, 505 unexpected frame): something a publish sent, such as properties larger
    /// than <c>frame_max</c>. Sending the same again would close the connection again.
    /// </summary>
    public static bool IsProtocolError(ShutdownEventArgs? reason) =>
        reason is { Initiator: ShutdownInitiator.Peer, ReplyCode: >= 501 and <= 505 };

    /// <summary>A channel that will not come back by automatic recovery: closed by the broker alone, or closed locally.</summary>
    public static bool IsClosedForGood(ShutdownEventArgs? reason) =>
        IsChannelError(reason) || reason is { Initiator: ShutdownInitiator.Application };

    /// <summary>
    /// Whether the broker's reply text names <paramref name="exchange"/> as the cause: RabbitMQ says
    /// <c>NOT_FOUND - no exchange 'x' in vhost 'v'</c> and <c>ACCESS_REFUSED - access to exchange 'x' in vhost 'v' refused …</c>.
    /// </summary>
    public static bool Names(ShutdownEventArgs reason, string exchange) =>
        reason.ReplyText.Contains(Quoted(exchange), StringComparison.Ordinal);

    /// <summary>Whether the reply text names some exchange as the cause (so a publish it does not name did not cause it).</summary>
    public static bool NamesAnExchange(ShutdownEventArgs reason) =>
        reason.ReplyCode is 403 or 404 && reason.ReplyText.Contains("exchange '", StringComparison.Ordinal) && reason.ReplyText.Contains("' in vhost '", StringComparison.Ordinal);

    private static string Quoted(string exchange) => $"exchange '{exchange}' in vhost '";
}
