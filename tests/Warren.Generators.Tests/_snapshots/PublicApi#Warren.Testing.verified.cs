namespace Warren.Testing
{
    public sealed class BrokerActivity : System.IEquatable<Warren.Testing.BrokerActivity>
    {
        public BrokerActivity(System.Collections.Generic.IReadOnlyList<string> Active, System.Collections.Generic.IReadOnlyList<string> Unsettled) { }
        public System.Collections.Generic.IReadOnlyList<string> Active { get; init; }
        public bool IsQuiet { get; }
        public System.Collections.Generic.IReadOnlyList<string> Unsettled { get; init; }
    }
    public sealed class BrokerEvent : System.IEquatable<Warren.Testing.BrokerEvent>
    {
        public BrokerEvent() { }
        public required System.DateTimeOffset At { get; init; }
        public int Channel { get; init; }
        public string? Connection { get; init; }
        public string? ConsumerTag { get; init; }
        public ulong DeliveryTag { get; init; }
        public string? Detail { get; init; }
        public required Warren.Testing.BrokerEventKind Kind { get; init; }
        public Warren.Testing.BrokerMessage? Message { get; init; }
        public string? Queue { get; init; }
        public System.Collections.Generic.IReadOnlyList<string> Queues { get; init; }
        public bool Redelivered { get; init; }
        public required long Sequence { get; init; }
    }
    public enum BrokerEventKind
    {
        Published = 0,
        Returned = 1,
        Refused = 2,
        Nacked = 3,
        Delivered = 4,
        Acked = 5,
        Requeued = 6,
        Discarded = 7,
        DeadLettered = 8,
        Expired = 9,
        Dropped = 10,
        ChannelClosed = 11,
        ConsumerCancelled = 12,
    }
    public sealed class BrokerMessage
    {
        public System.ReadOnlyMemory<byte> Body { get; }
        public string BodyText { get; }
        public string Exchange { get; }
        public long Id { get; }
        public string? MessageId { get; }
        public long OriginId { get; }
        public RabbitMQ.Client.IReadOnlyBasicProperties Properties { get; }
        public string RoutingKey { get; }
        public string? Type { get; }
        public string? Header(string name) { }
    }
    public sealed class InMemoryBroker : Warren.Infrastructure.IConnectionSource
    {
        public const string VirtualHost = "/";
        public InMemoryBroker(System.TimeProvider? time = null) { }
        public System.Collections.Generic.IReadOnlyList<string> ExchangeNames { get; }
        public System.Collections.Generic.IReadOnlyList<Warren.Testing.BrokerEvent> Journal { get; }
        public long LastSequence { get; }
        public System.Collections.Generic.IReadOnlyList<string> QueueNames { get; }
        public bool RefuseConnections { get; set; }
        public System.TimeProvider Time { get; }
        public event System.Action<Warren.Testing.BrokerEvent>? EventRecorded;
        public RabbitMQ.Client.IConnection Connect(string? clientName = null) { }
        public int ConsumerCount(string queue) { }
        public bool ExchangeExists(string exchange) { }
        public Warren.Testing.BrokerActivity GetActivity() { }
        public System.Collections.Generic.IReadOnlyList<Warren.Testing.BrokerEvent> JournalSince(long sequence) { }
        public int MessageCount(string queue) { }
        public System.Collections.Generic.IReadOnlyList<Warren.Testing.BrokerMessage> Peek(string queue) { }
        public bool QueueExists(string queue) { }
        public System.Threading.Tasks.Task WaitForChangeAsync(System.Threading.CancellationToken cancellationToken = default) { }
    }
    public class MessageFlow
    {
        public System.Collections.Generic.IReadOnlyList<Warren.Testing.TrackedMessage> Consumed { get; }
        public System.Collections.Generic.IReadOnlyList<Warren.Testing.TrackedMessage> DeadLettered { get; }
        public System.Collections.Generic.IReadOnlyList<string> Logs { get; }
        public System.Collections.Generic.IReadOnlyList<Warren.Testing.TrackedMessage> Lost { get; }
        public System.Collections.Generic.IReadOnlyList<Warren.Testing.TrackedMessage> Published { get; }
        public System.Collections.Generic.IReadOnlyList<Warren.Testing.TrackedMessage> Refused { get; }
        public System.Collections.Generic.IReadOnlyList<Warren.Testing.TrackedMessage> Retried { get; }
        public System.Collections.Generic.IReadOnlyList<Warren.Testing.TrackedMessage> Returned { get; }
        public System.Collections.Generic.IReadOnlyList<Warren.Testing.TrackedRpcCall> RpcCalls { get; }
        public System.Collections.Generic.IReadOnlyList<Warren.Testing.BrokerEvent> Steps { get; }
        public System.Collections.Generic.IReadOnlyList<T> ConsumedOf<T>(string? queue = null) { }
        public System.Collections.Generic.IReadOnlyList<Warren.Testing.TrackedMessage> DeadLetteredOf<T>() { }
        public string Describe() { }
        public System.Collections.Generic.IReadOnlyList<T> PublishedOf<T>() { }
        public System.Collections.Generic.IReadOnlyList<Warren.Testing.TrackedMessage> RetriedOf<T>() { }
        public override string ToString() { }
    }
    public sealed class TrackedMessage
    {
        public System.ReadOnlyMemory<byte> Body { get; }
        public string BodyText { get; }
        public string? ContentType { get; }
        public string Exchange { get; }
        public Warren.Testing.BrokerMessage Message { get; }
        public string? MessageId { get; }
        public string? Queue { get; }
        public System.Collections.Generic.IReadOnlyList<string> Queues { get; }
        public string? Reason { get; }
        public int RetryCount { get; }
        public string RoutingKey { get; }
        public Warren.Testing.BrokerEvent Step { get; }
        public string? Type { get; }
        public T As<T>() { }
        public string? Header(string name) { }
        public bool Is<T>() { }
        public override string ToString() { }
    }
    public sealed class TrackedRpcCall
    {
        public Warren.Infrastructure.RpcFault? Fault { get; }
        public bool IsFault { get; }
        public string? Method { get; }
        public Warren.Testing.TrackedMessage? ReplyMessage { get; }
        public Warren.Testing.TrackedMessage RequestMessage { get; }
        public string RoutingKey { get; }
        public bool WasReturned { get; }
        public T Reply<T>() { }
        public T Request<T>() { }
    }
    public sealed class TrackedRun : System.IEquatable<Warren.Testing.TrackedRun>
    {
        public TrackedRun(Warren.Testing.TrackedSession Session, System.Exception? Exception) { }
        public System.Exception? Exception { get; init; }
        public Warren.Testing.TrackedSession Session { get; init; }
    }
    public class TrackedSession : Warren.Testing.MessageFlow
    {
        public T AssertConsumed<T>(System.Func<T, bool>? where = null, string? queue = null) { }
        public void AssertConsumedCount<T>(int count, string? queue = null) { }
        public Warren.Testing.TrackedMessage AssertDeadLettered<T>(string? reasonContains = null, string? queue = null) { }
        public void AssertNoFailures() { }
        public void AssertNotConsumed<T>(System.Func<T, bool>? where = null) { }
        public void AssertNotPublished<T>(System.Func<T, bool>? where = null) { }
        public T AssertPublished<T>(System.Func<T, bool>? where = null) { }
        public System.Collections.Generic.IReadOnlyList<Warren.Testing.TrackedMessage> AssertRetried<T>(int? times = default) { }
        public Warren.Testing.TrackedMessage AssertReturned<T>() { }
        public Warren.Testing.TrackedRpcCall AssertRpcCall(string method) { }
        public Warren.Testing.WarrenAssertionException Fail(string message) { }
    }
    public sealed class TrackedSession<TResult> : Warren.Testing.TrackedSession
    {
        public TResult Result { get; }
    }
    public sealed class VirtualClock : System.TimeProvider
    {
        public VirtualClock(System.DateTimeOffset? start = default) { }
        public System.DateTimeOffset? NextDue { get; }
        public int PendingTimers { get; }
        public override long TimestampFrequency { get; }
        public event System.Action<System.DateTimeOffset>? Advanced;
        public void Advance(System.TimeSpan by) { }
        public void AdvanceTo(System.DateTimeOffset target) { }
        public bool AdvanceToNextTimer(System.DateTimeOffset? limit = default) { }
        public override System.Threading.ITimer CreateTimer(System.Threading.TimerCallback callback, object? state, System.TimeSpan dueTime, System.TimeSpan period) { }
        public override long GetTimestamp() { }
        public override System.DateTimeOffset GetUtcNow() { }
    }
    public sealed class WarrenAssertionException : System.Exception
    {
        public WarrenAssertionException() { }
        public WarrenAssertionException(string message) { }
        public WarrenAssertionException(string message, System.Exception innerException) { }
    }
    public sealed class WarrenHarnessTimeoutException : System.TimeoutException
    {
        public WarrenHarnessTimeoutException() { }
        public WarrenHarnessTimeoutException(string message) { }
        public WarrenHarnessTimeoutException(string message, System.Exception innerException) { }
    }
    public sealed class WarrenTestHarness : System.IAsyncDisposable
    {
        public WarrenTestHarness(Warren.Testing.InMemoryBroker broker, System.TimeProvider time, System.IServiceProvider services, Microsoft.Extensions.Options.IOptions<Warren.Testing.WarrenTestHarnessOptions> options) { }
        public Warren.Testing.InMemoryBroker Broker { get; }
        public Warren.Testing.VirtualClock? Clock { get; }
        public Warren.Testing.MessageFlow History { get; }
        public System.IServiceProvider Services { get; }
        public System.TimeProvider Time { get; }
        public System.Threading.Tasks.ValueTask DisposeAsync() { }
        public System.Threading.Tasks.Task<Warren.Testing.TrackedSession> PublishAsync<T>(T message, Warren.PublishOptions? options = null, System.TimeSpan? timeout = default) { }
        [System.Runtime.CompilerServices.OverloadResolutionPriority(1)]
        public System.Threading.Tasks.Task<Warren.Testing.TrackedSession> RunAsync(System.Func<System.Threading.Tasks.Task> action, System.TimeSpan? timeout = default) { }
        public System.Threading.Tasks.Task<Warren.Testing.TrackedSession> RunAsync(System.Func<System.Threading.Tasks.ValueTask> action, System.TimeSpan? timeout = default) { }
        [System.Runtime.CompilerServices.OverloadResolutionPriority(1)]
        public System.Threading.Tasks.Task<Warren.Testing.TrackedSession<TResult>> RunAsync<TResult>(System.Func<System.Threading.Tasks.Task<TResult>> action, System.TimeSpan? timeout = default) { }
        public System.Threading.Tasks.Task<Warren.Testing.TrackedSession<TResult>> RunAsync<TResult>(System.Func<System.Threading.Tasks.ValueTask<TResult>> action, System.TimeSpan? timeout = default) { }
        [System.Runtime.CompilerServices.OverloadResolutionPriority(1)]
        public System.Threading.Tasks.Task<Warren.Testing.TrackedSession> RunAsync<TService>(System.Func<TService, System.Threading.Tasks.Task> action, System.TimeSpan? timeout = default)
            where TService :  notnull { }
        public System.Threading.Tasks.Task<Warren.Testing.TrackedSession> RunAsync<TService>(System.Func<TService, System.Threading.Tasks.ValueTask> action, System.TimeSpan? timeout = default)
            where TService :  notnull { }
        [System.Runtime.CompilerServices.OverloadResolutionPriority(1)]
        public System.Threading.Tasks.Task<Warren.Testing.TrackedSession<TResult>> RunAsync<TService, TResult>(System.Func<TService, System.Threading.Tasks.Task<TResult>> action, System.TimeSpan? timeout = default)
            where TService :  notnull { }
        public System.Threading.Tasks.Task<Warren.Testing.TrackedSession<TResult>> RunAsync<TService, TResult>(System.Func<TService, System.Threading.Tasks.ValueTask<TResult>> action, System.TimeSpan? timeout = default)
            where TService :  notnull { }
        [System.Runtime.CompilerServices.OverloadResolutionPriority(1)]
        public System.Threading.Tasks.Task<Warren.Testing.TrackedRun> TryRunAsync(System.Func<System.Threading.Tasks.Task> action, System.TimeSpan? timeout = default) { }
        public System.Threading.Tasks.Task<Warren.Testing.TrackedRun> TryRunAsync(System.Func<System.Threading.Tasks.ValueTask> action, System.TimeSpan? timeout = default) { }
        public System.Threading.Tasks.Task<Warren.Testing.TrackedSession> WaitForQuietAsync(System.TimeSpan? timeout = default) { }
        public System.Threading.Tasks.Task<Warren.Testing.TrackedSession> WaitUntilAsync(System.Func<bool> condition, System.TimeSpan? timeout = default) { }
        public static System.Threading.Tasks.Task<Warren.Testing.WarrenTestHarness> StartAsync(System.Action<Microsoft.Extensions.DependencyInjection.IServiceCollection> configureServices, System.Action<Warren.Testing.WarrenTestHarnessOptions>? configure = null, System.Threading.CancellationToken cancellationToken = default) { }
    }
    public sealed class WarrenTestHarnessOptions
    {
        public WarrenTestHarnessOptions() { }
        public System.Collections.Generic.IList<System.Text.Json.Serialization.JsonSerializerContext> JsonContexts { get; }
        public System.TimeSpan SettleTime { get; set; }
        public System.TimeSpan StallTime { get; set; }
        public System.TimeProvider? TimeProvider { get; set; }
        public System.TimeSpan Timeout { get; set; }
        public bool UseVirtualTime { get; set; }
        public System.TimeSpan VirtualTimeLimit { get; set; }
    }
    public static class WarrenTestHarnessServiceCollectionExtensions
    {
        public static Microsoft.Extensions.DependencyInjection.IServiceCollection AddWarrenTestHarness(this Microsoft.Extensions.DependencyInjection.IServiceCollection services, System.Action<Warren.Testing.WarrenTestHarnessOptions>? configure = null) { }
    }
}
