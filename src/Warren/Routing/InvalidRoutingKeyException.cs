using System;

namespace Warren;

/// <summary>A routing key could not be built from a message (an empty word, or a word containing a dot).</summary>
public sealed class InvalidRoutingKeyException : Exception
{
    /// <summary>Creates the exception.</summary>
    public InvalidRoutingKeyException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public InvalidRoutingKeyException(string message) : base(message)
    {
    }

    /// <summary>Creates the exception with a message and its cause.</summary>
    public InvalidRoutingKeyException(string message, Exception innerException) : base(message, innerException)
    {
    }
}
