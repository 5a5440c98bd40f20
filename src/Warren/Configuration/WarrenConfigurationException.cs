using System;

namespace Warren;

/// <summary>Warren's configuration is invalid. The message says which setting and how to fix it; it never contains a credential.</summary>
public sealed class WarrenConfigurationException : Exception
{
    /// <summary>Creates the exception.</summary>
    public WarrenConfigurationException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public WarrenConfigurationException(string message) : base(message)
    {
    }

    /// <summary>Creates the exception with a message and its cause.</summary>
    public WarrenConfigurationException(string message, Exception innerException) : base(message, innerException)
    {
    }
}
