using System;
using System.Collections.Generic;
using System.Linq;

namespace Warren.Generators.Model;

/// <summary>
/// Makes the names the emitted code relies on unique across a compilation: C# identifiers (two types whose names
/// differ only by '.' and '_' map to one identifier: the later one, by type name, gets a number) and default contract
/// names (two types sharing one, such as <c>Orders.Created</c> and <c>Users.Created</c>, both take their
/// namespace-qualified names; names given by <c>[Message]</c> are never changed, and a collision of those is WRN022).
/// </summary>
internal static class ModelNames
{
    /// <summary>Names the generated class holding the identifiers declares itself (its helpers).</summary>
    public static readonly string[] JsonTypeHelpers = ["Cache", "From", "NotSerializable"];

    /// <summary>The list of a dispatcher group's consumers with the default failure policy.</summary>
    public const string DefaultRetryList = "WithDefaultRetry";

    /// <summary>A dispatcher group's shared handler calls: the delegate field and its method, numbered from 1 when several.</summary>
    public const string SharedCallsField = "HandlerCalls";

    /// <inheritdoc cref="SharedCallsField"/>
    public const string SharedCallMethod = "CallHandler";

    /// <summary>
    /// Names a dispatcher group class declares besides its consumers' members (a consumer in the global namespace is
    /// named by its class name alone): consumers never take them. 99 parts of 100 consumers is far beyond one group.
    /// </summary>
    public static readonly string[] DispatcherGroupMembers = new[] { DefaultRetryList, SharedCallsField, SharedCallMethod }
        .Concat(Enumerable.Range(1, 99).SelectMany(n => new[] { SharedCallsField + n, SharedCallMethod + n }))
        .ToArray();

    public static Dictionary<string, string> UniqueIdentifiers(IEnumerable<(string TypeName, string Identifier)> types, params string[] reserved)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        var taken = new HashSet<string>(reserved, StringComparer.Ordinal);
        foreach (var (typeName, identifier) in types.Distinct().OrderBy(t => t.TypeName, StringComparer.Ordinal))
        {
            if (result.ContainsKey(typeName))
            {
                continue;
            }

            var candidate = identifier;
            for (var n = 2; !taken.Add(candidate); n++)
            {
                candidate = identifier + "_" + n.ToString(System.Globalization.CultureInfo.InvariantCulture);
            }

            result.Add(typeName, candidate);
        }

        return result;
    }

    /// <summary>
    /// A handler with its message's final model: a default binding made of the contract name (a message without
    /// <c>[Topic]</c>, published with its contract name as the key) follows that name when it was qualified.
    /// </summary>
    public static HandlerModel WithFinalMessage(HandlerModel handler, MessageModel final)
    {
        var parsed = handler.Message;
        if (parsed.RoutingTemplate is not null || parsed.ContractName == final.ContractName)
        {
            return handler with { Message = final };
        }

        return handler with
        {
            Message = final,
            Bindings = handler.Bindings
                .Select(b => b.FromMessage && b.HeadersMatch is null && b.RoutingKey == parsed.ContractName ? b with { RoutingKey = final.ContractName } : b)
                .ToEquatableArray(),
        };
    }

    /// <summary>
    /// The message types whose default contract name, qualified by its namespace (WRN035), cannot be used as it is
    /// (<see cref="Rules.ContractKeyRules"/>: over 255 bytes, as the <c>type</c> property or the routing key). The short
    /// name was judged when the type was parsed; the qualified one only exists once every message is known. The
    /// generator emits nothing for these types, their handlers or the publishers sending them; the analyzers report
    /// WRN001 at the message (<c>CompilationRulesAnalyzer</c>).
    /// </summary>
    public static HashSet<string> UnusableQualifiedNames(IEnumerable<MessageModel> final) =>
        new(
            final.Where(m => m.QualifiedContractName is not null && m.ContractName == m.QualifiedContractName && Rules.ContractKeyRules.Problem(m) is not null).Select(m => m.TypeName),
            StringComparer.Ordinal);

    /// <summary>Final message models: unique identifiers and default contract names that do not collide.</summary>
    public static Dictionary<string, MessageModel> Messages(IEnumerable<MessageModel> messages, IReadOnlyDictionary<string, string> identifiers)
    {
        var list = messages.GroupBy(m => m.TypeName).Select(g => g.First()).ToList();
        var colliding = new HashSet<string>(
            list.GroupBy(m => m.ContractName).Where(g => g.Count() > 1).SelectMany(g => g).Where(m => m.QualifiedContractName is not null).Select(m => m.TypeName),
            StringComparer.Ordinal);
        return list.ToDictionary(
            m => m.TypeName,
            m => m with
            {
                Identifier = identifiers.TryGetValue(m.TypeName, out var id) ? id : m.Identifier,
                ContractName = colliding.Contains(m.TypeName) ? m.QualifiedContractName! : m.ContractName,
            },
            StringComparer.Ordinal);
    }
}
