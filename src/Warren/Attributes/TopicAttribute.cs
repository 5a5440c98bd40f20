using System;

namespace Warren;

/// <summary>
/// On a message type or a publisher method: the routing key it is published with. <c>{Property}</c> placeholders are
/// filled from the message's properties at publish time (a value that is empty or contains a <c>.</c> is an error).
/// On a handler method: the binding key its queue is bound with (<c>queue.bind</c> routing key); on a topic
/// exchange a pattern where <c>*</c> matches one word and <c>#</c> zero or more. Several on one handler bind several keys.
/// </summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Struct | AttributeTargets.Method, AllowMultiple = true, Inherited = false)]
public sealed class TopicAttribute : Attribute
{
    /// <summary>Gives the routing key or binding pattern.</summary>
    public TopicAttribute(string pattern)
    {
        Pattern = pattern;
    }

    /// <summary>The routing key template or binding pattern.</summary>
    public string Pattern { get; }
}
