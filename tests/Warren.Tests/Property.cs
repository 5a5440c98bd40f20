using System;
using System.Threading;
using CsCheck;
using Xunit.Sdk;

namespace Warren.Tests;

/// <summary>
/// Randomized checks with a fixed seed: one seeded CsCheck sample of <c>count</c> cases, so every run (and CI) checks the
/// same cases, and a failure names the case that failed. Set <c>CsCheck_Seed</c> to explore other seeds.
/// </summary>
internal static class Property
{
    public const string Seed = "c2XC4oCRFMO1";

    /// <summary>
    /// How many cases the last <see cref="ForAll{T}"/> of this test checked (lets a test prove it ran them). Kept per
    /// flow of execution: test classes run in parallel, and another test's run must not change what this one reads.
    /// </summary>
    public static int LastCount => s_lastCount.Value;

    private static readonly AsyncLocal<int> s_lastCount = new();

    public static void ForAll<T>(Gen<T> gen, int count, Action<T> assert, Func<T, string> print)
    {
        var checkedCount = 0;
        gen.Array[count].Sample(
            cases =>
            {
                checkedCount = 0;
                foreach (var item in cases)
                {
                    try
                    {
                        assert(item);
                    }
                    catch (Exception ex)
                    {
                        throw new XunitException($"Failing case: {print(item)}{Environment.NewLine}{ex.Message}");
                    }

                    checkedCount++;
                }
            },
            seed: Environment.GetEnvironmentVariable("CsCheck_Seed") is { Length: > 0 } ? null : Seed,
            iter: 1,
            threads: 1,
            print: cases => $"{cases.Length} cases");
        s_lastCount.Value = checkedCount;
    }
}
