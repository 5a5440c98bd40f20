namespace Warren.Generators.Parsing;

/// <summary>
/// The property names and enum values of Warren's attributes, as the runtime declares them in
/// <c>src/Warren/Attributes</c>. Roslyn components cannot reference the runtime, so the names live here and a test
/// compares every constant with the real attribute types: renaming a property fails the build's tests instead of
/// silently reading defaults.
/// </summary>
internal static class AttributeNames
{
    /// <summary><c>QueueAttribute</c>.</summary>
    public static class Queue
    {
        public const string Durable = nameof(Durable);
        public const string Exclusive = nameof(Exclusive);
        public const string AutoDelete = nameof(AutoDelete);
        public const string Type = nameof(Type);
        public const string MessageTtl = nameof(MessageTtl);
        public const string MaxLength = nameof(MaxLength);
        public const string MaxLengthBytes = nameof(MaxLengthBytes);
        public const string Overflow = nameof(Overflow);
        public const string SingleActiveConsumer = nameof(SingleActiveConsumer);
        public const string Prefetch = nameof(Prefetch);
        public const string Concurrency = nameof(Concurrency);
        public const string HandlerTimeout = nameof(HandlerTimeout);
        public const string DeliveryLimit = nameof(DeliveryLimit);
        public const string MaxAge = nameof(MaxAge);
        public const string MaxSegmentSizeBytes = nameof(MaxSegmentSizeBytes);
        public const string DeadLetterArguments = nameof(DeadLetterArguments);
    }

    /// <summary><c>DeadLetterAttribute</c>.</summary>
    public static class DeadLetter
    {
        public const string Enabled = nameof(Enabled);
        public const string Exchange = nameof(Exchange);
        public const string Queue = nameof(Queue);
        public const string ImmediateRetries = nameof(ImmediateRetries);
        public const string MaxRetries = nameof(MaxRetries);
        public const string RetryDelays = nameof(RetryDelays);
        public const string DoNotRetry = nameof(DoNotRetry);
    }

    /// <summary><c>ExchangeAttribute</c>.</summary>
    public static class Exchange
    {
        public const string Durable = nameof(Durable);
        public const string AutoDelete = nameof(AutoDelete);
    }

    /// <summary><c>HeadersAttribute</c>.</summary>
    public static class ConsumeFrom
    {
        public const string Offset = nameof(Offset);
        public const string Timestamp = nameof(Timestamp);
        public const string StoredOffset = nameof(StoredOffset);
    }

    public static class Batch
    {
        public const string Size = nameof(Size);
        public const string Timeout = nameof(Timeout);
    }

    public static class Headers
    {
        public const string Mode = nameof(Mode);
    }

    /// <summary><c>PriorityAttribute</c>.</summary>
    public static class Priority
    {
        public const string Max = nameof(Max);
    }

    /// <summary><c>RpcServiceAttribute</c>.</summary>
    public static class RpcService
    {
        public const string Queue = nameof(Queue);
        public const string Timeout = nameof(Timeout);
        public const string QueueType = nameof(QueueType);
        public const string Concurrency = nameof(Concurrency);
        public const string Prefetch = nameof(Prefetch);
        public const string Durable = nameof(Durable);
    }

    /// <summary><c>RpcAttribute</c>.</summary>
    public static class Rpc
    {
        public const string Name = nameof(Name);
        public const string Timeout = nameof(Timeout);
    }
}

/// <summary>The underlying values of the runtime's attribute enums (checked against them by a test).</summary>
internal static class AttributeEnums
{
    /// <summary><c>ExchangeKind</c>, in declaration order: the value is the index.</summary>
    public static readonly string[] ExchangeTypes = ["direct", "topic", "fanout", "headers"];

    /// <summary><c>ExchangeKind.Topic</c>, the constructor's default.</summary>
    public const int TopicExchange = 1;

    /// <summary><c>QueueType.Quorum</c>.</summary>
    public const int QuorumQueue = 1;

    /// <summary><c>QueueType.Stream</c>.</summary>
    public const int StreamQueue = 2;

    /// <summary><c>QueueOverflow</c>, in declaration order: the value is the index.</summary>
    public static readonly string[] OverflowNames = ["drop-head", "reject-publish", "reject-publish-dlx"];

    /// <summary><c>QueueOverflow.RejectPublishDlx</c>.</summary>
    public const int RejectPublishDlx = 2;

    /// <summary>The member names of <c>QueueOverflow.RejectPublishDlx</c> and <c>QueueOverflow.RejectPublish</c>, which the WRN017 code fix edits.</summary>
    public const string RejectPublishDlxMember = "RejectPublishDlx";

    public const string RejectPublishMember = "RejectPublish";

    /// <summary><c>StreamFrom</c>'s member names, in declaration order: the value is the index.</summary>
    public static readonly string[] StreamFromNames = ["Next", "First", "Last"];

    /// <summary><c>HeadersMatch.Any</c>.</summary>
    public const int HeadersMatchAny = 1;
}
