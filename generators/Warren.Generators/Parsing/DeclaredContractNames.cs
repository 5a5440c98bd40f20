using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Warren.Generators.Model;

namespace Warren.Generators.Parsing;

/// <summary>
/// The default contract names a referenced assembly built against Warren gave the message types it declares. A default
/// name is qualified by its namespace when another message type of the same compilation shares it (WRN035,
/// <see cref="ModelNames.Messages"/>): which types that compilation had decides the name, so a service referencing the
/// assembly must not decide it again from what it sees itself, or one type would carry two contract names (and two
/// routing keys) across the system.
/// <para>
/// The assembly's generator lists the names it decided for the message types another assembly can see (public ones,
/// closed generic ones included, and internal ones when it gives its internals with <c>InternalsVisibleTo</c>), in
/// <c>[assembly: AssemblyMetadata("Warren.ContractNames", …)]</c> (<see cref="Key"/>, emitted by
/// <c>ContractNamesEmitter</c>): those are used as they are. A type the list does not hold, and an assembly without a
/// list this generator can read (built by a Warren that did not list names, a list of another format, a hand-written
/// or repeated attribute), is read again as its own generator read it from source (<see cref="Read"/>): its attributed types (public or not), the
/// messages of its consumers and publishers, and the public messages and publisher interfaces' messages of the
/// assemblies it references (named, in turn, by their own); that cannot know which types its build left out, nor the
/// rules of an older generator. A type the assembly did not use as a message has no name here, and the referencing
/// compilation names it.
/// </para>
/// </summary>
internal static class DeclaredContractNames
{
    /// <summary>The key of the assembly metadata listing the decided names: a line per type: its name, <c>=</c>, its contract name.</summary>
    public const string Key = "Warren.ContractNames";

    /// <summary>The first line of the list: the format of the lines that follow. A list starting otherwise is not read.</summary>
    public const string Format = "warren-contract-names/1";

    /// <summary>An assembly's listed names, and those read again from its metadata for a type the list does not hold.</summary>
    private sealed class Entry(Dictionary<string, string>? listed)
    {
        public Dictionary<string, string>? Listed { get; } = listed;

        public Dictionary<string, string>? Rebuilt { get; set; }
    }

    private static readonly string[] MessageAttributes = [KnownNames.ExchangeAttribute, KnownNames.TopicAttribute, KnownNames.MessageAttribute, KnownNames.PriorityAttribute];

    // The symbol of an unchanged metadata reference is shared between compilations: each assembly is read once.
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<IAssemblySymbol, Entry> Cache = new();

    // The assemblies being read on this thread: their own types are parsed as their generator parsed them, from attributes.
    [System.ThreadStatic]
    private static HashSet<IAssemblySymbol>? _reading;

    /// <summary>
    /// The default contract name the referenced assembly declaring <paramref name="type"/> gave it, or null (also for a
    /// type of <paramref name="own"/>, the assembly being built, which names its types itself).
    /// </summary>
    public static string? Of(ITypeSymbol type, IAssemblySymbol? own)
    {
        if (type is not INamedTypeSymbol || MessageParser.DeclaredIn(type, own) || type.ContainingAssembly is not { } assembly || !UsesWarren(assembly))
        {
            return null;
        }

        _reading ??= new HashSet<IAssemblySymbol>(SymbolEqualityComparer.Default);
        if (_reading.Contains(assembly))
        {
            return null;
        }

        var key = LookupKey(type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat));
        var entry = Cache.GetValue(assembly, static a => new Entry(Listed(a)));
        if (entry.Listed is { } listed && listed.TryGetValue(key, out var name))
        {
            return name;
        }

        // Not listed: read again (once; two threads reading at once find the same names).
        var rebuilt = entry.Rebuilt ??= Read(assembly);
        return rebuilt.TryGetValue(key, out name) ? name : null;
    }

    private static readonly System.Text.RegularExpressions.Regex TupleElementName =
        new(@"(?<=[\w>\]?)]) [A-Za-z_][A-Za-z0-9_]*(?=[,)])", System.Text.RegularExpressions.RegexOptions.CultureInvariant);

    /// <summary>
    /// A type's fully qualified name without the element names of its tuple types (<c>Envelope&lt;(int A, string B)&gt;</c>
    /// is <c>Envelope&lt;(int, string)&gt;</c>): one type whatever names a compilation gives its elements.
    /// </summary>
    public static string LookupKey(string typeName) => TupleElementName.Replace(typeName, string.Empty);

    /// <summary>Whether the generator that built <paramref name="assembly"/> listed the contract names it decided.</summary>
    public static bool Lists(IAssemblySymbol assembly) => Listed(assembly) is not null;

    /// <summary>
    /// The names <paramref name="assembly"/>'s generator listed (<see cref="Key"/>), or null when it listed none that
    /// can be read: no attribute, more than one, a list not starting with <see cref="Format"/>, or a line that is not
    /// a name, <c>=</c> and a contract name.
    /// </summary>
    private static Dictionary<string, string>? Listed(IAssemblySymbol assembly)
    {
        string? value = null;
        foreach (var attribute in assembly.GetAttributes())
        {
            if (attribute.AttributeClass?.ToDisplayString() == "System.Reflection.AssemblyMetadataAttribute"
                && attribute.ConstructorArguments.Length == 2
                && attribute.ConstructorArguments[0].Value is Key)
            {
                if (value is not null || attribute.ConstructorArguments[1].Value is not string listed)
                {
                    return null;
                }

                value = listed;
            }
        }

        if (value is null)
        {
            return null;
        }

        var lines = value.Split('\n');
        if (lines[0].TrimEnd('\r') != Format)
        {
            return null;
        }

        var names = new Dictionary<string, string>(System.StringComparer.Ordinal);
        for (var i = 1; i < lines.Length; i++)
        {
            var line = lines[i].TrimEnd('\r');
            if (line.Length == 0)
            {
                continue;
            }

            var separator = line.IndexOf('=');
            if (separator <= 0 || separator == line.Length - 1 || line.IndexOf('=', separator + 1) >= 0 || names.ContainsKey(LookupKey(line.Substring(0, separator))))
            {
                return null;
            }

            names.Add(LookupKey(line.Substring(0, separator)), line.Substring(separator + 1));
        }

        return names;
    }

    private static bool UsesWarren(IAssemblySymbol assembly) =>
        assembly.Name != "Warren" && assembly.Modules.Any(m => m.ReferencedAssemblySymbols.Any(r => r.Name == "Warren"));

    private static Dictionary<string, string> Read(IAssemblySymbol assembly)
    {
        var reading = _reading ??= new HashSet<IAssemblySymbol>(SymbolEqualityComparer.Default);
        reading.Add(assembly);
        try
        {
            var declared = new HashSet<string>(System.StringComparer.Ordinal);
            var messages = new List<MessageModel>();
            foreach (var type in ReferencedAssemblies.PublicTypes(assembly, publicOnly: false))
            {
                declared.Add(type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat));
                if (type.TypeKind == TypeKind.Interface)
                {
                    if (AttributeReader.Has(type, KnownNames.PublisherAttribute) && PublisherParser.TryParse(type) is { } publisher)
                    {
                        messages.AddRange(publisher.Methods.Select(m => m.Message));
                    }
                }
                else if (ConsumerParser.TryParse(type) is { } consumer)
                {
                    messages.AddRange(consumer.Handlers.Select(h => h.Message));
                }
                else if (MessageParser.FirstAttribute(type, MessageAttributes) is not null && MessageParser.TryParseAttributed(type, assembly, new HashSet<string>()) is { } message)
                {
                    messages.Add(message);
                }
            }

            foreach (var referenced in assembly.Modules.SelectMany(m => m.ReferencedAssemblySymbols).Where(UsesWarren))
            {
                foreach (var type in ReferencedAssemblies.PublicTypes(referenced))
                {
                    if (ReferencedAssemblies.IsAttributedMessage(type))
                    {
                        if (MessageParser.TryParseAttributed(type, assembly, new HashSet<string>()) is { } message)
                        {
                            messages.Add(message);
                        }
                    }
                    else if (ReferenceParser.IsReferencedPublisher(type) && PublisherParser.TryParse(type, new HashSet<string>(), assembly) is { } publisher)
                    {
                        // The public publisher interfaces of its references, which the assembly implemented too.
                        messages.AddRange(publisher.Methods.Select(m => m.Message));
                    }
                }
            }

            // Names given by [Message] are not default names: Parse reads those itself.
            return ModelNames.Messages(messages.Where(m => m.Payload == PayloadKind.Json), new Dictionary<string, string>())
                .Values
                .Where(m => declared.Contains(m.TypeName) && m.QualifiedContractName is not null)
                .GroupBy(m => LookupKey(m.TypeName), System.StringComparer.Ordinal)
                .ToDictionary(g => g.Key, g => g.First().ContractName, System.StringComparer.Ordinal);
        }
        finally
        {
            reading.Remove(assembly);
        }
    }
}
