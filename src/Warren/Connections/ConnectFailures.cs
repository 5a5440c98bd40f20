using System;
using System.Collections.Generic;
using System.Linq;
using RabbitMQ.Client.Exceptions;

namespace Warren;

/// <summary>
/// Finds the real cause inside RabbitMQ.Client's connection failures: <c>BrokerUnreachableException</c> wraps an
/// <see cref="AggregateException"/> of one failure per endpoint, each often a <c>ConnectFailureException</c> around the
/// socket error. The cause (connection refused, a rejected TLS certificate, refused credentials) is what users need.
/// </summary>
internal static class ConnectFailures
{
    /// <summary>The innermost meaningful exception; for several endpoints, an aggregate of each endpoint's cause.</summary>
    public static Exception RootCause(Exception exception)
    {
        while (true)
        {
            switch (exception)
            {
                case BrokerUnreachableException { InnerException: { } inner }:
                    exception = inner;
                    continue;
                case ConnectFailureException { InnerException: { } inner }:
                    exception = inner;
                    continue;
                case AggregateException aggregate:
                    var causes = aggregate.Flatten().InnerExceptions.Select(RootCause).ToList();
                    if (causes.Count == 1)
                    {
                        return causes[0];
                    }

                    return new AggregateException($"Every endpoint failed: {string.Join("; ", causes.Select(c => c.Message))}", causes);
                default:
                    return exception;
            }
        }
    }

    /// <summary>A failure that retrying will not fix: refused credentials or a failed TLS handshake.</summary>
    public static bool IsPermanent(Exception? cause) => cause switch
    {
        null => false,
        AuthenticationFailureException => true,
        System.Security.Authentication.AuthenticationException => true,
        AggregateException aggregate => aggregate.InnerExceptions.Count > 0 && aggregate.InnerExceptions.All(IsPermanent),
        _ => false,
    };

    /// <summary>The cause in words for a <see cref="WarrenConnectionException"/> message.</summary>
    public static string Describe(Exception cause) => cause switch
    {
        AuthenticationFailureException => $"the broker refused the credentials ({cause.Message})",
        System.Security.Authentication.AuthenticationException => $"the TLS handshake failed ({Messages(cause)})",
        _ => cause.Message,
    };

    private static string Messages(Exception exception)
    {
        var messages = new List<string>();
        for (var e = exception; e is not null; e = e.InnerException)
        {
            messages.Add(e.Message);
        }

        return string.Join(": ", messages);
    }
}
