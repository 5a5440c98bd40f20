using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.Loader;
using Microsoft.CodeAnalysis;
using Xunit;

namespace Warren.Generators.Tests.Infrastructure;

/// <summary>
/// Libraries and a project a test compiled, loaded in a context of their own to run their generated code; Warren and the
/// framework are shared with the test.
/// </summary>
internal sealed class LibraryLoadContext : AssemblyLoadContext
{
    public LibraryLoadContext(string name, params byte[][] libraries)
        : base(name)
    {
        Libraries = libraries.Select(l => LoadFromStream(new MemoryStream(l))).ToArray();
    }

    public Assembly[] Libraries { get; }

    /// <summary>Emits <paramref name="compilation"/> (it must compile) and loads it here.</summary>
    public Assembly LoadImage(Compilation compilation) => LoadFromStream(new MemoryStream(Emit(compilation)));

    /// <summary>The image of <paramref name="compilation"/>, which must compile.</summary>
    public static byte[] Emit(Compilation compilation)
    {
        using var image = new MemoryStream();
        var emitted = compilation.Emit(image);
        Assert.True(emitted.Success, string.Join("\n", emitted.Diagnostics));
        return image.ToArray();
    }

    protected override Assembly? Load(AssemblyName assemblyName) => Libraries.FirstOrDefault(l => l.GetName().Name == assemblyName.Name);
}
