using System;

namespace Warren;

/// <summary>An RPC call failed. The message names the service and method.</summary>
public class RpcException : Exception
{
    /// <summary>Creates the exception.</summary>
    public RpcException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public RpcException(string message) : base(message)
    {
    }

    /// <summary>Creates the exception with a message and its cause.</summary>
    public RpcException(string message, Exception innerException) : base(message, innerException)
    {
    }

    /// <summary>Creates the exception for a call.</summary>
    public RpcException(string service, string method, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Service = service;
        Method = method;
    }

    /// <summary>The service called.</summary>
    public string Service { get; } = string.Empty;

    /// <summary>The method's contract name.</summary>
    public string Method { get; } = string.Empty;
}

/// <summary>No reply came within the call's timeout.</summary>
public sealed class RpcTimeoutException : RpcException
{
    /// <summary>Creates the exception.</summary>
    public RpcTimeoutException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public RpcTimeoutException(string message) : base(message)
    {
    }

    /// <summary>Creates the exception with a message and its cause.</summary>
    public RpcTimeoutException(string message, Exception innerException) : base(message, innerException)
    {
    }

    /// <summary>Creates the exception for a call.</summary>
    public RpcTimeoutException(string service, string method, TimeSpan elapsed)
        : base(service, method, $"RPC {method} to service '{service}' got no reply within {elapsed.TotalMilliseconds:F0} ms (the request expires unprocessed if no server took it).")
    {
        Elapsed = elapsed;
    }

    /// <summary>How long the call waited.</summary>
    public TimeSpan Elapsed { get; }
}

/// <summary>No server is bound to the service's queue: the request was returned at once.</summary>
public sealed class RpcNoServerException : RpcException
{
    /// <summary>Creates the exception.</summary>
    public RpcNoServerException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public RpcNoServerException(string message) : base(message)
    {
    }

    /// <summary>Creates the exception with a message and its cause.</summary>
    public RpcNoServerException(string message, Exception innerException) : base(message, innerException)
    {
    }

    /// <summary>Creates the exception for a call.</summary>
    public RpcNoServerException(string service, string method, string queue)
        : base(service, method, $"RPC {method} to service '{service}' was returned by the broker: queue '{queue}' does not exist, so no server can take it. Start a server (it declares the queue) or check the service name.")
    {
    }
}

/// <summary>The server's method threw; <see cref="RemoteType"/> and the message are the server's.</summary>
public sealed class RemoteRpcException : RpcException
{
    /// <summary>Creates the exception.</summary>
    public RemoteRpcException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public RemoteRpcException(string message) : base(message)
    {
    }

    /// <summary>Creates the exception with a message and its cause.</summary>
    public RemoteRpcException(string message, Exception innerException) : base(message, innerException)
    {
    }

    /// <summary>Creates the exception from a fault reply.</summary>
    public RemoteRpcException(string service, string method, string remoteType, string remoteMessage, string? remoteStackTrace)
        : base(service, method, $"RPC {method} to service '{service}' failed on the server with {remoteType}: {remoteMessage}")
    {
        RemoteType = remoteType;
        RemoteMessage = remoteMessage;
        RemoteStackTrace = remoteStackTrace;
    }

    /// <summary>The full name of the exception type thrown on the server.</summary>
    public string RemoteType { get; } = string.Empty;

    /// <summary>The server exception's message.</summary>
    public string RemoteMessage { get; } = string.Empty;

    /// <summary>The server's stack trace, when the server enables <see cref="WarrenOptions.RpcIncludeStackTraces"/>.</summary>
    public string? RemoteStackTrace { get; }
}
