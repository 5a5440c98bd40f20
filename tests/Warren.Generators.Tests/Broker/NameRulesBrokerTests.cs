using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using System.Threading.Tasks;
using CsCheck;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;
using Warren.Generators.Rules;
using Xunit;
using Xunit.Abstractions;

namespace Warren.Generators.Tests.Broker;

/// <summary>
/// WRN034 (<see cref="NameRules"/>, shared by the generator and the analyzers) against the broker itself: every queue
/// and exchange name the rule accepts is declared as written (the passive redeclare finds it under that name), and
/// every name it rejects fails the way its message says — refused by the broker with the reply code it names, never
/// sent by the client (over 255 bytes), named by the server (an empty queue name), or, for a name of only white space,
/// taken by the broker (a rule of legibility, not of the broker). A fixed corpus of boundary names and CsCheck's random
/// names (fixed seed; <c>WARREN_NAMES_SEED</c> and <c>WARREN_NAMES_ITERATIONS</c> explore further, a failure prints
/// the name escaped and the seed).
/// </summary>
[Collection(BrokerNode.Collection)]
public sealed class NameRulesBrokerTests(BrokerNodeFixture broker, ITestOutputHelper output)
{
    private const string FixedSeed = "0jT8fnqkGAb1";
    private const int DefaultIterations = 300;

    /// <summary>Queue names: byte boundaries with 1- to 4-byte UTF-8 characters, the amq. namespace in its spellings, white space, characters AMQP names rarely hold.</summary>
    public static readonly string[] QueueCorpus =
    [
        new string('a', 255), new string('a', 256),
        Repeat("é", 127) + "a", Repeat("é", 128),                  // 2-byte characters: 255 and 256 bytes
        Repeat("€", 85), Repeat("€", 85) + "a",                     // 3-byte: 255 and 256 bytes (85 and 86 chars)
        Repeat("😀", 63) + "abc", Repeat("😀", 64),                  // 4-byte (surrogate pairs): 255 and 256 bytes
        new string('q', 247) + ".retry.1", new string('q', 248) + ".retry.1",   // a derived retry queue at 255 / 256 bytes
        new string('q', 251) + ".dlq", new string('q', 252) + ".dlq",
        "amq.orders", "amq.", "amq.gen-made-up", "amq.direct", "amq.rabbitmq.x",
        "AMQ.orders", "Amq.orders", "aMq.orders", "amq", "amq-orders", "amqorders", "amq..", " amq.orders", "x.amq.orders",
        "", " ", "   ", "\t", "\u00a0", "\u3000", "\u2028",
        ".", "..", "#", "*", "#.*", "a.b.c", "orders/eu", "a b", " padded ", "ö-ü", "订单", "😀", "\"'`", "%2F", "?x=1", "a\u0000b",
        "a\nb", "a\rb", "a\r\nb", "\n", "amq\n.orders", "q\u200b",
    ];

    /// <summary>Exchange names with the type they are declared or used as.</summary>
    public static readonly (string Name, string Type)[] ExchangeCorpus =
    [
        ("amq.direct", "direct"), ("amq.fanout", "fanout"), ("amq.topic", "topic"), ("amq.headers", "headers"), ("amq.match", "headers"),
        ("amq.topic", "direct"), ("amq.direct", "topic"), ("amq.match", "direct"), ("amq.fanout", "headers"),
        ("amq.rabbitmq.trace", "topic"),
        ("amq.orders", "direct"), ("amq.", "topic"), ("amq.Direct", "direct"), ("amq.default", "direct"),
        ("AMQ.direct", "direct"), ("Amq.orders", "fanout"), ("amq", "direct"), ("amq-orders", "topic"), ("x.amq.orders", "direct"),
        ("", "direct"), (" ", "direct"), ("\t\t", "topic"), ("\u00a0", "fanout"),
        (new string('e', 255), "direct"), (new string('e', 256), "direct"), (Repeat("é", 127) + "e", "topic"), (Repeat("é", 128), "topic"),
        (Repeat("😀", 63) + "abc", "fanout"), (Repeat("😀", 64), "fanout"), (new string('q', 251) + ".dlx", "direct"), (new string('q', 252) + ".dlx", "direct"),
        (".", "topic"), ("#", "topic"), ("*", "direct"), ("orders.#", "topic"), ("ö-ü", "headers"), ("订单", "direct"), ("a b", "fanout"),
        ("a\nb", "direct"), ("a\r\nb", "topic"), ("\r\n", "direct"), ("amq.\ndirect", "direct"), ("amq.\ntopic", "direct"), ("amq.x\n", "topic"), ("a\u0000b", "direct"),
    ];

    [Fact]
    public async Task Every_queue_name_of_the_corpus_is_declared_as_written_or_fails_as_the_rule_says()
    {
        output.WriteLine($"RabbitMQ {broker.Version}");
        var failures = new List<string>();
        foreach (var name in QueueCorpus)
        {
            var verdict = NameRules.QueueProblem(name);
            var answer = await DeclareQueueAsync(name);
            output.WriteLine($"queue {Escape(name)}: rule {(verdict is null ? "accepts" : "rejects")}, broker {answer}");
            if (QueueMismatch(name, verdict, answer) is { } mismatch)
            {
                failures.Add(mismatch);
            }
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    [Fact]
    public async Task Every_exchange_name_of_the_corpus_is_declared_as_written_or_fails_as_the_rule_says()
    {
        output.WriteLine($"RabbitMQ {broker.Version}");
        var failures = new List<string>();
        foreach (var (name, type) in ExchangeCorpus)
        {
            var verdict = NameRules.ExchangeProblem(name, type);
            var answer = await DeclareExchangeAsync(name, type, verdict);
            output.WriteLine($"exchange {Escape(name)} ({type}): rule {(verdict is null ? "accepts" : "rejects")}, broker {answer}");
            if (ExchangeMismatch(name, type, verdict, answer) is { } mismatch)
            {
                failures.Add(mismatch);
            }
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    /// <summary>
    /// WRN034 accepts the broker's own <c>amq.rabbitmq.*</c> exchanges, which Warren binds to without declaring: the
    /// firehose's <c>amq.rabbitmq.trace</c> exists on every virtual host and takes bindings. It is internal, so a publish
    /// to it is refused with 403 ACCESS_REFUSED, as <see cref="NameRules.PublishProblem"/> (WRN038 at every publish, WRN034
    /// for a dead-letter exchange) says.
    /// </summary>
    [Fact]
    public async Task The_firehose_exchange_takes_bindings_and_refuses_publishes_as_the_rules_say()
    {
        Assert.Null(NameRules.ExchangeProblem("amq.rabbitmq.trace", "topic"));
        Assert.Contains("403 ACCESS_REFUSED", NameRules.PublishProblem("amq.rabbitmq.trace"), StringComparison.Ordinal);
        Assert.Null(NameRules.PublishProblem("amq.topic"));
        var queue = $"trace-{Guid.NewGuid():N}";
        await using (var channel = await broker.Connection.CreateChannelAsync())
        {
            await channel.QueueDeclareAsync(queue, durable: false, exclusive: false, autoDelete: false);
            await channel.QueueBindAsync(queue, "amq.rabbitmq.trace", "publish.#");
            await channel.QueueDeleteAsync(queue);
        }

        await using var publishing = await broker.Connection.CreateChannelAsync(new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true));
        var refused = await Assert.ThrowsAnyAsync<Exception>(async () => await publishing.BasicPublishAsync("amq.rabbitmq.trace", "x", new byte[] { 1 }));
        var shutdown = (refused as OperationInterruptedException)?.ShutdownReason ?? publishing.CloseReason;
        output.WriteLine($"publish to amq.rabbitmq.trace: {refused.GetType().Name}: {shutdown}");
        Assert.Equal((ushort?)403, shutdown?.ReplyCode);
    }

    [Fact]
    public async Task Random_queue_and_exchange_names_are_declared_as_written_or_fail_as_the_rule_says()
    {
        // WARREN_NAMES_SEED=random: a new seed on each run (printed with a failure).
        var seed = Environment.GetEnvironmentVariable("WARREN_NAMES_SEED") is { Length: > 0 } given ? given.Trim() : FixedSeed;
        seed = seed == "random" ? null! : seed;
        var iterations = long.TryParse(Environment.GetEnvironmentVariable("WARREN_NAMES_ITERATIONS"), CultureInfo.InvariantCulture, out var n) ? n : DefaultIterations;
        output.WriteLine($"RabbitMQ {broker.Version}, seed {seed ?? "random"}, {iterations} names");
        var accepted = 0;
        var rejected = 0;
        await RandomNames.SampleAsync(
            async sample =>
            {
                var (name, type) = sample;
                var queueVerdict = NameRules.QueueProblem(name);
                var queueAnswer = await DeclareQueueAsync(name);
                if (QueueMismatch(name, queueVerdict, queueAnswer) is { } queueMismatch)
                {
                    throw new InvalidOperationException(queueMismatch);
                }

                var exchangeVerdict = NameRules.ExchangeProblem(name, type);
                var exchangeAnswer = await DeclareExchangeAsync(name, type, exchangeVerdict);
                if (ExchangeMismatch(name, type, exchangeVerdict, exchangeAnswer) is { } exchangeMismatch)
                {
                    throw new InvalidOperationException(exchangeMismatch);
                }

                if (queueVerdict is null)
                {
                    System.Threading.Interlocked.Increment(ref accepted);
                }
                else
                {
                    System.Threading.Interlocked.Increment(ref rejected);
                }
            },
            writeLine: output.WriteLine,
            seed: seed,
            iter: iterations,
            threads: 1,
            print: sample => $"{Escape(sample.Name)} ({Encoding.UTF8.GetByteCount(sample.Name)} bytes, exchange type {sample.Type})");
        output.WriteLine($"{accepted} names accepted as queue names and declared, {rejected} rejected and failing as the rule says");
        Assert.True(accepted > iterations / 4 && rejected > iterations / 10, $"the generator should give both kinds: {accepted} accepted, {rejected} rejected");
    }

    // Characters of 1 to 4 bytes in UTF-8, AMQP and topic punctuation, white space of several kinds, control characters.
    private static readonly string[] Pieces =
    [
        "a", "z", "Q", "0", "9", "-", "_", ".", "#", "*", "/", ":", "@", "~", "%", "+", "=", "|", "\\", "'", "\"",
        " ", "\t", "\u00a0", "\u2003", "\u3000", "\u0001", "\u007f", "\r", "\n",
        "é", "ß", "Ω", "ж", "€", "订", "ー", "😀", "𝄞",
    ];

    private static readonly Gen<string> Body = Gen.OneOf(
        Gen.OneOf(Pieces).Array[0, 12].Select(p => string.Concat(p)),
        Gen.OneOf(Pieces).Array[1, 4].Select(Gen.Int[230, 262]).Select((p, bytes) => Fill(p, bytes)));

    private static readonly Gen<string> Prefix = Gen.Frequency(
        (6, Gen.Const("")), (2, Gen.Const("amq.")), (1, Gen.Const("AMQ.")), (1, Gen.Const("Amq.")), (1, Gen.Const("amq")), (1, Gen.Const("amq-")),
        (1, Gen.Const(" ")), (1, Gen.Const("amq.direct")), (1, Gen.Const("amq.topic")));

    private static readonly Gen<(string Name, string Type)> RandomNames = Gen.Select(
        Prefix, Body, Gen.OneOf<string>("direct", "fanout", "topic", "headers"),
        (prefix, body, type) => (prefix + body, type));

    /// <summary>Repeats the pieces until the name is about <paramref name="bytes"/> bytes of UTF-8, never cutting a character.</summary>
    private static string Fill(string[] pieces, int bytes)
    {
        var builder = new StringBuilder();
        for (var i = 0; Encoding.UTF8.GetByteCount(builder.ToString()) + Encoding.UTF8.GetByteCount(pieces[i % pieces.Length]) <= bytes; i++)
        {
            builder.Append(pieces[i % pieces.Length]);
        }

        return builder.ToString();
    }

    private enum Outcome
    {
        /// <summary>Declared under the name as written; the passive redeclare found it.</summary>
        Declared,

        /// <summary>Declared, but under another name (server-named, or the name changed on the way).</summary>
        Renamed,

        /// <summary>Declared, but the passive redeclare under the name as written did not find it.</summary>
        NotFoundAgain,

        /// <summary>The broker refused it: a channel error with a reply code.</summary>
        Refused,

        /// <summary>The client threw before anything was sent; the channel stays open.</summary>
        NotSent,

        /// <summary>Not declared (Warren never declares an amq. exchange): the broker has it, with this type.</summary>
        Exists,
    }

    private sealed record Answer(Outcome Outcome, ushort Code = 0, string Detail = "")
    {
        public override string ToString() => Outcome switch
        {
            Outcome.Refused => $"refused {Code} {Detail}",
            Outcome.Declared or Outcome.Exists => Outcome.ToString().ToLowerInvariant(),
            _ => $"{Outcome} {Detail}",
        };
    }

    private async Task<Answer> DeclareQueueAsync(string name)
    {
        await using var channel = await broker.Connection.CreateChannelAsync();
        QueueDeclareOk declared;
        try
        {
            declared = await channel.QueueDeclareAsync(name, durable: false, exclusive: false, autoDelete: false);
        }
        catch (OperationInterruptedException e)
        {
            return new(Outcome.Refused, e.ShutdownReason?.ReplyCode ?? 0, e.ShutdownReason?.ReplyText ?? e.Message);
        }
        catch (Exception e) when (channel.IsOpen)
        {
            return new(Outcome.NotSent, 0, $"{e.GetType().Name}: {e.Message}");
        }

        try
        {
            if (declared.QueueName != name)
            {
                return new(Outcome.Renamed, 0, $"as {Escape(declared.QueueName)}");
            }

            try
            {
                var again = await channel.QueueDeclarePassiveAsync(name);
                return again.QueueName == name ? new(Outcome.Declared) : new(Outcome.Renamed, 0, $"passive redeclare answered {Escape(again.QueueName)}");
            }
            catch (OperationInterruptedException e)
            {
                return new(Outcome.NotFoundAgain, e.ShutdownReason?.ReplyCode ?? 0, e.ShutdownReason?.ReplyText ?? e.Message);
            }
        }
        finally
        {
            await using var cleanup = await broker.Connection.CreateChannelAsync();
            await cleanup.QueueDeleteAsync(declared.QueueName);
        }
    }

    /// <summary>
    /// Declares the exchange as Warren would (durable, not auto-delete). An amq. name the rule accepts is not declared by
    /// Warren: then the broker must have it, and for a predeclared one, with this type (declaring it with its own
    /// arguments is accepted as equivalent; any other type is refused with 406).
    /// </summary>
    private async Task<Answer> DeclareExchangeAsync(string name, string type, string? verdict)
    {
        await using var channel = await broker.Connection.CreateChannelAsync();
        var existing = verdict is null && name.StartsWith(NameRules.ReservedPrefix, StringComparison.Ordinal);
        try
        {
            if (existing && name.StartsWith(NameRules.BrokerOwnedPrefix, StringComparison.Ordinal))
            {
                await channel.ExchangeDeclarePassiveAsync(name);
                return new(Outcome.Exists);
            }

            await channel.ExchangeDeclareAsync(name, type, durable: true, autoDelete: false);
        }
        catch (OperationInterruptedException e)
        {
            return new(Outcome.Refused, e.ShutdownReason?.ReplyCode ?? 0, e.ShutdownReason?.ReplyText ?? e.Message);
        }
        catch (Exception e) when (channel.IsOpen)
        {
            return new(Outcome.NotSent, 0, $"{e.GetType().Name}: {e.Message}");
        }

        if (existing)
        {
            return new(Outcome.Exists);
        }

        try
        {
            await channel.ExchangeDeclarePassiveAsync(name);
            // The declare-ok of an exchange names nothing: a name the broker changed on the way shows as the changed name existing.
            var stripped = WithoutLineBreaks(name);
            if (stripped != name)
            {
                await using var probe = await broker.Connection.CreateChannelAsync();
                try
                {
                    await probe.ExchangeDeclarePassiveAsync(stripped);
                    return new(Outcome.Renamed, 0, $"as {Escape(stripped)}");
                }
                catch (OperationInterruptedException e) when (e.ShutdownReason?.ReplyCode == 404)
                {
                }
            }

            return new(Outcome.Declared);
        }
        catch (OperationInterruptedException e)
        {
            return new(Outcome.NotFoundAgain, e.ShutdownReason?.ReplyCode ?? 0, e.ShutdownReason?.ReplyText ?? e.Message);
        }
        finally
        {
            // A name the broker stripped to one of its own amq. exchanges: nothing of ours to delete (and it refuses to).
            if (!WithoutLineBreaks(name).StartsWith(NameRules.ReservedPrefix, StringComparison.Ordinal))
            {
                await using var cleanup = await broker.Connection.CreateChannelAsync();
                await cleanup.ExchangeDeleteAsync(name);
            }
        }
    }

    private static string? QueueMismatch(string name, string? verdict, Answer answer)
    {
        if (verdict is not null && verdict.Contains("line break", StringComparison.Ordinal))
        {
            // The broker removes CR and LF from a queue name, then judges what is left.
            var stripped = WithoutLineBreaks(name);
            var broken = Encoding.UTF8.GetByteCount(name) > NameRules.MaxBytes ? answer.Outcome == Outcome.NotSent
                : stripped.Length == 0 ? answer is { Outcome: Outcome.Renamed } && answer.Detail.StartsWith("as \"amq.gen-", StringComparison.Ordinal)
                : stripped.StartsWith(NameRules.ReservedPrefix, StringComparison.Ordinal) ? answer is { Outcome: Outcome.Refused, Code: 403 }
                : answer is { Outcome: Outcome.Renamed } && answer.Detail == $"as {Escape(stripped)}";
            return broken ? null : $"queue {Escape(name)}: the rule says it {verdict}, but the broker: {answer}";
        }

        var expected = verdict switch
        {
            null => Outcome.Declared,
            _ when verdict.Contains("403 ACCESS_REFUSED", StringComparison.Ordinal) => Outcome.Refused,
            _ when verdict.Contains("bytes long", StringComparison.Ordinal) => Outcome.NotSent,
            _ when verdict.StartsWith("is empty", StringComparison.Ordinal) => Outcome.Renamed,
            _ when verdict.Contains("white space", StringComparison.Ordinal) => Outcome.Declared,
            _ => (Outcome?)null,
        };
        var ok = expected == answer.Outcome
            && (expected != Outcome.Refused || answer.Code == 403)
            && (expected != Outcome.Renamed || answer.Detail.StartsWith("as \"amq.gen-", StringComparison.Ordinal));
        return ok ? null : $"queue {Escape(name)} ({Encoding.UTF8.GetByteCount(name)} bytes): the rule {(verdict is null ? "accepts it" : $"says it {verdict}")}, but the broker: {answer}";
    }

    private static string? ExchangeMismatch(string name, string type, string? verdict, Answer answer)
    {
        if (verdict is not null && verdict.Contains("line break", StringComparison.Ordinal))
        {
            // The broker removes CR and LF from an exchange name too: whatever it does with the rest, not this name.
            return answer.Outcome is Outcome.Renamed or Outcome.Refused or Outcome.NotSent ? null
                : $"exchange {Escape(name)} ({type}): the rule says it {verdict}, but the broker: {answer}";
        }

        var (expected, code) = verdict switch
        {
            null when name.StartsWith(NameRules.ReservedPrefix, StringComparison.Ordinal) => (Outcome.Exists, (ushort)0),
            null => (Outcome.Declared, (ushort)0),
            _ when verdict.Contains("403 ACCESS_REFUSED", StringComparison.Ordinal) => (Outcome.Refused, (ushort)403),
            _ when verdict.Contains("predeclared", StringComparison.Ordinal) => (Outcome.Refused, (ushort)406),
            _ when verdict.Contains("bytes long", StringComparison.Ordinal) => (Outcome.NotSent, (ushort)0),
            _ when verdict.StartsWith("is empty", StringComparison.Ordinal) => (Outcome.Refused, (ushort)403),   // the default exchange
            _ when verdict.Contains("white space", StringComparison.Ordinal) => (Outcome.Declared, (ushort)0),
            _ => ((Outcome?)null, (ushort)0),
        };
        var ok = expected == answer.Outcome && answer.Code == code;
        return ok ? null : $"exchange {Escape(name)} ({type}, {Encoding.UTF8.GetByteCount(name)} bytes): the rule {(verdict is null ? "accepts it" : $"says it {verdict}")}, but the broker: {answer}";
    }

    private static string WithoutLineBreaks(string name) => name.Replace("\r", string.Empty, StringComparison.Ordinal).Replace("\n", string.Empty, StringComparison.Ordinal);

    private static string Repeat(string text, int count) => string.Concat(Enumerable.Repeat(text, count));

    /// <summary>The name with control and white-space characters escaped, shortened when long.</summary>
    private static string Escape(string name)
    {
        var builder = new StringBuilder("\"");
        foreach (var c in name.Length > 48 ? name[..20] + "…" + name[^20..] : name)
        {
            builder.Append(char.IsControl(c) || (char.IsWhiteSpace(c) && c != ' ') || c is '\u200b' ? $"\\u{(int)c:x4}" : c.ToString());
        }

        return builder.Append('"').ToString();
    }
}
