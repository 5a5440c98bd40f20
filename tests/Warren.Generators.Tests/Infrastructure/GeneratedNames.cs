using System;
using System.Reflection;
using Warren.Generators.Model;

namespace Warren.Generators.Tests.Infrastructure;

/// <summary>The generated types of a loaded assembly, by the names unique to it (<see cref="GeneratedScope"/>).</summary>
internal static class GeneratedNames
{
    /// <summary>The generated <c>AddGeneratedHandlers(builder)</c> of <paramref name="assembly"/>.</summary>
    public static MethodInfo AddGeneratedHandlers(Assembly assembly) =>
        assembly.GetType("Warren." + Scope(assembly).RegistrationClass, throwOnError: true)!
            .GetMethod("AddGeneratedHandlers", BindingFlags.Public | BindingFlags.Static)!;

    /// <summary>The full name of the generated internal type <paramref name="name"/> of <paramref name="assembly"/>.</summary>
    public static string Of(Assembly assembly, string name) => Scope(assembly).Namespace + "." + name;

    private static GeneratedScope Scope(Assembly assembly) => GeneratedScope.Of(assembly.GetName().Name ?? throw new ArgumentException("no name", nameof(assembly)));
}
