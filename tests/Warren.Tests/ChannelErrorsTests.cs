using System;
using System.Net.Sockets;
using System.Security.Authentication;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using RabbitMQ.Client.Exceptions;
using Xunit;

namespace Warren.Tests;

public sealed class ChannelErrorsTests
{
    [Theory]
    [InlineData(ShutdownInitiator.Peer, 404, true, false)]
    [InlineData(ShutdownInitiator.Peer, 406, true, false)]
    [InlineData(ShutdownInitiator.Peer, 403, true, false)]
    [InlineData(ShutdownInitiator.Peer, 501, false, true)]
    [InlineData(ShutdownInitiator.Peer, 505, false, true)]
    [InlineData(ShutdownInitiator.Peer, 320, false, false)]
    [InlineData(ShutdownInitiator.Library, 541, false, false)]
    [InlineData(ShutdownInitiator.Library, 404, false, false)]
    [InlineData(ShutdownInitiator.Application, 200, false, false)]
    public void Reasons_are_told_apart(ShutdownInitiator initiator, int code, bool channelError, bool protocolError)
    {
        var reason = new ShutdownEventArgs(initiator, (ushort)code, "text");

        Assert.Equal(channelError, ChannelErrors.IsChannelError(reason));
        Assert.Equal(protocolError, ChannelErrors.IsProtocolError(reason));
        Assert.Equal(channelError || initiator == ShutdownInitiator.Application, ChannelErrors.IsClosedForGood(reason));
    }

    [Theory]
    [InlineData("NOT_FOUND - no exchange 'orders' in vhost '/'", "orders", true)]
    [InlineData("NOT_FOUND - no exchange 'orders' in vhost '/'", "order", false)]
    [InlineData("NOT_FOUND - no exchange 'a'b' in vhost '/'", "a'b", true)]
    [InlineData("NOT_FOUND - no exchange 'a'b' in vhost '/'", "a", false)]
    [InlineData("ACCESS_REFUSED - access to exchange 'audit' in vhost 'prod' refused for user 'app'", "audit", true)]
    [InlineData("PRECONDITION_FAILED - message size 200 is larger than configured max size 100", "orders", false)]
    public void The_reply_text_names_the_exchange_that_caused_it(string text, string exchange, bool named)
    {
        var reason = new ShutdownEventArgs(ShutdownInitiator.Peer, (ushort)(text.StartsWith("NOT", StringComparison.Ordinal) ? 404 : text.StartsWith("ACC", StringComparison.Ordinal) ? 403 : 406), text);

        Assert.Equal(named, ChannelErrors.Names(reason, exchange));
        Assert.Equal(!text.StartsWith("PRE", StringComparison.Ordinal), ChannelErrors.NamesAnExchange(reason));
    }

    [Fact]
    public void The_root_cause_of_a_refused_connection_is_the_socket_error()
    {
        var socket = new SocketException((int)SocketError.ConnectionRefused);
        var wrapped = new BrokerUnreachableException(new AggregateException(new ConnectFailureException("Connection failed, host 127.0.0.1:1", socket)));

        Assert.Same(socket, ConnectFailures.RootCause(wrapped));
        Assert.False(ConnectFailures.IsPermanent(socket));
    }

    [Fact]
    public void A_rejected_certificate_or_refused_credentials_is_permanent_and_named()
    {
        var tls = new AuthenticationException("The remote certificate is invalid according to the validation procedure.");
        var credentials = new AuthenticationFailureException("ACCESS_REFUSED - Login was refused");

        Assert.Same(tls, ConnectFailures.RootCause(new BrokerUnreachableException(new AggregateException(tls))));
        Assert.True(ConnectFailures.IsPermanent(tls));
        Assert.True(ConnectFailures.IsPermanent(credentials));
        Assert.Contains("TLS handshake failed", ConnectFailures.Describe(tls), StringComparison.Ordinal);
        Assert.Contains("refused the credentials", ConnectFailures.Describe(credentials), StringComparison.Ordinal);
    }

    [Fact]
    public void Several_endpoints_give_every_cause()
    {
        var a = new SocketException((int)SocketError.ConnectionRefused);
        var b = new AuthenticationException("bad certificate");

        var cause = Assert.IsType<AggregateException>(ConnectFailures.RootCause(new BrokerUnreachableException(new AggregateException(a, b))));

        Assert.Equal([a, b], cause.InnerExceptions);
        Assert.False(ConnectFailures.IsPermanent(cause));
    }
}
