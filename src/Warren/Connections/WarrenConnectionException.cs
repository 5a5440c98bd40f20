using System;

namespace Warren;

/// <summary>A connection to the broker could not be opened. The message names the endpoints, never the credentials.</summary>
public sealed class WarrenConnectionException : Exception
{
    /// <summary>Creates the exception.</summary>
    public WarrenConnectionException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public WarrenConnectionException(string message) : base(message)
    {
    }

    /// <summary>Creates the exception with a message and its cause.</summary>
    public WarrenConnectionException(string message, Exception innerException) : base(message, innerException)
    {
    }
}
