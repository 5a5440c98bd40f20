using System.IO;
using System.Runtime.CompilerServices;
using PublicApiGenerator;
using Warren.Generators.Tests.Snapshots;
using Warren.Testing;
using Xunit;

namespace Warren.Generators.Tests.UserFacing;

/// <summary>
/// The public surface of Warren.dll and Warren.Testing.dll, compared with a committed listing so that it never grows
/// or changes unnoticed. After a deliberate change: <c>WARREN_ACCEPT_SNAPSHOTS=1 dotnet test tests/Warren.Generators.Tests --filter PublicApi</c>,
/// then review and commit <c>_snapshots/PublicApi#*.verified.cs</c> (see CONTRIBUTING.md).
/// </summary>
public sealed class PublicApiTests
{
    private static readonly ApiGeneratorOptions Options = new()
    {
        ExcludeAttributes =
        [
            "System.Runtime.Versioning.TargetFrameworkAttribute",
            "System.Reflection.AssemblyMetadataAttribute",
            "System.Runtime.CompilerServices.InternalsVisibleToAttribute",
        ],
    };

    [Fact]
    public void Warren_public_api_is_the_approved_one() =>
        Verifier().Verify("PublicApi#Warren", typeof(IPublisher).Assembly.GeneratePublicApi(Options));

    [Fact]
    public void Warren_Testing_public_api_is_the_approved_one() =>
        Verifier().Verify("PublicApi#Warren.Testing", typeof(WarrenTestHarness).Assembly.GeneratePublicApi(Options));

    private static SnapshotVerifier Verifier([CallerFilePath] string file = "") =>
        new(Path.Combine(Path.GetDirectoryName(Path.GetDirectoryName(file))!, "_snapshots"), SnapshotVerifier.AcceptRequested());
}
