using System;

namespace Warren;

/// <summary>
/// On a <c>partial interface</c>: Warren generates its implementation. Each method takes one message (and optionally a
/// <see cref="System.Threading.CancellationToken"/>), returns <see cref="System.Threading.Tasks.ValueTask"/> or
/// <see cref="System.Threading.Tasks.Task"/>, and publishes the message to its exchange with its routing key (a
/// <see cref="TopicAttribute"/> on the method overrides the message's).
/// </summary>
[AttributeUsage(AttributeTargets.Interface, AllowMultiple = false, Inherited = false)]
public sealed class PublisherAttribute : Attribute
{
}

/// <summary>
/// On a message type: its stable contract name, carried in the AMQP <c>type</c> property and used by consumers to
/// select the handler. Without it the name is the type's name in kebab-case dotted form (<c>UserCreated</c> →
/// <c>user-created</c>). Renaming the class then does not break other services.
/// </summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Struct, AllowMultiple = false, Inherited = false)]
public sealed class MessageAttribute : Attribute
{
    /// <summary>Gives the contract name.</summary>
    public MessageAttribute(string name)
    {
        Name = name;
    }

    /// <summary>The contract name.</summary>
    public string Name { get; }
}
