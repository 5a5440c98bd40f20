using System;
using System.ComponentModel;

namespace Warren.Infrastructure;

/// <summary>
/// Generated into an assembly that declares consumers or RPC servers: names the public class whose static
/// <c>Register(WarrenBuilder)</c> registers them. The generator of every assembly referencing this one reads the
/// attribute at compile time and calls that method from its own <c>AddGeneratedHandlers()</c>, so consumers declared in
/// a library are registered by the host without reflection. Not meant to be written by hand.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
[AttributeUsage(AttributeTargets.Assembly, AllowMultiple = false, Inherited = false)]
public sealed class WarrenModuleAttribute : Attribute
{
    /// <summary>Names the module's registration class.</summary>
    public WarrenModuleAttribute(Type registration)
    {
        Registration = registration;
    }

    /// <summary>The public static class with <c>Register(WarrenBuilder)</c>.</summary>
    public Type Registration { get; }
}
