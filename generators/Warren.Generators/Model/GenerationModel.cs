using System.Collections.Generic;
using System.Linq;

namespace Warren.Generators.Model;

/// <summary>Everything one compilation declares, merged and sorted so the output is deterministic.</summary>
internal sealed record GenerationModel(
    EquatableArray<MessageModel> Messages,
    EquatableArray<ConsumerModel> Consumers,
    EquatableArray<PublisherModel> Publishers,
    EquatableArray<JsonContextModel> JsonContexts)
{
    public static GenerationModel Create(
        IEnumerable<MessageModel> attributedMessages,
        IEnumerable<ConsumerModel> consumers,
        IEnumerable<PublisherModel> publishers,
        IEnumerable<JsonContextModel> contexts)
    {
        var consumerList = consumers.GroupBy(c => c.TypeName).Select(g => g.First()).OrderBy(c => c.TypeName, System.StringComparer.Ordinal).ToList();
        var publisherList = publishers.GroupBy(p => p.InterfaceName).Select(g => g.First()).OrderBy(p => p.InterfaceName, System.StringComparer.Ordinal).ToList();

        // Every message a handler receives or a publisher sends gets a contract, attributed or not.
        var messages = attributedMessages
            .Concat(consumerList.SelectMany(c => c.Handlers.Select(h => h.Message)))
            .Concat(publisherList.SelectMany(p => p.Methods.Select(m => m.Message)))
            .GroupBy(m => m.TypeName)
            .Select(g => g.First())
            .OrderBy(m => m.TypeName, System.StringComparer.Ordinal);
        return new GenerationModel(
            messages.ToEquatableArray(),
            consumerList.ToEquatableArray(),
            publisherList.ToEquatableArray(),
            contexts.GroupBy(c => c.ContextName).Select(g => g.First()).OrderBy(c => c.ContextName, System.StringComparer.Ordinal).ToEquatableArray());
    }

    public bool IsEmpty => Messages.Count == 0 && Consumers.Count == 0 && Publishers.Count == 0;

    /// <summary>The context that serializes a type (the first, by name, that lists it), or null.</summary>
    public string? ContextFor(string typeName) =>
        JsonContexts.FirstOrDefault(c => c.TypeNames.Contains(typeName))?.ContextName;
}
