namespace Warren.Generators.Parsing;

/// <summary>
/// The failure policy of a consumer class without <c>[DeadLetter]</c>: as if it had
/// <c>[DeadLetter(MaxRetries = 3, RetryDelays = new[] { "5s", "30s", "2m" })]</c>. The runtime's
/// <c>RetryPolicy.DefaultMaxRetries</c> and <c>RetryPolicy.DefaultDelays</c> hold the same values (a test compares them).
/// </summary>
internal static class FailurePolicyDefaults
{
    public const int MaxRetries = 3;

    /// <summary>The delays, in milliseconds: 5 s, 30 s, 2 min.</summary>
    public static readonly long[] RetryDelays = [5_000, 30_000, 120_000];

    /// <summary>The delay when <c>MaxRetries</c> is set without <c>RetryDelays</c>.</summary>
    public const long RetryDelay = 5_000;

    /// <summary><c>{queue}.dlx</c>: the dead-letter exchange (direct).</summary>
    public const string ExchangeSuffix = ".dlx";

    /// <summary><c>{queue}.dlq</c>: the dead-letter queue, bound to the exchange with the queue's name.</summary>
    public const string QueueSuffix = ".dlq";
}
