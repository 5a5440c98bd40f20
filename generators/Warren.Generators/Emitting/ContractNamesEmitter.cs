using System.Linq;
using Warren.Generators.Model;
using Warren.Generators.Parsing;

namespace Warren.Generators.Emitting;

/// <summary>
/// Emits the default contract names this assembly's generator decided for the message types another assembly can see
/// (public ones, and internal ones too when the assembly gives its internals with <c>InternalsVisibleTo</c>), as one
/// <c>[assembly: AssemblyMetadata("Warren.ContractNames", …)]</c>: a first line naming the format
/// (<see cref="DeclaredContractNames.Format"/>), then a line per type, its fully qualified name, <c>=</c> and its contract
/// name (neither holds a <c>=</c>, a quote or a line break: both are made of the type's identifiers). The generator of
/// a service referencing the assembly uses these names as they are (<see cref="DeclaredContractNames"/>), so a publisher
/// here and a consumer there (or the reverse) agree on the <c>type</c> property and the routing key whatever else each
/// compilation sees. Names given by <c>[Message]</c> are read from the attribute and are not listed; the attribute is
/// there (with the format line only) all the same, saying that nothing else was decided here.
/// </summary>
internal static class ContractNamesEmitter
{
    public const string HintName = "Warren.ContractNames.g.cs";

    /// <summary>The lines to list, or null when the assembly declares no message type another assembly can see.</summary>
    public static ContractNamesModel? From(ContractsModel contracts)
    {
        var exported = contracts.Messages.Where(m => m.Exported && m.Payload == PayloadKind.Json).ToList();
        return exported.Count == 0
            ? null
            : new ContractNamesModel(exported
                .Where(m => m.QualifiedContractName is not null)
                .Select(m => DeclaredContractNames.LookupKey(m.TypeName) + "=" + m.ContractName)
                .Distinct()
                .OrderBy(l => l, System.StringComparer.Ordinal)
                .ToEquatableArray());
    }

    public static string Emit(ContractNamesModel model)
    {
        var w = new SourceWriter();
        w.Line($"[assembly: global::System.Reflection.AssemblyMetadata({Literals.String(DeclaredContractNames.Key)}, @\"{DeclaredContractNames.Format}");
        for (var i = 0; i < model.Lines.Count; i++)
        {
            w.Line(model.Lines[i]);
        }

        w.Line("\")]");
        return w.ToString();
    }
}

/// <summary>The default contract names of the assembly's message types other assemblies see, a line each (<see cref="ContractNamesEmitter"/>).</summary>
internal sealed record ContractNamesModel(EquatableArray<string> Lines);
