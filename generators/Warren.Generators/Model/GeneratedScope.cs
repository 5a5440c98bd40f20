using Warren.Generators.Parsing;

namespace Warren.Generators.Model;

/// <summary>
/// The names of an assembly's generated internal types, unique to the assembly: its types are in namespace
/// <c>Warren.Generated.For_{assembly}</c> (<see cref="Namespace"/>) and its registration is class
/// <c>Warren.WarrenGeneratedRegistration_{assembly}</c> (<see cref="RegistrationClass"/>), where <c>{assembly}</c> is the
/// assembly's name made an identifier distinct for every name (<see cref="Names.AssemblyIdentifier"/>: <c>Shop_Api</c>
/// stays <c>Shop_Api</c>, <c>Shop.Api</c> → <c>Shop_Api__</c> and a hash of the name). A project given another assembly's internals
/// (<c>InternalsVisibleTo</c>) that runs Warren too sees both assemblies' generated types, each under its own name: none
/// hides another, and generated code binds to its own without a warning to suppress. The <c>For_</c> prefix keeps an
/// assembly named like a type generated code names without qualification (<c>Topology</c>) from hiding that type.
/// </summary>
/// <param name="AssemblyId">The assembly's name as an identifier.</param>
internal sealed record GeneratedScope(string AssemblyId)
{
    /// <summary>The scope of the assembly <paramref name="assemblyName"/>.</summary>
    public static GeneratedScope Of(string? assemblyName) => new(Names.AssemblyIdentifier(assemblyName ?? "Assembly"));

    /// <summary>The namespace of the assembly's generated internal types.</summary>
    public string Namespace => "Warren.Generated.For_" + AssemblyId;

    /// <summary>The fully qualified prefix of the assembly's generated internal types, dot included.</summary>
    public string Qualifier => "global::" + Namespace + ".";

    /// <summary>The class (namespace <c>Warren</c>) declaring the assembly's <c>AddGeneratedHandlers()</c>.</summary>
    public string RegistrationClass => "WarrenGeneratedRegistration_" + AssemblyId;

    /// <summary>The registration class, fully qualified.</summary>
    public string QualifiedRegistrationClass => "global::Warren." + RegistrationClass;
}
