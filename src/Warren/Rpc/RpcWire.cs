using System.ComponentModel;
using System.Text.Json.Serialization;

namespace Warren.Infrastructure;

/// <summary>The RPC wire format's fixed names (documented in docs/rpc.md).</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class RpcWire
{
    /// <summary>The pseudo-queue of RabbitMQ's direct reply-to.</summary>
    public const string DirectReplyTo = "amq.rabbitmq.reply-to";

    /// <summary>Reply header: <c>ok</c> or <c>fault</c>.</summary>
    public const string StatusHeader = "x-rpc-status";

    /// <summary>The <c>type</c> of a fault reply.</summary>
    public const string FaultType = "warren.rpc.fault";

    /// <summary><see cref="StatusHeader"/> of a successful reply.</summary>
    public const string Ok = "ok";

    /// <summary><see cref="StatusHeader"/> of a fault reply.</summary>
    public const string Fault = "fault";
}

/// <summary>The body of a fault reply.</summary>
/// <param name="Type">The server exception's type name.</param>
/// <param name="Message">Its message.</param>
/// <param name="StackTrace">Its stack trace, when enabled.</param>
public sealed record RpcFault(string Type, string Message, string? StackTrace);

[JsonSerializable(typeof(RpcFault))]
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
internal sealed partial class RpcJson : JsonSerializerContext;
