using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Warren.Generators.Model;
using Warren.Generators.Parsing;

namespace Warren.Generators.Emitting;

/// <summary>Emits the JSON type-info lookups and the message contracts (route table, routing-key builders).</summary>
internal static class ContractsEmitter
{
    public const string HintName = "Warren.Contracts.g.cs";

    public static string Emit(ContractsModel model, GeneratedScope scope)
    {
        var w = new SourceWriter();
        w.Open("namespace " + scope.Namespace);
        w.Line("using global::System.Text.Json.Serialization.Metadata;");
        var contexts = model.ContextsByType();
        if (model.JsonTypes.Count > 0)
        {
            w.Line();
            EmitJsonTypes(w, model, contexts);
        }

        w.Line();
        w.Line("/// <summary>The route table: contract name, exchange, routing key and priority of every message type.</summary>");
        w.GeneratedType();
        w.Open("internal static class WarrenContracts");
        var shared = model.Messages.Where(m => SharedWord(m, contexts)).ToList();
        var words = WordParts(shared.Count);
        if (words.Count > 0)
        {
            // Before the contracts, as any static field they read.
            w.Summary("The routing-key words of the message classes with one string placeholder, each a part of at most "
                + Chunks.Size.ToString(CultureInfo.InvariantCulture) + " types: one delegate for all, given the type's index.");
            foreach (var (field, method, _, _) in words)
            {
                w.Continued($"private static readonly global::System.Func<int, object, string?> {field} =", method + ";");
            }

            w.Line();
        }

        var registrations = model.Messages.Select(message => (System.Action<SourceWriter>)(writer =>
        {
            var index = shared.IndexOf(message);
            var word = index < 0 ? null : $"{(index % Chunks.Size).ToString(CultureInfo.InvariantCulture)}, {words[index / Chunks.Size].Field}";
            EmitContract(writer, message, contexts, word);
        })).ToList();
        Chunks.Emit(w, "public static void Register(global::Warren.WarrenBuilder builder)", "Register", "global::Warren.WarrenBuilder builder", "builder", registrations);
        foreach (var part in words)
        {
            w.Line();
            EmitWords(w, part, shared);
        }

        foreach (var message in model.Messages.Where(m => HasKeyFunction(m) && !(contexts.ContainsKey(m.TypeName) && WordProperty(m) is not null)))
        {
            w.Line();
            EmitRoutingKey(w, $"RoutingKey_{message.Identifier}", $"RoutingKeys_{message.Identifier}", message.TypeName, message.RoutingParts);
        }

        // The helpers only the contracts above use (an unused one would be a warning in the user's build).
        var listed = model.Messages.Where(m => contexts.ContainsKey(m.TypeName)).ToList();
        if (listed.Any(m => !HasKeyFunction(m)))
        {
            w.Line();
            w.Line("/// <summary>Adds the contract of a message type with a fixed routing key, its metadata from <paramref name=\"json\"/>.</summary>");
            w.Line("private static void Contract<T>(");
            w.Line("    global::Warren.WarrenBuilder builder, string name, global::System.Text.Json.Serialization.JsonSerializerContext json,");
            w.Line("    string exchange, string routingKey, byte? priority = null) =>");
            w.Line("    builder.AddContract(new global::Warren.MessageContract<T>(");
            w.Line("        name, global::Warren.Infrastructure.JsonMetadata.Of<T>(json), exchange, routingKey, priority));");
        }

        if (listed.Any(m => HasKeyFunction(m) && WordProperty(m) is null))
        {
            w.Line();
            w.Line("/// <summary>");
            w.Line("/// Adds the contract of a message type whose routing key <paramref name=\"routingKey\"/> builds from its properties, its");
            w.Line("/// metadata from <paramref name=\"json\"/>; the <paramref name=\"template\"/> with its placeholders names the route in metrics and spans.");
            w.Line("/// </summary>");
            w.Line("private static void Contract<T>(");
            w.Line("    global::Warren.WarrenBuilder builder, string name, global::System.Text.Json.Serialization.JsonSerializerContext json,");
            w.Line("    string exchange, global::System.Func<T, string> routingKey, string? template, byte? priority = null) =>");
            w.Line("    builder.AddContract(new global::Warren.MessageContract<T>(");
            w.Line("        name, global::Warren.Infrastructure.JsonMetadata.Of<T>(json), exchange, routingKey, priority) { RoutingKeyTemplate = template });");
        }

        if (shared.Count > 0)
        {
            w.Line();
            w.Line("/// <summary>");
            w.Line("/// Adds the contract of a message class whose routing key is <paramref name=\"template\"/> with its placeholder replaced by");
            w.Line("/// the word <paramref name=\"words\"/> reads from the message as type <paramref name=\"index\"/>, its metadata from");
            w.Line("/// <paramref name=\"json\"/>.");
            w.Line("/// </summary>");
            w.Line("private static void ContractByWordIndex<T>(");
            w.Line("    global::Warren.WarrenBuilder builder, string name, global::System.Text.Json.Serialization.JsonSerializerContext json,");
            w.Line("    string exchange, string template, int index, global::System.Func<int, object, string?> words, byte? priority = null) =>");
            w.Line("    builder.AddContract(new global::Warren.MessageContract<T>(");
            w.Line("        name, global::Warren.Infrastructure.JsonMetadata.Of<T>(json), exchange,");
            w.Line("        new global::Warren.Infrastructure.PlaceholderRoutingKey<T>(template, index, words).For, priority) { RoutingKeyTemplate = template });");
        }

        if (listed.Any(m => WordProperty(m) is not null && !shared.Contains(m)))
        {
            w.Line();
            w.Line("/// <summary>");
            w.Line("/// Adds the contract of a message type whose routing key is <paramref name=\"template\"/> with its placeholder replaced by the");
            w.Line("/// word <paramref name=\"word\"/> reads from the message, its metadata from <paramref name=\"json\"/>.");
            w.Line("/// </summary>");
            w.Line("private static void Contract<T>(");
            w.Line("    global::Warren.WarrenBuilder builder, string name, global::System.Text.Json.Serialization.JsonSerializerContext json,");
            w.Line("    string exchange, string template, global::System.Func<T, string?> word, byte? priority = null) =>");
            w.Line("    builder.AddContract(new global::Warren.MessageContract<T>(");
            w.Line("        name, global::Warren.Infrastructure.JsonMetadata.Of<T>(json), exchange,");
            w.Line("        new global::Warren.Infrastructure.PlaceholderRoutingKey<T>(template, word).For, priority) { RoutingKeyTemplate = template });");
        }

        w.Close();
        w.Close();
        return w.ToString();
    }

    /// <summary>
    /// The metadata generated code looks up by name: of the types generated dispatchers and RPC methods read, and of
    /// types no context lists (which throw, WRN019).
    /// </summary>
    private static void EmitJsonTypes(SourceWriter w, ContractsModel model, System.Collections.Generic.Dictionary<string, string> contexts)
    {
        w.Line("/// <summary>Serialization metadata that dispatchers and RPC code read, from the application's JsonSerializerContext.</summary>");
        w.GeneratedType();
        w.Open("internal static class WarrenJsonTypes");
        foreach (var type in model.JsonTypes)
        {
            var info = $"JsonTypeInfo<{type.TypeName}>";
            w.Summary(Text.Xml(type.TypeName));
            // The property's name repeats its type's: when the two do not fit a line, the name goes on the next.
            var head = $"public static {info} {type.Identifier} =>";
            var lead = "    ";
            if (!w.Fits(head))
            {
                w.Line($"public static {info}");
                head = $"    {type.Identifier} =>";
                lead = "        ";
            }

            if (contexts.TryGetValue(type.TypeName, out var context))
            {
                w.Line(head);
                w.List($"{lead}Cache<{type.TypeName}>.Of(", [context + ".Default"], ");");
            }
            else
            {
                w.Continued(head, $"throw NotSerializable({Literals.String(Short(type.TypeName))});");
            }

            w.Line();
        }

        // The helpers only the properties above use (an unused one would be a warning in the user's build).
        var serializable = model.JsonTypes.Where(t => contexts.ContainsKey(t.TypeName)).ToList();
        if (serializable.Count > 0)
        {
            w.Line("/// <summary>Each type's metadata, once looked up.</summary>");
            w.Open("private static class Cache<T>");
            w.Line("private static JsonTypeInfo<T>? _value;");
            w.Line();
            w.Line("public static JsonTypeInfo<T> Of(global::System.Text.Json.Serialization.JsonSerializerContext json) =>");
            w.Line("    _value ??= global::Warren.Infrastructure.JsonMetadata.Of<T>(json);");
            w.Close();
        }

        if (serializable.Count < model.JsonTypes.Count)
        {
            if (serializable.Count > 0)
            {
                w.Line();
            }

            w.Line("/// <summary>A type no context lists (WRN019 says so at build time).</summary>");
            w.Line("private static global::System.InvalidOperationException NotSerializable(string type) =>");
            w.Line("    new($\"{type} is in no JsonSerializerContext: add [JsonSerializable(typeof({type}))] to the application's context.\");");
        }

        w.Close();
    }

    private static bool HasKeyFunction(MessageModel message) => message.RoutingParts.Any(p => p.IsProperty);

    /// <summary>
    /// Whether a contract's routing-key word is read by the method the contracts share, a switch over an index whose arm
    /// casts the message from <c>object</c>: for a class a context lists, with one string placeholder (a struct, which the
    /// cast would box, keeps its typed lambda).
    /// </summary>
    private static bool SharedWord(MessageModel message, Dictionary<string, string> contexts) =>
        message.IsReferenceType && contexts.ContainsKey(message.TypeName) && WordProperty(message) is not null;

    /// <summary>The parts of at most <see cref="Chunks.Size"/> shared word reads: field, method and the range of types.</summary>
    private static List<(string Field, string Method, int From, int To)> WordParts(int count)
    {
        var parts = new List<(string, string, int, int)>();
        var number = (count + Chunks.Size - 1) / Chunks.Size;
        for (var i = 0; i < number; i++)
        {
            var suffix = number == 1 ? string.Empty : (i + 1).ToString(CultureInfo.InvariantCulture);
            parts.Add(("PlaceholderWords" + suffix, "ReadPlaceholderWord" + suffix, i * Chunks.Size, Math.Min(count, (i + 1) * Chunks.Size)));
        }

        return parts;
    }

    /// <summary>The method behind a part's delegate: a switch over the type's index in the part, each arm casting the message and reading its property.</summary>
    private static void EmitWords(SourceWriter w, (string Field, string Method, int From, int To) part, List<MessageModel> shared)
    {
        w.Summary($"Reads the word of type <paramref name=\"index\"/> of <see cref=\"{part.Field}\"/> from its message.");
        w.Open($"private static string? {part.Method}(int index, object message)");
        w.Open("switch (index)");
        for (var i = part.From; i < part.To; i++)
        {
            var message = shared[i];
            w.Line($"case {(i - part.From).ToString(CultureInfo.InvariantCulture)}:");
            w.Line($"    return (({message.TypeName})message).{Identifiers.Escape(WordProperty(message)!.Text)};");
        }

        w.Line("default:");
        w.Line("    throw new global::System.ArgumentOutOfRangeException(nameof(index), index, \"No such message type.\");");
        w.Close();
        w.Close();
    }

    /// <summary>
    /// The placeholder of a template with exactly one, of a string property: its key is the template's text around the
    /// word, built by the runtime (<c>PlaceholderRoutingKey</c>) from a property read, with no method of its own.
    /// </summary>
    private static RoutingPart? WordProperty(MessageModel message)
    {
        var properties = message.RoutingParts.Where(p => p.IsProperty).ToList();
        return message.RoutingTemplate is not null && properties.Count == 1 && properties[0].Format == PropertyFormat.String ? properties[0] : null;
    }

    /// <summary>
    /// One message type's contract: by the <c>Contract</c> helper when a context lists the type (the metadata comes
    /// from that context), else without metadata (<c>WithoutJsonMetadata</c>: serializing the type says what is missing).
    /// </summary>
    private static void EmitContract(SourceWriter writer, MessageModel message, Dictionary<string, string> contexts, string? sharedWord)
    {
        var exchange = Literals.String(message.Exchange?.Name ?? string.Empty);
        var key = HasKeyFunction(message)
            ? $"RoutingKey_{message.Identifier}"
            : Literals.String(message.RoutingTemplate ?? message.ContractName);
        if (sharedWord is not null)
        {
            Arguments(writer, $"ContractByWordIndex<{message.TypeName}>(", ["builder", Literals.String(message.ContractName), $"{contexts[message.TypeName]}.Default"],
                [exchange, Literals.String(message.RoutingTemplate!), .. sharedWord.Split([", "], StringSplitOptions.None), .. Priority(message)]);
            return;
        }

        if (contexts.TryGetValue(message.TypeName, out var context) && WordProperty(message) is { } word)
        {
            Arguments(writer, $"Contract<{message.TypeName}>(", ["builder", Literals.String(message.ContractName), $"{context}.Default"],
                [exchange, Literals.String(message.RoutingTemplate!), $"static message => message.{Identifiers.Escape(word.Text)}", .. Priority(message)]);
            return;
        }

        if (contexts.TryGetValue(message.TypeName, out context))
        {
            // The template with its placeholders names the route in metrics and spans (a fixed key is its own template).
            List<string> template = HasKeyFunction(message) ? [message.RoutingTemplate is { } t ? Literals.String(t) : "null"] : [];
            Arguments(writer, $"Contract<{message.TypeName}>(", ["builder", Literals.String(message.ContractName), $"{context}.Default"],
                [exchange, key, .. template, .. Priority(message)]);
            return;
        }

        // No usable context lists the type: the contract is registered all the same (registering must not fail for a
        // message the application never uses, such as a referenced one listed only in its library's internal context),
        // and serializing the type throws, saying what is missing.
        List<string> template3 = HasKeyFunction(message) ? [message.RoutingTemplate is { } t3 ? Literals.String(t3) : "null"] : [];
        writer.List(
            $"builder.AddContract(global::Warren.Infrastructure.WithoutJsonMetadata.Contract<{message.TypeName}>(",
            [Literals.String(message.ContractName), exchange, key, .. template3, .. Priority(message)],
            "));");
    }

    /// <summary>A priority outside 1-255 is WRN010: no code for it.</summary>
    private static List<string> Priority(MessageModel message) =>
        message.Priority is { } p and >= 1 and <= 255 ? [p.ToString(CultureInfo.InvariantCulture)] : [];

    /// <summary>
    /// A contract helper's call: the builder, contract name and context on the first line and the rest on the next
    /// when both fit <see cref="SourceWriter.Width"/>, else the arguments together under the head, else the two groups a
    /// line each under it, else an argument a line.
    /// </summary>
    private static void Arguments(SourceWriter w, string head, List<string> first, List<string> rest, string tail = ");")
    {
        var line = head + string.Join(", ", first) + ",";
        var next = "    " + string.Join(", ", rest) + tail;
        List<string> all = [.. first, .. rest];
        if (w.Fits(line) && w.Fits(next))
        {
            w.Line(line);
            w.Line(next);
        }
        else if (w.Fits(head + string.Join(", ", all) + tail) || w.Fits("    " + string.Join(", ", all) + tail))
        {
            w.Call(head, all, tail);
        }
        else if (w.Fits("    " + string.Join(", ", first) + ",") && w.Fits(next))
        {
            // The head alone, then the two groups a line each.
            w.Line(head);
            w.Line("    " + string.Join(", ", first) + ",");
            w.Line(next);
        }
        else
        {
            w.List(head, all, tail);
        }
    }

    /// <summary>
    /// A static method building a routing key from a message's properties, through a small cache keyed by the property
    /// values (<c>RoutingKeyCache</c>) kept in <paramref name="cacheField"/>: values seen recently reuse their key.
    /// </summary>
    public static void EmitRoutingKey(SourceWriter w, string methodName, string cacheField, string typeName, EquatableArray<RoutingPart> parts)
    {
        var missing = parts.FirstOrDefault(p => p.IsProperty && p.Format == PropertyFormat.None);
        if (missing is not null)
        {
            w.List($"internal static string {methodName}(", [$"{typeName} message"], ")");
            w.Open(string.Empty);
            w.List("throw new global::System.InvalidOperationException(", [Literals.String($"{Short(typeName)} has no public property '{missing.Text}' for the routing-key placeholder {{{missing.Text}}}.")], ");");
            w.Close();
            return;
        }

        var properties = parts.Where(p => p.IsProperty).ToList();
        var single = properties.Count == 1;
        var values = single
            ? $"message.{Identifiers.Escape(properties[0].Text)}"
            : $"({string.Join(", ", properties.Select(p => $"message.{Identifiers.Escape(p.Text)}"))})";
        var index = 0;
        var pieces = parts.Select(p => p.IsProperty
            ? $"global::Warren.Infrastructure.RoutingKeys.Segment({(single ? "values" : $"values.Item{++index}")}, {Literals.String(p.Text)}, {Literals.String(Short(typeName))})"
            : Literals.String(p.Text)).ToList();
        w.Line($"private static object? {cacheField};");
        w.Line();
        w.List($"internal static string {methodName}(", [$"{typeName} message"], ") =>");
        var get = $"    global::Warren.Infrastructure.RoutingKeyCache.Get(ref {cacheField}, {values}, static values =>";
        if (w.Fits(get))
        {
            w.Line(get);
        }
        else
        {
            // The arguments a line each, the lambda last.
            w.Line("    global::Warren.Infrastructure.RoutingKeyCache.Get(");
            w.Line($"        ref {cacheField},");
            w.Line($"        {values},");
            w.Line("        static values =>");
        }

        // The key's pieces joined by '+', a piece a line when they do not fit one.
        w.Chain(w.Fits(get) ? "        " : "            ", pieces, "+", ");", w.Fits(get) ? "            " : "                ");
    }

    public static string Short(string typeName)
    {
        var name = typeName.StartsWith("global::") ? typeName.Substring(8) : typeName;
        var dot = name.LastIndexOf('.');
        return dot < 0 ? name : name.Substring(dot + 1);
    }

}
