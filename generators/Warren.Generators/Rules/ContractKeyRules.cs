using System.Text;
using Warren.Generators.Model;

namespace Warren.Generators.Rules;

/// <summary>
/// Why a message's contract name cannot be the routing key it is also used as (<paramref name="Wildcard"/>: a <c>*</c>
/// or <c>#</c>, WRN002; otherwise WRN001, in <paramref name="Problem"/>).
/// </summary>
internal readonly record struct ContractKeyProblem(string Problem, string? Wildcard);

/// <summary>
/// A message without <c>[Topic]</c> is published with its contract name as the routing key, and a handler of it binds
/// its queue with that name (<see cref="Parsing.ConsumerParser"/>, ContractsEmitter). Where the name is a key it must
/// be one: at most 255 bytes on any exchange (an AMQP short string), and on a topic exchange no empty word and no
/// wildcard, since the same name is the binding pattern (a <c>*</c> or <c>#</c> there would receive other types' keys,
/// while the publish key is matched literally). A direct exchange compares the key with the binding as text, and the
/// default exchange with queue names, so any other text routes there. On a fanout or headers exchange, and for a
/// message with <c>[Topic]</c>, the name is no key and only the length applies: the name is the AMQP <c>type</c>
/// property of every publish, a short string of at most 255 bytes too. The generator emits nothing for a
/// message type of the compilation whose name breaks them; the analyzers report it at the name.
/// </summary>
internal static class ContractKeyRules
{
    /// <summary>The problem with <paramref name="contractName"/> as the routing key of a message, or null.</summary>
    public static ContractKeyProblem? Problem(string contractName, ExchangeModel? exchange, string? routingTemplate)
    {
        // The contract name is the AMQP 'type' property of every publish (a short string), whatever the exchange.
        var bytes = Encoding.UTF8.GetByteCount(contractName);
        if (bytes > NameRules.MaxBytes)
        {
            return new(routingTemplate is null
                ? $"The contract name '{Short(contractName)}' is {bytes} bytes, and every message is published with it as its 'type' property and, without [Topic], as the routing key: RabbitMQ limits both to {NameRules.MaxBytes} bytes. Give the message a shorter [Message] name"
                : $"The contract name '{Short(contractName)}' is {bytes} bytes, and every message is published with it as its 'type' property: RabbitMQ limits it to {NameRules.MaxBytes} bytes. Give the message a shorter [Message] name", null);
        }

        if (routingTemplate is not null || exchange is not { Type: "topic" })
        {
            return null;
        }

        if (contractName.Length == 0)
        {
            return new($"The contract name is empty, and a message without [Topic] on topic exchange '{exchange.Name}' is published and bound with it as the routing key: give it a name such as 'order.created'", null);
        }

        foreach (var word in contractName.Split('.'))
        {
            if (word.Length == 0)
            {
                return new($"The contract name '{contractName}' has an empty word, and a message without [Topic] on topic exchange '{exchange.Name}' is published and bound with it as the routing key: remove the extra '.'", null);
            }
        }

        var wildcard = contractName.IndexOf('#') >= 0 ? "#" : contractName.IndexOf('*') >= 0 ? "*" : null;
        return wildcard is null ? null : new(contractName, wildcard);
    }

    /// <summary>The problem with a parsed message's contract name as its routing key, or null.</summary>
    public static ContractKeyProblem? Problem(MessageModel message) =>
        message.Payload == PayloadKind.Json ? Problem(message.ContractName, message.Exchange, message.RoutingTemplate) : null;

    private static string Short(string text) => text.Length > 40 ? text.Substring(0, 40) + "…" : text;
}
