namespace Warren;

/// <summary>
/// Attribute names and values of the OpenTelemetry messaging semantic conventions (and Warren's own, prefixed
/// <c>warren.</c>), in one place so spans and metrics agree.
/// </summary>
internal static class SemanticConventions
{
    public const string MessagingSystem = "messaging.system";
    public const string RabbitMQSystem = "rabbitmq";
    public const string OperationName = "messaging.operation.name";
    public const string OperationType = "messaging.operation.type";
    public const string DestinationName = "messaging.destination.name";
    public const string DestinationTemplate = "messaging.destination.template";
    public const string RoutingKey = "messaging.rabbitmq.destination.routing_key";
    public const string DeliveryTag = "messaging.rabbitmq.message.delivery_tag";
    public const string MessageId = "messaging.message.id";
    public const string ConversationId = "messaging.message.conversation_id";
    public const string ErrorType = "error.type";
    public const string BatchMessageCount = "messaging.batch.message_count";
    public const string RpcService = "rpc.service";

    /// <summary><c>rpc.system</c>, required by the RPC conventions up to 1.37; <c>rpc.system.name</c> since.</summary>
    public const string RpcSystem = "rpc.system";
    public const string RpcSystemName = "rpc.system.name";

    /// <summary>The RPC system of Warren's request/reply over AMQP: its own, not gRPC or JSON-RPC.</summary>
    public const string WarrenRpcSystem = "warren";
    public const string ServerAddress = "server.address";
    public const string ServerPort = "server.port";
    public const string RpcMethod = "rpc.method";

    public const string Contract = "warren.message.contract";
    public const string RetryCount = "warren.retry.count";
    public const string Queue = "warren.queue";
    public const string Outcome = "warren.outcome";
    public const string RetryKind = "warren.retry.kind";
    public const string DeadLetterReason = "warren.dead_letter.reason";
    public const string RpcOutcome = "warren.rpc.outcome";
    public const string QueueKind = "warren.queue.kind";
    public const string ConnectionRoleTag = "warren.connection.role";

    /// <summary><c>messaging.operation.name</c> of a publish (AMQP <c>basic.publish</c>).</summary>
    public const string Publish = "publish";

    /// <summary><c>messaging.operation.type</c> of a publish.</summary>
    public const string Send = "send";

    /// <summary><c>messaging.operation.name</c> and <c>.type</c> of handling a delivery.</summary>
    public const string ProcessOperation = "process";

    /// <summary><c>messaging.operation.name</c> of a message the broker pushed to a consumer (AMQP <c>basic.deliver</c>).</summary>
    public const string Deliver = "deliver";

    /// <summary>The destination name semantic conventions give RabbitMQ's default exchange.</summary>
    public const string DefaultExchange = "amq.default";
}
