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
/// The assembly's generator lists the names it decided for its public message types, closed generic ones included, in
/// <c>[assembly: AssemblyMetadata("Warren.ContractNames", …)]</c> (<see cref="Key"/>, emitted by
/// <c>ContractNamesEmitter</c>): those are used as they are. An assembly built by a Warren that did not list them is
/// read again as its own generator read it from source (<see cref="Read"/>): its attributed types (public or not), the
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

    private static readonly string[] MessageAttributes = [KnownNames.ExchangeAttribute, KnownNames.TopicAttribute, KnownNames.MessageAttribute, KnownNames.PriorityAttribute];

    // The symbol of an unchanged metadata reference is shared between compilations: each assembly is read once.
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<IAssemblySymbol, Dictionary<string, string>> Cache = new();

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

        return Cache.GetValue(assembly, static a => Listed(a) ?? Read(a)).TryGetValue(type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat), out var name) ? name : null;
    }

    /// <summary>Whether the generator that built <paramref name="assembly"/> listed the contract names it decided.</summary>
    public static bool Lists(IAssemblySymbol assembly) => Listed(assembly) is not null;

    /// <summary>The names <paramref name="assembly"/>'s generator listed (<see cref="Key"/>), or null when it listed none.</summary>
    private static Dictionary<string, string>? Listed(IAssemblySymbol assembly)
    {
        foreach (var attribute in assembly.GetAttributes())
        {
            if (attribute.AttributeClass?.ToDisplayString() == "System.Reflection.AssemblyMetadataAttribute"
                && attribute.ConstructorArguments.Length == 2
                && attribute.ConstructorArguments[0].Value is Key
                && attribute.ConstructorArguments[1].Value is string value)
            {
                var names = new Dictionary<string, string>(System.StringComparer.Ordinal);
                foreach (var line in value.Split('\n'))
                {
                    var separator = line.IndexOf('=');
                    if (separator > 0)
                    {
                        names[line.Substring(0, separator)] = line.Substring(separator + 1).TrimEnd('\r');
                    }
                }

                return names;
            }
        }

        return null;
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
                .ToDictionary(m => m.TypeName, m => m.ContractName, System.StringComparer.Ordinal);
        }
        finally
        {
            reading.Remove(assembly);
        }
    }
}
