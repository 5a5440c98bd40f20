using System.Collections.Generic;
using System.Linq;
using System.Text;
using Warren.Generators.Model;

namespace Warren.Generators.Rules;

/// <summary>Where a name a consumer declares comes from: what the analyzers point at when it cannot be used.</summary>
internal enum NameSource
{
    /// <summary>The <c>[Queue]</c> name, or a dead-letter or retry queue name derived from it.</summary>
    Queue,

    /// <summary>The class's <c>[DeadLetter]</c> (its <c>Exchange</c> or <c>Queue</c>).</summary>
    DeadLetter,

    /// <summary>A handler's own <c>[DeadLetter]</c> (its retry queues are named after the queue and the message).</summary>
    HandlerDeadLetter,

    /// <summary>The class's <c>[Exchange]</c>.</summary>
    Exchange,
}

/// <summary>A name that cannot be declared: where it comes from (<paramref name="Handler"/> for a handler's policy) and why.</summary>
internal readonly record struct NameProblem(NameSource Source, string? Handler, string Problem);

/// <summary>
/// Queue and exchange names the broker or the runtime cannot use (WRN034): empty or blank, holding a line break (which
/// the broker strips, declaring another name), longer than the 255 bytes an AMQP short string holds, or in the <c>amq.</c> namespace RabbitMQ reserves (declaring such a queue or exchange is
/// refused with 403 ACCESS_REFUSED; the predeclared <c>amq.direct</c>, <c>amq.fanout</c>, <c>amq.topic</c>,
/// <c>amq.headers</c> and <c>amq.match</c> exchanges may be used as the broker declares them). Names derived from a
/// queue (<c>{queue}.dlx</c>, <c>{queue}.dlq</c>, <c>{queue}.retry.N</c>) are judged too. The generator emits nothing for
/// a queue, message or service with such a name; the analyzers report each.
/// </summary>
internal static class NameRules
{
    /// <summary>The longest name AMQP 0-9-1 can carry: a short string of at most 255 bytes of UTF-8.</summary>
    public const int MaxBytes = 255;

    public const string ReservedPrefix = "amq.";

    /// <summary>The exchanges RabbitMQ and its plugins declare for themselves (the firehose, the event exchange).</summary>
    public const string BrokerOwnedPrefix = "amq.rabbitmq.";

    /// <summary>The characters RabbitMQ strips from a queue or exchange name before declaring it (checked on RabbitMQ 3.10).</summary>
    private static readonly char[] LineBreaks = ['\r', '\n'];

    /// <summary>The exchanges every RabbitMQ virtual host has, with their types (all durable, none auto-delete).</summary>
    private static readonly Dictionary<string, string> Predeclared = new(System.StringComparer.Ordinal)
    {
        ["amq.direct"] = "direct",
        ["amq.fanout"] = "fanout",
        ["amq.topic"] = "topic",
        ["amq.headers"] = "headers",
        ["amq.match"] = "headers",
    };

    /// <summary>Why a queue cannot be declared under <paramref name="name"/> (completing "queue 'x' …"), or null.</summary>
    public static string? QueueProblem(string name) =>
        CommonProblem(name, "queue")
        ?? (name.StartsWith(ReservedPrefix, System.StringComparison.Ordinal)
            ? "starts with 'amq.', which RabbitMQ reserves for its own queues: the declaration is refused with 403 ACCESS_REFUSED and the consumer never starts"
            : null);

    /// <summary>Why an exchange of this type cannot be declared or used under <paramref name="name"/> (completing "exchange 'x' …"), or null.</summary>
    public static string? ExchangeProblem(string name, string type)
    {
        if (name.Length == 0)
        {
            return "is empty: the default exchange cannot be declared or bound to (leave out [Exchange] to publish to it, with the queue's name as the routing key)";
        }

        if (CommonProblem(name, "exchange") is { } problem)
        {
            return problem;
        }

        if (!name.StartsWith(ReservedPrefix, System.StringComparison.Ordinal) || name.StartsWith(BrokerOwnedPrefix, System.StringComparison.Ordinal))
        {
            // amq.rabbitmq.*: exchanges the broker and its plugins declare (amq.rabbitmq.trace, amq.rabbitmq.event),
            // which Warren, like every amq. exchange, binds and publishes to without declaring.
            return null;
        }

        if (!Predeclared.TryGetValue(name, out var actual))
        {
            return $"starts with 'amq.', which RabbitMQ reserves: declaring it is refused with 403 ACCESS_REFUSED, and publishing to it fails with 404 NOT_FOUND. Use a name of your own, or one of the predeclared exchanges {string.Join(", ", Predeclared.Keys)}";
        }

        // Warren never declares an amq. exchange, so Durable and AutoDelete do not reach the broker; the type decides
        // how the bindings Warren makes route.
        return actual != type ? $"is the broker's predeclared {actual} exchange, not {type}: it routes as a {actual} exchange. Declare it with ExchangeKind.{char.ToUpperInvariant(actual[0])}{actual.Substring(1)}, or use a name of your own"
            : null;
    }

    /// <summary>
    /// Why a publish to <paramref name="exchange"/> is refused (completing "exchange 'x' …"), or null: the
    /// <c>amq.rabbitmq.*</c> exchanges RabbitMQ and its plugins declare for themselves (the firehose's
    /// <c>amq.rabbitmq.trace</c>, the event exchange plugin's <c>amq.rabbitmq.event</c>) take bindings, so a queue may
    /// consume from them, but refuse every publish with 403 ACCESS_REFUSED, closing the channel (checked on RabbitMQ 3.10).
    /// </summary>
    public static string? PublishProblem(string exchange) =>
        exchange.StartsWith(BrokerOwnedPrefix, System.StringComparison.Ordinal)
            ? "is an exchange RabbitMQ declares for itself: a queue may bind to it and consume what the broker sends there, but a publish to it is refused with 403 ACCESS_REFUSED and the channel is closed"
            : null;

    /// <summary>
    /// Every name a consumer would declare that cannot be used: its queue, its <c>[Exchange]</c>, and the dead-letter
    /// exchange, dead-letter queue and retry queues of its policies (the class's and each handler's).
    /// </summary>
    public static IEnumerable<NameProblem> ConsumerProblems(ConsumerModel consumer)
    {
        var queue = consumer.Queue;
        if (QueueProblem(queue.Name) is { } problem)
        {
            yield return new(NameSource.Queue, null, $"queue '{Show(queue.Name)}' {problem}");
            yield break;
        }

        if (consumer.DefaultExchange is { } exchange && ExchangeProblem(exchange.Name, exchange.Type) is { } exchangeProblem)
        {
            yield return new(NameSource.Exchange, null, $"exchange '{Show(exchange.Name)}' {exchangeProblem}");
        }

        if (queue.DeadLetter is { } deadLetter)
        {
            foreach (var policyProblem in PolicyProblems(deadLetter))
            {
                yield return new(deadLetter.IsDefault ? NameSource.Queue : NameSource.DeadLetter, null, policyProblem);
            }
        }

        foreach (var handler in consumer.Handlers)
        {
            if (handler.RetryOverride is { } own)
            {
                foreach (var policyProblem in PolicyProblems(own))
                {
                    yield return new(NameSource.HandlerDeadLetter, handler.MethodName, policyProblem);
                }
            }
        }
    }

    /// <summary>Why an RPC service's queue cannot be declared (completing "RPC service 's' …"), or null.</summary>
    public static string? RpcQueueProblem(string queue) =>
        QueueProblem(queue) is { } problem ? $"has the queue '{Show(queue)}', which {problem}" : null;

    private static IEnumerable<string> PolicyProblems(DeadLetterModel policy)
    {
        // A dead-letter exchange routes with the queue's name as the key and a binding of that name: a direct exchange,
        // or the predeclared amq.topic, where a key without wildcards matches only itself.
        // Warren publishes a failed message's copy to the dead-letter exchange, and the broker dead-letters to it.
        if ((ExchangeProblem(policy.Exchange, policy.Exchange == "amq.topic" ? "topic" : "direct") ?? PublishProblem(policy.Exchange)) is { } exchange)
        {
            yield return $"dead-letter exchange '{Show(policy.Exchange)}' {exchange}";
        }

        if (QueueProblem(policy.Queue) is { } queue)
        {
            yield return $"dead-letter queue '{Show(policy.Queue)}' {queue}";
        }

        for (var level = 1; policy.MaxRetries > 0 && level <= policy.RetryDelays.Count; level++)
        {
            var name = $"{policy.RetryQueuePrefix}.retry.{level}";
            if (QueueProblem(name) is { } retry)
            {
                yield return $"retry queue '{Show(name)}' {retry}";
                yield break;
            }
        }
    }

    private static string? CommonProblem(string name, string kind)
    {
        if (name.Length == 0)
        {
            return kind == "queue" ? "is empty: an empty name asks the broker to make one up (a server-named queue), which Warren could not find again, and the consumer cannot be created" : "is empty";
        }

        var bytes = Encoding.UTF8.GetByteCount(name);
        if (bytes > MaxBytes)
        {
            return $"is {bytes} bytes long in UTF-8: AMQP carries names of at most {MaxBytes} bytes, so the client cannot send the declaration";
        }

        if (name.IndexOfAny(LineBreaks) >= 0)
        {
            return $"contains a line break (CR or LF), which RabbitMQ removes from queue and exchange names: the broker declares and binds the name without it, but consumes from or publishes to a name as written: another {kind} than the one Warren {(kind == "queue" ? "consumes from" : "publishes to")} (404 NOT_FOUND)";
        }

        return name.All(char.IsWhiteSpace)
            ? "is only white space: the broker would take it, but no log, tool or management page shows it legibly, so it is taken for a mistake"
            : null;
    }

    /// <summary>
    /// A name as written in a message: long ones shortened and control characters and line separators escaped (<c>\n</c>, <c>\u0007</c>, <c>\u2028</c>), so the
    /// diagnostic stays one readable line.
    /// </summary>
    public static string Show(string name)
    {
        var shown = name.Length > 60 ? name.Substring(0, 40) + "…" + name.Substring(name.Length - 12) : name;
        if (!shown.Any(Unprintable))
        {
            return shown;
        }

        var escaped = new StringBuilder(shown.Length + 8);
        foreach (var c in shown)
        {
            _ = c switch
            {
                '\n' => escaped.Append("\\n"),
                '\r' => escaped.Append("\\r"),
                '\t' => escaped.Append("\\t"),
                _ when Unprintable(c) => escaped.Append("\\u").Append(((int)c).ToString("x4", System.Globalization.CultureInfo.InvariantCulture)),
                _ => escaped.Append(c),
            };
        }

        return escaped.ToString();
    }

    /// <summary>Control characters and the Unicode line and paragraph separators: what would break a diagnostic's line.</summary>
    private static bool Unprintable(char c) => char.IsControl(c) || c is '\u2028' or '\u2029';
}
