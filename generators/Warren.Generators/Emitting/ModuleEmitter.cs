using Warren.Generators.Model;

namespace Warren.Generators.Emitting;

/// <summary>
/// Emits the public module registration of an assembly with consumers or RPC servers, and the assembly attribute naming
/// it: the generator of every assembly referencing this one calls it from <c>AddGeneratedHandlers()</c>.
/// </summary>
internal static class ModuleEmitter
{
    public const string HintName = "Warren.Module.g.cs";

    public static bool HasModule(RegistrationModel registration) =>
        registration.Module.HasWarren && registration.Consumers.Count + registration.RpcServers.Count > 0;

    public static string Emit(ModuleModel registration)
    {
        var w = new SourceWriter();
        w.Call("[assembly: global::Warren.Infrastructure.WarrenModuleAttribute(", [$"typeof(global::Warren.Generated.{registration.ModuleClassName})"], ")]");
        w.Line();
        w.Open("namespace Warren.Generated");
        w.Summary(
            "Registers this assembly's consumers, RPC servers, topology and contracts; called by the generated "
            + "<c>AddGeneratedHandlers()</c> of the assemblies referencing it.");
        w.GeneratedType();
        w.Line("[global::System.ComponentModel.EditorBrowsable(global::System.ComponentModel.EditorBrowsableState.Never)]");
        w.Open($"public static class {registration.ModuleClassName}");
        w.Line("/// <summary>Registers what this assembly declares.</summary>");
        w.Open("public static void Register(global::Warren.WarrenBuilder builder)");
        w.Line(registration.Scope.QualifiedRegistrationClass + ".RegisterAssembly(builder);");
        w.Close();
        w.Close();
        w.Close();
        return w.ToString();
    }
}
