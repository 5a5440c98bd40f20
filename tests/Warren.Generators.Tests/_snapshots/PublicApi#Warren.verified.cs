namespace Warren
{
    [System.AttributeUsage(System.AttributeTargets.Method, AllowMultiple=false, Inherited=false)]
    public sealed class BatchAttribute : System.Attribute
    {
        public BatchAttribute() { }
        public int Size { get; set; }
        public string Timeout { get; set; }
    }
    public sealed class BatchDispatcher<T> : Warren.IBatchDispatcher, Warren.Infrastructure.IMessageDispatcher
    {
        public BatchDispatcher(System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> typeInfo, int size, System.TimeSpan timeout, System.Func<System.Collections.Generic.IReadOnlyList<T>, System.Threading.CancellationToken, System.Threading.Tasks.ValueTask> handler) { }
        public BatchDispatcher(System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> typeInfo, int size, System.TimeSpan timeout, System.Func<System.Collections.Generic.IReadOnlyList<T>, System.IServiceProvider, System.Threading.CancellationToken, System.Threading.Tasks.ValueTask> handler) { }
        public int Size { get; }
        public System.Threading.Tasks.ValueTask<Warren.Infrastructure.DispatchOutcome> DispatchAsync(Warren.MessageContext context) { }
        public void Flush() { }
    }
    public sealed class BindingDeclaration : System.IEquatable<Warren.BindingDeclaration>
    {
        public BindingDeclaration(string Exchange, string Queue, string RoutingKey = "", System.Collections.Generic.IReadOnlyDictionary<string, object?>? Arguments = null) { }
        public System.Collections.Generic.IReadOnlyDictionary<string, object?>? Arguments { get; init; }
        public string Exchange { get; init; }
        public string Queue { get; init; }
        public string RoutingKey { get; init; }
    }
    public sealed class ConnectionEvent : System.IEquatable<Warren.ConnectionEvent>
    {
        public ConnectionEvent(Warren.ConnectionRole Role, Warren.ConnectionEventKind Kind, string? Reason) { }
        public Warren.ConnectionEventKind Kind { get; init; }
        public string? Reason { get; init; }
        public Warren.ConnectionRole Role { get; init; }
    }
    public enum ConnectionEventKind
    {
        Opened = 0,
        Lost = 1,
        Recovered = 2,
        RecoveryFailed = 3,
        Blocked = 4,
        Unblocked = 5,
        Closed = 6,
        Failed = 7,
    }
    public enum ConnectionRole
    {
        Publish = 0,
        Consume = 1,
    }
    [System.AttributeUsage(System.AttributeTargets.Class, AllowMultiple=false, Inherited=false)]
    public sealed class ConsumeFromAttribute : System.Attribute
    {
        public ConsumeFromAttribute(Warren.StreamFrom from = 0) { }
        public Warren.StreamFrom From { get; }
        public long Offset { get; set; }
        public bool StoredOffset { get; set; }
        public string? Timestamp { get; set; }
    }
    public sealed class ConsumerDefinition
    {
        public ConsumerDefinition(string queue, Warren.Infrastructure.IMessageDispatcher dispatcher) { }
        public int? Concurrency { get; init; }
        public Warren.Infrastructure.IMessageDispatcher Dispatcher { get; }
        public System.TimeSpan? HandlerTimeout { get; init; }
        public ushort? Prefetch { get; init; }
        public string Queue { get; }
        public Warren.RetryPolicy? Retry { get; init; }
        public Warren.StreamConsumer? Stream { get; init; }
    }
    public enum ConsumerState
    {
        Starting = 0,
        Running = 1,
        Restarting = 2,
        Stopped = 3,
    }
    public sealed class ConsumerStatus : System.IEquatable<Warren.ConsumerStatus>
    {
        public ConsumerStatus(string Queue, Warren.ConsumerState State, int RestartCount, string? LastError, System.DateTimeOffset? LastErrorAt, System.DateTimeOffset Since) { }
        public int HandlersPastTimeout { get; init; }
        public string? LastError { get; init; }
        public System.DateTimeOffset? LastErrorAt { get; init; }
        public string Queue { get; init; }
        public int RestartCount { get; init; }
        public System.DateTimeOffset Since { get; init; }
        public Warren.ConsumerState State { get; init; }
    }
    [System.AttributeUsage(System.AttributeTargets.Class | System.AttributeTargets.Method, AllowMultiple=false, Inherited=false)]
    public sealed class DeadLetterAttribute : System.Attribute
    {
        public DeadLetterAttribute() { }
        public System.Type[]? DoNotRetry { get; set; }
        public bool Enabled { get; set; }
        public string? Exchange { get; set; }
        public int ImmediateRetries { get; set; }
        public int MaxRetries { get; set; }
        public string? Queue { get; set; }
        public string[]? RetryDelays { get; set; }
    }
    public static class DeadLetterHeaders
    {
        public const string DroppedHeaders = "x-warren-dropped-headers";
        public const string ExceptionMessage = "x-warren-exception-message";
        public const string ExceptionType = "x-warren-exception-type";
        public const string FailedAt = "x-warren-failed-at";
        public const int MaxCarriedHeaderBytes = 32768;
        public const int MaxTextLength = 1024;
        public const int MaxTypeNameLength = 256;
        public const string OriginalExchange = "x-warren-original-exchange";
        public const string OriginalRoutingKey = "x-warren-original-routing-key";
        public const string Queue = "x-warren-queue";
        public const string Reason = "x-warren-reason";
    }
    public sealed class DeathRecord : System.IEquatable<Warren.DeathRecord>
    {
        public DeathRecord(string Queue, string Reason, long Count, string Exchange, System.Collections.Generic.IReadOnlyList<string> RoutingKeys, System.DateTimeOffset? Time) { }
        public long Count { get; init; }
        public string Exchange { get; init; }
        public string Queue { get; init; }
        public string Reason { get; init; }
        public System.Collections.Generic.IReadOnlyList<string> RoutingKeys { get; init; }
        public System.DateTimeOffset? Time { get; init; }
    }
    [System.AttributeUsage(System.AttributeTargets.Class | System.AttributeTargets.Struct | System.AttributeTargets.Interface, AllowMultiple=false, Inherited=false)]
    public sealed class ExchangeAttribute : System.Attribute
    {
        public ExchangeAttribute(string name, Warren.ExchangeKind type = 1) { }
        public bool AutoDelete { get; set; }
        public bool Durable { get; set; }
        public string Name { get; }
        public Warren.ExchangeKind Type { get; }
    }
    public sealed class ExchangeDeclaration : System.IEquatable<Warren.ExchangeDeclaration>
    {
        public ExchangeDeclaration(string Name, string Type, bool Durable = true, bool AutoDelete = false, System.Collections.Generic.IReadOnlyDictionary<string, object?>? Arguments = null) { }
        public System.Collections.Generic.IReadOnlyDictionary<string, object?>? Arguments { get; init; }
        public bool AutoDelete { get; init; }
        public bool Durable { get; init; }
        public string Name { get; init; }
        public string Type { get; init; }
    }
    public enum ExchangeKind
    {
        Direct = 0,
        Topic = 1,
        Fanout = 2,
        Headers = 3,
    }
    public static class ExchangeTypes
    {
        public const string Direct = "direct";
        public const string Fanout = "fanout";
        public const string Headers = "headers";
        public const string Topic = "topic";
    }
    [System.AttributeUsage(System.AttributeTargets.Method, AllowMultiple=true, Inherited=false)]
    public sealed class HeadersAttribute : System.Attribute
    {
        public HeadersAttribute(params string[] headers) { }
        public string[] Headers { get; }
        public Warren.HeadersMatch Mode { get; set; }
    }
    public enum HeadersMatch
    {
        All = 0,
        Any = 1,
    }
    public interface IBatchDispatcher : Warren.Infrastructure.IMessageDispatcher
    {
        int Size { get; }
        void Flush();
    }
    public interface IMessageSender
    {
        System.Threading.Tasks.ValueTask SendAsync<T>(string exchange, string routingKey, T message, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> typeInfo, string contractName, Warren.PublishOptions? options = null, System.Threading.CancellationToken cancellationToken = default);
        System.Threading.Tasks.ValueTask SendAsync<T>(string exchange, string routingKey, T message, Warren.PayloadFormat<T> format, string? contractName, Warren.PublishOptions? options = null, System.Threading.CancellationToken cancellationToken = default);
    }
    public interface IPublisher
    {
        System.Threading.Tasks.ValueTask PublishAsync<T>(T message, System.Threading.CancellationToken cancellationToken = default);
        System.Threading.Tasks.ValueTask PublishAsync<T>(T message, Warren.PublishOptions? options, System.Threading.CancellationToken cancellationToken = default);
        System.Threading.Tasks.ValueTask PublishBatchAsync<T>(System.Collections.Generic.IEnumerable<T> messages, Warren.PublishOptions? options = null, System.Threading.CancellationToken cancellationToken = default);
        System.Threading.Tasks.ValueTask PublishBytesAsync(string exchange, string routingKey, System.ReadOnlyMemory<byte> body, Warren.PublishOptions? options = null, System.Threading.CancellationToken cancellationToken = default);
        System.Threading.Tasks.ValueTask PublishTextAsync(string exchange, string routingKey, string text, Warren.PublishOptions? options = null, System.Threading.CancellationToken cancellationToken = default);
    }
    public interface IStreamOffsetStore
    {
        System.Threading.Tasks.ValueTask<long?> LoadAsync(string stream, System.Threading.CancellationToken cancellationToken);
        System.Threading.Tasks.ValueTask SaveAsync(string stream, long offset, System.Threading.CancellationToken cancellationToken);
    }
    public sealed class InvalidRoutingKeyException : System.Exception
    {
        public InvalidRoutingKeyException() { }
        public InvalidRoutingKeyException(string message) { }
        public InvalidRoutingKeyException(string message, System.Exception innerException) { }
    }
    [System.AttributeUsage(System.AttributeTargets.Class | System.AttributeTargets.Struct, AllowMultiple=false, Inherited=false)]
    public sealed class MessageAttribute : System.Attribute
    {
        public MessageAttribute(string name) { }
        public string Name { get; }
    }
    public sealed class MessageContext
    {
        public MessageContext(string queue, System.ReadOnlyMemory<byte> body, System.IServiceProvider services, System.Threading.CancellationToken cancellationToken) { }
        public System.ReadOnlyMemory<byte> Body { get; }
        public System.Threading.CancellationToken CancellationToken { get; }
        public string? ContentEncoding { get; init; }
        public string? ContentType { get; init; }
        public string? CorrelationId { get; init; }
        public System.Collections.Generic.IReadOnlyList<Warren.DeathRecord> Deaths { get; init; }
        public long DeliveryCount { get; init; }
        public ulong DeliveryTag { get; init; }
        public string Exchange { get; init; }
        public System.Collections.Generic.IReadOnlyDictionary<string, string?> Headers { get; init; }
        public string? MessageId { get; init; }
        public string? MessageType { get; init; }
        public byte? Priority { get; init; }
        public string Queue { get; }
        public System.Collections.Generic.IDictionary<string, object?>? RawHeaders { get; init; }
        public bool Redelivered { get; init; }
        public string? ReplyTo { get; init; }
        public int RetryCount { get; init; }
        public string RoutingKey { get; init; }
        public System.IServiceProvider Services { get; }
        public long? StreamOffset { get; init; }
        public System.DateTimeOffset? Timestamp { get; init; }
    }
    public sealed class MessageContract<T>
    {
        public MessageContract(string name, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> typeInfo, string exchange, System.Func<T, string> routingKey, byte? priority = default) { }
        public MessageContract(string name, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> typeInfo, string exchange, string routingKey, byte? priority = default) { }
        public string Exchange { get; }
        public string Name { get; }
        public byte? Priority { get; }
        public string? RoutingKeyTemplate { get; init; }
        public System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> TypeInfo { get; }
        public string RoutingKeyFor(T message) { }
    }
    public static class PayloadFormat
    {
        public const string BinaryContentType = "application/octet-stream";
        public const string JsonContentType = "application/json";
        public const string TextContentType = "text/plain; charset=utf-8";
        public static Warren.PayloadFormat<byte[]> Bytes { get; }
        public static Warren.PayloadFormat<System.ReadOnlyMemory<byte>> Memory { get; }
        public static Warren.PayloadFormat<string> Text { get; }
        public static Warren.PayloadFormat<T> Json<T>(System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> typeInfo) { }
    }
    public abstract class PayloadFormat<T>
    {
        public abstract string ContentType { get; }
        public abstract bool TryRead(System.ReadOnlyMemory<byte> body, string? contentType, string? contentEncoding, out T? value, out string? error);
        public abstract void Write(T value, System.Buffers.IBufferWriter<byte> output);
    }
    [System.AttributeUsage(System.AttributeTargets.Class | System.AttributeTargets.Struct, AllowMultiple=false, Inherited=false)]
    public sealed class PriorityAttribute : System.Attribute
    {
        public PriorityAttribute() { }
        public PriorityAttribute(int value) { }
        public int Max { get; set; }
        public int Value { get; }
    }
    public sealed class PublishBatchException : System.AggregateException
    {
        public PublishBatchException() { }
        public PublishBatchException(string message) { }
        public PublishBatchException(int total, [System.Runtime.CompilerServices.TupleElementNames(new string[] {
                "Index",
                "Error"})] System.Collections.Generic.IReadOnlyList<System.ValueTuple<int, System.Exception>> failures) { }
        public PublishBatchException(string message, System.Exception innerException) { }
        public PublishBatchException(int total, [System.Runtime.CompilerServices.TupleElementNames(new string?[]?[] {
                "Index",
                "Error"})] System.Collections.Generic.IReadOnlyList<System.ValueTuple<int, System.Exception>> failures, System.Exception? interruption) { }
        public int Confirmed { get; }
        public System.Collections.Generic.IReadOnlyList<int> FailedIndexes { get; }
        public System.Exception? Interruption { get; }
        public int Total { get; }
    }
    public sealed class PublishOptions
    {
        public PublishOptions() { }
        public string? ContentType { get; set; }
        public string? CorrelationId { get; set; }
        public System.TimeSpan? Delay { get; set; }
        public System.DateTimeOffset? DeliverAt { get; set; }
        public string? Exchange { get; set; }
        public System.TimeSpan? Expiration { get; set; }
        public System.Collections.Generic.IDictionary<string, object?>? Headers { get; set; }
        public bool Mandatory { get; set; }
        public string? MessageId { get; set; }
        public bool Ordered { get; set; }
        public bool Persistent { get; set; }
        public byte? Priority { get; set; }
        public string? ReplyTo { get; set; }
        public string? RoutingKey { get; set; }
    }
    public sealed class PublishRejectedException : Warren.WarrenPublishException
    {
        public PublishRejectedException() { }
        public PublishRejectedException(string message) { }
        public PublishRejectedException(string message, System.Exception innerException) { }
        public PublishRejectedException(string exchange, string routingKey, System.Exception? innerException = null) { }
    }
    public sealed class PublishTimeoutException : Warren.WarrenPublishException
    {
        public PublishTimeoutException() { }
        public PublishTimeoutException(string message) { }
        public PublishTimeoutException(string message, System.Exception innerException) { }
        public PublishTimeoutException(string exchange, string routingKey, System.TimeSpan timeout, System.Exception? innerException = null) { }
    }
    [System.AttributeUsage(System.AttributeTargets.Interface, AllowMultiple=false, Inherited=false)]
    public sealed class PublisherAttribute : System.Attribute
    {
        public PublisherAttribute() { }
    }
    [System.AttributeUsage(System.AttributeTargets.Class, AllowMultiple=false, Inherited=false)]
    public sealed class QueueAttribute : System.Attribute
    {
        public QueueAttribute(string name) { }
        public bool AutoDelete { get; set; }
        public int Concurrency { get; set; }
        public bool DeadLetterArguments { get; set; }
        public int DeliveryLimit { get; set; }
        public bool Durable { get; set; }
        public bool Exclusive { get; set; }
        public string? HandlerTimeout { get; set; }
        public string? MaxAge { get; set; }
        public int MaxLength { get; set; }
        public long MaxLengthBytes { get; set; }
        public long MaxSegmentSizeBytes { get; set; }
        public string? MessageTtl { get; set; }
        public string Name { get; }
        public Warren.QueueOverflow Overflow { get; set; }
        public int Prefetch { get; set; }
        public bool SingleActiveConsumer { get; set; }
        public Warren.QueueType Type { get; set; }
    }
    public sealed class QueueDeclaration : System.IEquatable<Warren.QueueDeclaration>
    {
        public QueueDeclaration(string Name, bool Durable = true, bool Exclusive = false, bool AutoDelete = false, System.Collections.Generic.IReadOnlyDictionary<string, object?>? Arguments = null) { }
        public System.Collections.Generic.IReadOnlyDictionary<string, object?>? Arguments { get; init; }
        public bool AutoDelete { get; init; }
        public bool Durable { get; init; }
        public bool Exclusive { get; init; }
        public string Name { get; init; }
    }
    public sealed class QueueDepth : System.IEquatable<Warren.QueueDepth>
    {
        public QueueDepth(string Queue, Warren.WarrenQueueKind Kind, bool Exists, long ReadyMessages, long Consumers, System.DateTimeOffset ReadAt) { }
        public long Consumers { get; init; }
        public bool Exists { get; init; }
        public Warren.WarrenQueueKind Kind { get; init; }
        public string Queue { get; init; }
        public System.DateTimeOffset ReadAt { get; init; }
        public long ReadyMessages { get; init; }
    }
    public enum QueueOverflow
    {
        DropHead = 0,
        RejectPublish = 1,
        RejectPublishDlx = 2,
    }
    public enum QueueType
    {
        Classic = 0,
        Quorum = 1,
        Stream = 2,
    }
    public sealed class RemoteRpcException : Warren.RpcException
    {
        public RemoteRpcException() { }
        public RemoteRpcException(string message) { }
        public RemoteRpcException(string message, System.Exception innerException) { }
        public RemoteRpcException(string service, string method, string remoteType, string remoteMessage, string? remoteStackTrace) { }
        public string RemoteMessage { get; }
        public string? RemoteStackTrace { get; }
        public string RemoteType { get; }
    }
    public sealed class RetryPolicy
    {
        public const int DefaultMaxRetries = 3;
        public const string RetriesHeader = "x-warren-retries";
        public RetryPolicy() { }
        public string? DeadLetterExchange { get; init; }
        public string? DeadLetterRoutingKey { get; init; }
        public System.Collections.Generic.IReadOnlyList<System.TimeSpan> Delays { get; init; }
        public int ImmediateRetries { get; init; }
        public bool IsDisabled { get; }
        public System.Func<System.Exception, bool>? IsNonRetryable { get; init; }
        public int MaxRetries { get; init; }
        public int RetryQueueCount { get; }
        public string? RetryQueuePrefix { get; init; }
        public static System.Collections.Generic.IReadOnlyList<System.TimeSpan> DefaultDelays { get; }
        public static Warren.RetryPolicy Disabled { get; }
        public static Warren.RetryPolicy CreateDefault(string queue) { }
        public static Warren.RetryPolicy CreateStreamDefault(string stream) { }
        public static string DeadLetterExchangeName(string queue) { }
        public static string DeadLetterQueueName(string queue) { }
        public static string RetryQueueName(string prefix, int level) { }
    }
    [System.AttributeUsage(System.AttributeTargets.Method, AllowMultiple=false, Inherited=false)]
    public sealed class RpcAttribute : System.Attribute
    {
        public RpcAttribute() { }
        public string? Name { get; set; }
        public string? Timeout { get; set; }
    }
    public class RpcException : System.Exception
    {
        public RpcException() { }
        public RpcException(string message) { }
        public RpcException(string message, System.Exception innerException) { }
        public RpcException(string service, string method, string message, System.Exception? innerException = null) { }
        public string Method { get; }
        public string Service { get; }
    }
    public sealed class RpcNoServerException : Warren.RpcException
    {
        public RpcNoServerException() { }
        public RpcNoServerException(string message) { }
        public RpcNoServerException(string message, System.Exception innerException) { }
        public RpcNoServerException(string service, string method, string queue) { }
    }
    [System.AttributeUsage(System.AttributeTargets.Interface, AllowMultiple=false, Inherited=false)]
    public sealed class RpcServiceAttribute : System.Attribute
    {
        public RpcServiceAttribute(string name) { }
        public int Concurrency { get; set; }
        public bool Durable { get; set; }
        public string Name { get; }
        public int Prefetch { get; set; }
        public string? Queue { get; set; }
        public Warren.QueueType QueueType { get; set; }
        public string? Timeout { get; set; }
    }
    public sealed class RpcTimeoutException : Warren.RpcException
    {
        public RpcTimeoutException() { }
        public RpcTimeoutException(string message) { }
        public RpcTimeoutException(string message, System.Exception innerException) { }
        public RpcTimeoutException(string service, string method, System.TimeSpan elapsed) { }
        public System.TimeSpan Elapsed { get; }
    }
    public sealed class StreamConsumer : System.IEquatable<Warren.StreamConsumer>
    {
        public const string OffsetHeader = "x-stream-offset";
        public StreamConsumer(Warren.StreamOffset Start, bool StoreOffsets = false) { }
        public Warren.StreamOffset Start { get; init; }
        public bool StoreOffsets { get; init; }
    }
    public enum StreamFrom
    {
        Next = 0,
        First = 1,
        Last = 2,
    }
    public readonly struct StreamOffset : System.IEquatable<Warren.StreamOffset>
    {
        public static Warren.StreamOffset First { get; }
        public static Warren.StreamOffset Last { get; }
        public static Warren.StreamOffset Next { get; }
        public override string ToString() { }
        public static Warren.StreamOffset After(System.DateTimeOffset timestamp) { }
        public static Warren.StreamOffset At(long offset) { }
    }
    [System.AttributeUsage(System.AttributeTargets.Class | System.AttributeTargets.Struct | System.AttributeTargets.Method, AllowMultiple=true, Inherited=false)]
    public sealed class TopicAttribute : System.Attribute
    {
        public TopicAttribute(string pattern) { }
        public string Pattern { get; }
    }
    public sealed class Topology
    {
        public Topology() { }
        public System.Collections.Generic.IReadOnlyList<Warren.BindingDeclaration> Bindings { get; }
        public System.Collections.Generic.IReadOnlyList<Warren.ExchangeDeclaration> Exchanges { get; }
        public System.Collections.Generic.IReadOnlyList<Warren.QueueDeclaration> Queues { get; }
        public Warren.Topology Add(Warren.BindingDeclaration binding) { }
        public Warren.Topology Add(Warren.ExchangeDeclaration exchange) { }
        public Warren.Topology Add(Warren.QueueDeclaration queue) { }
        public Warren.Topology Add(Warren.Topology other) { }
    }
    public sealed class TopologyConflictException : System.Exception
    {
        public TopologyConflictException() { }
        public TopologyConflictException(string message) { }
        public TopologyConflictException(string message, System.Exception innerException) { }
    }
    public static class TopologyDocuments
    {
        public static string DefinitionsJson(Warren.Topology topology, string virtualHost = "/") { }
        public static string Mermaid(Warren.Topology topology) { }
    }
    public sealed class UnroutableMessageException : Warren.WarrenPublishException
    {
        public UnroutableMessageException() { }
        public UnroutableMessageException(string message) { }
        public UnroutableMessageException(string message, System.Exception innerException) { }
        public UnroutableMessageException(string exchange, string routingKey, string replyText, System.Exception? innerException = null) { }
    }
    public sealed class WarrenBuilder : Warren.Infrastructure.IRegistrationDepth<Warren.WarrenBuilder>, Warren.Infrastructure.IRegistrationRank<object>
    {
        public Microsoft.Extensions.DependencyInjection.IServiceCollection Services { get; }
        public Warren.WarrenBuilder AddConsumer(Warren.ConsumerDefinition consumer) { }
        public Warren.WarrenBuilder AddContract<T>(Warren.MessageContract<T> contract) { }
        public Warren.WarrenBuilder AddTopology(Warren.Topology topology) { }
        public Warren.WarrenBuilder Configure(System.Action<Warren.WarrenOptions> configure) { }
        public Warren.WarrenBuilder ConfigureConnectionFactory(System.Action<RabbitMQ.Client.ConnectionFactory> configure) { }
    }
    public sealed class WarrenConfigurationException : System.Exception
    {
        public WarrenConfigurationException() { }
        public WarrenConfigurationException(string message) { }
        public WarrenConfigurationException(string message, System.Exception innerException) { }
    }
    public sealed class WarrenConnectionException : System.Exception
    {
        public WarrenConnectionException() { }
        public WarrenConnectionException(string message) { }
        public WarrenConnectionException(string message, System.Exception innerException) { }
    }
    public enum WarrenConnectionState
    {
        NotOpened = 0,
        Open = 1,
        Blocked = 2,
        Recovering = 3,
        Failed = 4,
        Closed = 5,
    }
    public sealed class WarrenConnectionStatus : System.IEquatable<Warren.WarrenConnectionStatus>
    {
        public WarrenConnectionStatus(Warren.ConnectionRole Role, Warren.WarrenConnectionState State, System.DateTimeOffset Since, string? LastError) { }
        public string? LastError { get; init; }
        public Warren.ConnectionRole Role { get; init; }
        public System.DateTimeOffset Since { get; init; }
        public Warren.WarrenConnectionState State { get; init; }
    }
    public sealed class WarrenConnections : System.IAsyncDisposable
    {
        public WarrenConnections(Microsoft.Extensions.Options.IOptions<Warren.WarrenOptions> options, Microsoft.Extensions.Logging.ILogger<Warren.WarrenConnections> logger, Warren.Infrastructure.IConnectionSource? source = null, System.TimeProvider? timeProvider = null) { }
        public bool IsPublishingBlocked { get; }
        public event System.Action<Warren.ConnectionEvent>? ConnectionChanged;
        public System.Threading.Tasks.ValueTask DisposeAsync() { }
        public System.Threading.Tasks.ValueTask<RabbitMQ.Client.IConnection> GetConsumeConnectionAsync(System.Threading.CancellationToken cancellationToken = default) { }
        public System.Threading.Tasks.ValueTask<RabbitMQ.Client.IConnection> GetPublishConnectionAsync(System.Threading.CancellationToken cancellationToken = default) { }
        public Warren.WarrenConnectionStatus GetStatus(Warren.ConnectionRole role) { }
    }
    public sealed class WarrenConsumers
    {
        public WarrenConsumers() { }
        public bool AllRunning { get; }
        public System.Collections.Generic.IReadOnlyList<Warren.ConsumerStatus> Statuses { get; }
        public Warren.ConsumerStatus? Get(string queue) { }
    }
    public static class WarrenDiagnostics
    {
        public const string ActivitySourceName = "Warren";
        public const string MeterName = "Warren";
    }
    public sealed class WarrenHealthCheckOptions
    {
        public WarrenHealthCheckOptions() { }
        public System.TimeSpan LivenessGracePeriod { get; set; }
        public string LivenessTag { get; set; }
        public long? MaxDeadLetterMessages { get; set; }
        public long? MaxReadyMessages { get; set; }
        public Microsoft.Extensions.Diagnostics.HealthChecks.HealthStatus QueueDepthFailureStatus { get; set; }
        public System.Collections.Generic.IDictionary<string, long> QueueThresholds { get; }
        public string ReadinessTag { get; set; }
        public System.TimeSpan StalledStartPeriod { get; set; }
    }
    public static class WarrenHostApplicationBuilderExtensions
    {
        public static Warren.WarrenBuilder AddWarren(this Microsoft.Extensions.Hosting.IHostApplicationBuilder builder, string? connectionName = null, System.Action<Warren.WarrenOptions>? configure = null) { }
    }
    public sealed class WarrenMonitoringOptions
    {
        public const string SectionName = "Warren:Monitoring";
        public WarrenMonitoringOptions() { }
        public System.Collections.Generic.IDictionary<string, long> BacklogThresholds { get; }
        public System.TimeSpan BacklogWarningRepeat { get; set; }
        public long? BacklogWarningThreshold { get; set; }
        public System.TimeSpan QueueDepthInterval { get; set; }
        public System.Collections.Generic.IList<string> Queues { get; }
    }
    public sealed class WarrenOptions
    {
        public const string SectionName = "Warren";
        public const string UrlEnvironmentVariable = "RABBITMQ_URL";
        public WarrenOptions() { }
        public string ClientName { get; set; }
        public int Concurrency { get; set; }
        public System.TimeSpan ConnectTimeout { get; set; }
        public System.TimeSpan ConsumerRestartDelay { get; set; }
        public bool DelayRelay { get; set; }
        public System.TimeSpan Heartbeat { get; set; }
        public System.Collections.Generic.IList<string> Hosts { get; }
        public int MaxInFlightPublishes { get; set; }
        public int MaxMessageSize { get; set; }
        public System.TimeSpan NetworkRecoveryInterval { get; set; }
        public string? Password { get; set; }
        public ushort Prefetch { get; set; }
        public int PublishChannels { get; set; }
        public System.TimeSpan PublishTimeout { get; set; }
        public System.TimeSpan RequeueDelay { get; set; }
        public bool RpcIncludeStackTraces { get; set; }
        public System.TimeSpan ShutdownTimeout { get; set; }
        public Warren.WarrenStartMode StartMode { get; set; }
        public System.TimeSpan StreamOffsetSaveInterval { get; set; }
        public string? Url { get; set; }
        public string? UserName { get; set; }
        public string? VirtualHost { get; set; }
    }
    public class WarrenPublishException : System.Exception
    {
        public WarrenPublishException() { }
        public WarrenPublishException(string message) { }
        public WarrenPublishException(string message, System.Exception innerException) { }
        public WarrenPublishException(string message, string exchange, string routingKey, System.Exception? innerException = null) { }
        public string Exchange { get; }
        public string RoutingKey { get; }
    }
    public enum WarrenQueueKind
    {
        Work = 0,
        DeadLetter = 1,
    }
    public sealed class WarrenQueueMonitor
    {
        public WarrenQueueMonitor(Warren.WarrenConnections connections, Microsoft.Extensions.Options.IOptions<Warren.WarrenMonitoringOptions> options, Microsoft.Extensions.Logging.ILogger<Warren.WarrenQueueMonitor> logger) { }
        public System.Collections.Generic.IReadOnlyList<Warren.QueueDepth> Depths { get; }
        public System.Collections.Generic.IReadOnlyCollection<string> WatchedQueues { get; }
        public System.Threading.Tasks.Task<Warren.QueueDepth> GetDepthAsync(string queue, System.Threading.CancellationToken cancellationToken = default) { }
    }
    public static class WarrenServiceCollectionExtensions
    {
        public static Warren.WarrenBuilder AddWarren(this Microsoft.Extensions.DependencyInjection.IServiceCollection services, System.Action<Warren.WarrenOptions>? configure = null) { }
        public static Warren.WarrenBuilder AddWarren(this Microsoft.Extensions.DependencyInjection.IServiceCollection services, Microsoft.Extensions.Configuration.IConfiguration configuration, string? connectionName = null) { }
    }
    public enum WarrenStartMode
    {
        FailFast = 0,
        Background = 1,
    }
    public sealed class WarrenStartup
    {
        public WarrenStartup() { }
        public bool IsReady { get; }
        public string? LastError { get; }
        public System.DateTimeOffset? LastErrorAt { get; }
        public Warren.WarrenStartupState State { get; }
        public System.Threading.Tasks.Task WaitUntilReadyAsync(System.Threading.CancellationToken cancellationToken = default) { }
    }
    public enum WarrenStartupState
    {
        NotStarted = 0,
        Starting = 1,
        Ready = 2,
        Stopped = 3,
    }
    public static class WarrenTls
    {
        public static System.Net.Security.RemoteCertificateValidationCallback TrustAuthority(System.Security.Cryptography.X509Certificates.X509Certificate2 authority) { }
    }
}
namespace Warren.Infrastructure
{
    public enum DispatchAction
    {
        Ack = 0,
        Requeue = 1,
        DeadLetter = 2,
    }
    public readonly struct DispatchOutcome : System.IEquatable<Warren.Infrastructure.DispatchOutcome>
    {
        public Warren.Infrastructure.DispatchAction Action { get; }
        public System.Exception? Exception { get; }
        public Warren.RetryPolicy? Policy { get; }
        public string? Reason { get; }
        public static Warren.Infrastructure.DispatchOutcome Ack { get; }
        public static Warren.Infrastructure.DispatchOutcome DeadLetter(string reason, System.Exception? exception = null) { }
        public static Warren.Infrastructure.DispatchOutcome Failed(string reason, System.Exception exception, Warren.RetryPolicy? policy) { }
        public static Warren.Infrastructure.DispatchOutcome Requeue(string reason, System.Exception? exception = null) { }
    }
    public abstract class HandlerDispatcher : Warren.Infrastructure.IMessageDispatcher, Warren.Infrastructure.IReleasesMessageContext
    {
        public int? Concurrency { get; init; }
        public string Contract { get; }
        public ushort? Prefetch { get; init; }
        public string Queue { get; }
        public abstract System.Text.Json.Serialization.Metadata.JsonTypeInfo TypeInfo { get; }
        public abstract void AddHandlerTo(Microsoft.Extensions.DependencyInjection.IServiceCollection services);
        public abstract System.Threading.Tasks.ValueTask<Warren.Infrastructure.DispatchOutcome> DispatchAsync(Warren.MessageContext context);
    }
    public sealed class HandlerDispatcher<[System.Diagnostics.CodeAnalysis.DynamicallyAccessedMembers(System.Diagnostics.CodeAnalysis.DynamicallyAccessedMemberTypes.PublicConstructors)]  THandler, TMessage> : Warren.Infrastructure.HandlerDispatcher
        where THandler :  class
    {
        public HandlerDispatcher(string queue, string contract, System.Text.Json.Serialization.JsonSerializerContext json, System.Func<THandler, TMessage, Warren.MessageContext, System.Threading.Tasks.Task> handle, params Warren.Infrastructure.RoutingBinding[] bindings) { }
        public HandlerDispatcher(string queue, string contract, System.Text.Json.Serialization.JsonSerializerContext json, int index, System.Func<int, object, object, Warren.MessageContext, System.Threading.Tasks.Task> handlers, params Warren.Infrastructure.RoutingBinding[] bindings) { }
        public override System.Text.Json.Serialization.Metadata.JsonTypeInfo TypeInfo { get; }
        public override void AddHandlerTo(Microsoft.Extensions.DependencyInjection.IServiceCollection services) { }
        public override System.Threading.Tasks.ValueTask<Warren.Infrastructure.DispatchOutcome> DispatchAsync(Warren.MessageContext context) { }
    }
    public interface IConnectionSource
    {
        System.Threading.Tasks.Task<RabbitMQ.Client.IConnection> ConnectAsync(Warren.ConnectionRole role, string clientName, System.Threading.CancellationToken cancellationToken);
    }
    public interface IMessageDispatcher
    {
        System.Threading.Tasks.ValueTask<Warren.Infrastructure.DispatchOutcome> DispatchAsync(Warren.MessageContext context);
    }
    public interface IRegistrationDepth<out T> { }
    public interface IRegistrationRank<in T> { }
    public interface IReleasesMessageContext : Warren.Infrastructure.IMessageDispatcher { }
    public static class JsonMetadata
    {
        public static System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> Of<T>(System.Text.Json.Serialization.JsonSerializerContext context) { }
    }
    public sealed class MessageContracts
    {
        public MessageContracts() { }
        public Warren.MessageContract<T>? Find<T>() { }
        public Warren.MessageContract<T> Get<T>() { }
        public void Register<T>(Warren.MessageContract<T> contract) { }
    }
    public static class MessageDispatcher
    {
        public static Warren.Infrastructure.IMessageDispatcher Create<T>(System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> typeInfo, System.Func<T, Warren.MessageContext, System.Threading.Tasks.ValueTask> handler) { }
        public static Warren.Infrastructure.IMessageDispatcher Create<T>(Warren.PayloadFormat<T> format, System.Func<T, Warren.MessageContext, System.Threading.Tasks.ValueTask> handler) { }
        public static bool TryDeserialize<T>(Warren.MessageContext context, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> typeInfo, out T? message, out string? error) { }
        public static bool TryRead<T>(Warren.MessageContext context, Warren.PayloadFormat<T> format, out T? message, out string? error) { }
    }
    public sealed class PlaceholderRoutingKey<T>
    {
        public PlaceholderRoutingKey(string template, System.Func<T, string?> word) { }
        public PlaceholderRoutingKey(string template, int index, System.Func<int, object, string?> words) { }
        public string For(T message) { }
    }
    public sealed class PublishRoute
    {
        public PublishRoute(string routingKeyTemplate) { }
        public string RoutingKeyTemplate { get; }
    }
    public sealed class RoutingBinding
    {
        public string Exchange { get; }
        public bool Matches(string exchange, string key) { }
        public static Warren.Infrastructure.RoutingBinding Direct(string exchange, string key) { }
        public static Warren.Infrastructure.RoutingBinding Fanout(string exchange) { }
        public static Warren.Infrastructure.RoutingBinding Topic(string exchange, string pattern) { }
    }
    public static class RoutingKeyCache
    {
        public static string Get<TValues>(ref object? slot, TValues values, System.Func<TValues, string> build) { }
    }
    public static class RoutingKeys
    {
        public static bool AnyWord(string key, ref int position) { }
        public static bool AtEnd(int position) { }
        public static bool HasHeader(Warren.MessageContext context, string name, string value) { }
        [return: System.Runtime.CompilerServices.TupleElementNames(new string[] {
                "Exchange",
                "RoutingKey"})]
        public static System.ValueTuple<string, string> Published(Warren.MessageContext context) { }
        public static string Segment(object? value, string property, string messageType) { }
        public static string Segment(string? value, string property, string messageType) { }
        public static string Segment<T>(T value, string property, string messageType)
            where T :  struct, System.IFormattable { }
        public static int Start(string key) { }
        public static bool Word(string key, ref int position, string word) { }
    }
    public sealed class RpcClient : System.IAsyncDisposable
    {
        public RpcClient(Warren.WarrenConnections connections, Microsoft.Extensions.Logging.ILogger<Warren.Infrastructure.RpcClient> logger, Warren.Infrastructure.WarrenMetrics metrics) { }
        public int PendingCalls { get; }
        public System.Threading.Tasks.Task CallAsync<TRequest>(string service, string queue, string method, TRequest request, System.Text.Json.Serialization.Metadata.JsonTypeInfo<TRequest> requestInfo, System.TimeSpan timeout, System.Threading.CancellationToken cancellationToken = default) { }
        public System.Threading.Tasks.Task CallAsync<TRequest>(string service, string queue, string method, TRequest request, Warren.PayloadFormat<TRequest> requestFormat, System.TimeSpan timeout, System.Threading.CancellationToken cancellationToken = default) { }
        public System.Threading.Tasks.Task<TResponse> CallAsync<TRequest, TResponse>(string service, string queue, string method, TRequest request, System.Text.Json.Serialization.Metadata.JsonTypeInfo<TRequest> requestInfo, System.Text.Json.Serialization.Metadata.JsonTypeInfo<TResponse> responseInfo, System.TimeSpan timeout, System.Threading.CancellationToken cancellationToken = default) { }
        public System.Threading.Tasks.Task<TResponse> CallAsync<TRequest, TResponse>(string service, string queue, string method, TRequest request, Warren.PayloadFormat<TRequest> requestFormat, Warren.PayloadFormat<TResponse> responseFormat, System.TimeSpan timeout, System.Threading.CancellationToken cancellationToken = default) { }
        public System.Threading.Tasks.ValueTask DisposeAsync() { }
    }
    public sealed class RpcFault : System.IEquatable<Warren.Infrastructure.RpcFault>
    {
        public RpcFault(string Type, string Message, string? StackTrace) { }
        public string Message { get; init; }
        public string? StackTrace { get; init; }
        public string Type { get; init; }
    }
    public sealed class RpcServer : System.IAsyncDisposable
    {
        public RpcServer(Warren.WarrenConnections connections, Microsoft.Extensions.Options.IOptions<Warren.WarrenOptions> options, Microsoft.Extensions.Logging.ILogger<Warren.Infrastructure.RpcServer> logger, Warren.Infrastructure.WarrenMetrics metrics) { }
        public System.Threading.Tasks.ValueTask DisposeAsync() { }
        public static System.Threading.Tasks.ValueTask<Warren.Infrastructure.DispatchOutcome> ServeAsync<TRequest, TResponse>(Warren.MessageContext context, System.Text.Json.Serialization.Metadata.JsonTypeInfo<TRequest> requestInfo, System.Text.Json.Serialization.Metadata.JsonTypeInfo<TResponse> responseInfo, System.Func<Warren.MessageContext, TRequest, System.Threading.CancellationToken, System.Threading.Tasks.Task<TResponse>> method) { }
        public static System.Threading.Tasks.ValueTask<Warren.Infrastructure.DispatchOutcome> ServeAsync<TRequest, TResponse>(Warren.MessageContext context, Warren.PayloadFormat<TRequest> requestFormat, Warren.PayloadFormat<TResponse> responseFormat, System.Func<Warren.MessageContext, TRequest, System.Threading.CancellationToken, System.Threading.Tasks.Task<TResponse>> method) { }
        public static System.Threading.Tasks.ValueTask<Warren.Infrastructure.DispatchOutcome> ServeAsync<TRequest, TResponse>(Warren.MessageContext context, System.Text.Json.Serialization.Metadata.JsonTypeInfo<TRequest> requestInfo, System.Text.Json.Serialization.Metadata.JsonTypeInfo<TResponse> responseInfo, System.Func<Warren.MessageContext, TRequest, System.Threading.CancellationToken, System.Threading.Tasks.Task<TResponse>> method, string service, string methodName) { }
        public static System.Threading.Tasks.ValueTask<Warren.Infrastructure.DispatchOutcome> ServeAsync<TRequest, TResponse>(Warren.MessageContext context, Warren.PayloadFormat<TRequest> requestFormat, Warren.PayloadFormat<TResponse> responseFormat, System.Func<Warren.MessageContext, TRequest, System.Threading.CancellationToken, System.Threading.Tasks.Task<TResponse>> method, string service, string methodName) { }
        public static System.Threading.Tasks.ValueTask<Warren.Infrastructure.DispatchOutcome> ServeCommandAsync<TRequest>(Warren.MessageContext context, System.Text.Json.Serialization.Metadata.JsonTypeInfo<TRequest> requestInfo, System.Func<Warren.MessageContext, TRequest, System.Threading.CancellationToken, System.Threading.Tasks.Task> method) { }
        public static System.Threading.Tasks.ValueTask<Warren.Infrastructure.DispatchOutcome> ServeCommandAsync<TRequest>(Warren.MessageContext context, Warren.PayloadFormat<TRequest> requestFormat, System.Func<Warren.MessageContext, TRequest, System.Threading.CancellationToken, System.Threading.Tasks.Task> method) { }
        public static System.Threading.Tasks.ValueTask<Warren.Infrastructure.DispatchOutcome> ServeCommandAsync<TRequest>(Warren.MessageContext context, System.Text.Json.Serialization.Metadata.JsonTypeInfo<TRequest> requestInfo, System.Func<Warren.MessageContext, TRequest, System.Threading.CancellationToken, System.Threading.Tasks.Task> method, string service, string methodName) { }
        public static System.Threading.Tasks.ValueTask<Warren.Infrastructure.DispatchOutcome> ServeCommandAsync<TRequest>(Warren.MessageContext context, Warren.PayloadFormat<TRequest> requestFormat, System.Func<Warren.MessageContext, TRequest, System.Threading.CancellationToken, System.Threading.Tasks.Task> method, string service, string methodName) { }
        public static System.Threading.Tasks.ValueTask<Warren.Infrastructure.DispatchOutcome> ServeValueAsync<TRequest, TResponse>(Warren.MessageContext context, System.Text.Json.Serialization.Metadata.JsonTypeInfo<TRequest> requestInfo, System.Text.Json.Serialization.Metadata.JsonTypeInfo<TResponse> responseInfo, System.Func<Warren.MessageContext, TRequest, System.Threading.CancellationToken, System.Threading.Tasks.ValueTask<TResponse>> method) { }
        public static System.Threading.Tasks.ValueTask<Warren.Infrastructure.DispatchOutcome> ServeValueAsync<TRequest, TResponse>(Warren.MessageContext context, Warren.PayloadFormat<TRequest> requestFormat, Warren.PayloadFormat<TResponse> responseFormat, System.Func<Warren.MessageContext, TRequest, System.Threading.CancellationToken, System.Threading.Tasks.ValueTask<TResponse>> method) { }
        public static System.Threading.Tasks.ValueTask<Warren.Infrastructure.DispatchOutcome> ServeValueAsync<TRequest, TResponse>(Warren.MessageContext context, System.Text.Json.Serialization.Metadata.JsonTypeInfo<TRequest> requestInfo, System.Text.Json.Serialization.Metadata.JsonTypeInfo<TResponse> responseInfo, System.Func<Warren.MessageContext, TRequest, System.Threading.CancellationToken, System.Threading.Tasks.ValueTask<TResponse>> method, string service, string methodName) { }
        public static System.Threading.Tasks.ValueTask<Warren.Infrastructure.DispatchOutcome> ServeValueAsync<TRequest, TResponse>(Warren.MessageContext context, Warren.PayloadFormat<TRequest> requestFormat, Warren.PayloadFormat<TResponse> responseFormat, System.Func<Warren.MessageContext, TRequest, System.Threading.CancellationToken, System.Threading.Tasks.ValueTask<TResponse>> method, string service, string methodName) { }
        public static System.Threading.Tasks.ValueTask<Warren.Infrastructure.DispatchOutcome> ServeValueCommandAsync<TRequest>(Warren.MessageContext context, System.Text.Json.Serialization.Metadata.JsonTypeInfo<TRequest> requestInfo, System.Func<Warren.MessageContext, TRequest, System.Threading.CancellationToken, System.Threading.Tasks.ValueTask> method) { }
        public static System.Threading.Tasks.ValueTask<Warren.Infrastructure.DispatchOutcome> ServeValueCommandAsync<TRequest>(Warren.MessageContext context, Warren.PayloadFormat<TRequest> requestFormat, System.Func<Warren.MessageContext, TRequest, System.Threading.CancellationToken, System.Threading.Tasks.ValueTask> method) { }
        public static System.Threading.Tasks.ValueTask<Warren.Infrastructure.DispatchOutcome> ServeValueCommandAsync<TRequest>(Warren.MessageContext context, System.Text.Json.Serialization.Metadata.JsonTypeInfo<TRequest> requestInfo, System.Func<Warren.MessageContext, TRequest, System.Threading.CancellationToken, System.Threading.Tasks.ValueTask> method, string service, string methodName) { }
        public static System.Threading.Tasks.ValueTask<Warren.Infrastructure.DispatchOutcome> ServeValueCommandAsync<TRequest>(Warren.MessageContext context, Warren.PayloadFormat<TRequest> requestFormat, System.Func<Warren.MessageContext, TRequest, System.Threading.CancellationToken, System.Threading.Tasks.ValueTask> method, string service, string methodName) { }
        public static System.Threading.Tasks.ValueTask<Warren.Infrastructure.DispatchOutcome> UnknownMethodAsync(Warren.MessageContext context, string service) { }
        public static System.Threading.Tasks.ValueTask<Warren.Infrastructure.DispatchOutcome> UnknownMethodAsync(Warren.MessageContext context, string service, System.Collections.Generic.IReadOnlyList<string> methods) { }
    }
    public static class RpcWire
    {
        public const string DirectReplyTo = "amq.rabbitmq.reply-to";
        public const string Fault = "fault";
        public const string FaultType = "warren.rpc.fault";
        public const string Ok = "ok";
        public const string StatusHeader = "x-rpc-status";
    }
    public static class TopologyDeclarer
    {
        public static System.Threading.Tasks.Task DeclareAsync(RabbitMQ.Client.IConnection connection, Warren.Topology topology, System.Threading.CancellationToken cancellationToken = default) { }
    }
    public static class WarrenDispatch
    {
        public static System.Threading.Tasks.ValueTask<Warren.Infrastructure.DispatchOutcome> Acknowledged { get; }
        public static System.Threading.Tasks.ValueTask<Warren.Infrastructure.DispatchOutcome> AckWhenDone(System.Threading.Tasks.Task handler) { }
        public static System.Threading.Tasks.ValueTask<Warren.Infrastructure.DispatchOutcome> AckWhenDone(System.Threading.Tasks.ValueTask handler) { }
        public static System.Threading.Tasks.ValueTask<Warren.Infrastructure.DispatchOutcome> AckWhenDone(System.Threading.Tasks.Task handler, Warren.RetryPolicy policy) { }
        public static System.Threading.Tasks.ValueTask<Warren.Infrastructure.DispatchOutcome> AckWhenDone(System.Threading.Tasks.ValueTask handler, Warren.RetryPolicy policy) { }
        public static System.Threading.Tasks.ValueTask<Warren.Infrastructure.DispatchOutcome> DeadLetter(string reason) { }
        public static System.Threading.Tasks.ValueTask<Warren.Infrastructure.DispatchOutcome> Failed(System.Exception exception, Warren.RetryPolicy policy) { }
        public static T Handler<T>(Warren.MessageContext context)
            where T :  notnull { }
        public static System.Threading.Tasks.ValueTask<Warren.Infrastructure.DispatchOutcome> NoHandler(Warren.MessageContext context, string queue, string exchange, string key) { }
        public static Warren.MessageContext Shared(Warren.MessageContext context) { }
    }
    public sealed class WarrenMetrics : System.IDisposable
    {
        public void Dispose() { }
    }
    [System.AttributeUsage(System.AttributeTargets.Assembly, AllowMultiple=false, Inherited=false)]
    public sealed class WarrenModuleAttribute : System.Attribute
    {
        public WarrenModuleAttribute(System.Type registration) { }
        public System.Type Registration { get; }
    }
    public static class WarrenPublishing
    {
        public static System.Threading.Tasks.ValueTask PublishAsync<T>(Warren.IPublisher publisher, T message, string routingKey, Warren.Infrastructure.PublishRoute route, Warren.PublishOptions? options, System.Threading.CancellationToken cancellationToken) { }
    }
    public static class WithoutJsonMetadata
    {
        public static Warren.MessageContract<T> Contract<T>(string name, string exchange, string routingKey, byte? priority = default) { }
        public static Warren.MessageContract<T> Contract<T>(string name, string exchange, System.Func<T, string> routingKey, string? template, byte? priority = default) { }
    }
}
