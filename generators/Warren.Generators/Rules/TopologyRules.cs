using System.Collections.Generic;
using System.Linq;
using Warren.Generators.Model;

namespace Warren.Generators.Rules;

/// <summary>
/// Rules over the topology model that generator and analyzers share: consumer settings the runtime cannot take,
/// settings that quietly do less than they say, and bindings that can never or should never match.
/// </summary>
internal static class TopologyRules
{
    /// <summary>The largest QoS prefetch AMQP can carry (<c>basic.qos</c> prefetch-count is a 16-bit number).</summary>
    public const int MaxPrefetch = ushort.MaxValue;

    /// <summary>Why a queue's or RPC service's <c>Prefetch</c> or <c>Concurrency</c> cannot be used, or null.</summary>
    public static string? SettingsProblem(int prefetch, int concurrency) =>
        prefetch < 0 || prefetch > MaxPrefetch ? $"Prefetch = {prefetch} is outside 0 to {MaxPrefetch} (0 uses Warren:Prefetch)"
        : concurrency < 0 ? $"Concurrency = {concurrency} is negative (0 uses Warren:Concurrency)"
        : null;

    /// <summary>
    /// More handlers may run at once than the broker delivers unacknowledged messages: the extra handlers never get
    /// work. Only an explicit prefetch is judged; the configured default (<c>Warren:Prefetch</c>) is not known here.
    /// </summary>
    public static bool ConcurrencyAbovePrefetch(int prefetch, int concurrency) => prefetch > 0 && concurrency > prefetch;

    /// <summary>True when a binding key has a wildcard word, which a direct exchange compares literally.</summary>
    public static bool HasWildcard(string bindingKey) => bindingKey.Split('.').Any(w => w is "*" or "#");

    /// <summary>
    /// The bindings of a handler that a direct exchange can never match (a wildcard word), with the exchange. The
    /// default binding of a message without <c>[Topic]</c> is its contract name, the very key it is published with:
    /// a direct exchange matches it whatever it contains.
    /// </summary>
    public static IEnumerable<BindingModel> UnmatchableDirectBindings(ConsumerModel consumer, HandlerModel handler)
    {
        var exchange = handler.Message.Exchange ?? consumer.DefaultExchange;
        return exchange is { Type: "direct" }
            ? handler.Bindings.Where(b => b.Exchange == exchange.Name && HasWildcard(b.RoutingKey) && !(b.FromMessage && handler.Message.RoutingTemplate is null))
            : Enumerable.Empty<BindingModel>();
    }

    /// <summary>
    /// The bindings that bring a dead-letter queue's consumer messages that did not fail: bindings it declares itself
    /// (default bindings are already dropped, see <see cref="DeadLetterConsumers"/>) to an exchange that is no
    /// dead-letter exchange in the compilation.
    /// </summary>
    public static IEnumerable<BindingModel> WorkBindings(ConsumerModel consumer, HandlerModel handler, ISet<string> deadLetterExchanges) =>
        consumer.Queue.IsDeadLetterQueue
            ? handler.Bindings.Where(b => !b.FromMessage && !deadLetterExchanges.Contains(b.Exchange))
            : Enumerable.Empty<BindingModel>();

    /// <summary>The dead-letter exchanges of the consumers (class and handler policies).</summary>
    public static HashSet<string> DeadLetterExchanges(IEnumerable<ConsumerModel> consumers) =>
        new(consumers
            .SelectMany(c => new[] { c.Queue.DeadLetter }.Concat(c.Handlers.Select(h => h.RetryOverride)))
            .Where(d => d is not null)
            .Select(d => d!.Exchange));
}
