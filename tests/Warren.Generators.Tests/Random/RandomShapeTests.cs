using System;
using System.Linq;
using CsCheck;
using Warren.Generators.Tests.Infrastructure;
using Xunit;
using Xunit.Abstractions;

namespace Warren.Generators.Tests.Random;

/// <summary>
/// The build-time invariant on programs nobody wrote by hand: random compositions of message shapes and attributes,
/// consumer classes, handler signatures, publishers and RPC services (<see cref="ShapeProgram"/>), each run through
/// the generators, the compiler and the analyzers as <c>dotnet build</c> does. Either everything compiles with no
/// diagnostic, or Warren reports an error on the user's code; never a diagnostic in a generated file.
/// The seed is fixed so CI is repeatable; <c>WARREN_SHAPES_SEED</c> and <c>WARREN_SHAPES_ITERATIONS</c> override it
/// (for example to explore: <c>WARREN_SHAPES_SEED=random</c>, where CsCheck shrinks a failing program and prints it
/// with its seed; <c>WARREN_SHAPES_SEED=program:SEED</c> replays that program alone).
/// With the fixed seed a failure prints the failing program as C#.
/// </summary>
public sealed class RandomShapeTests(ITestOutputHelper output)
{
    private const string FixedSeed = "fgPs4Xb0bft1";
    private const int DefaultIterations = 60;

    // Most choices are the plain one (0): a program then has a few unusual parts, and about as many programs are valid
    // as rejected.
    private static readonly Gen<int[]> Choices = Gen.Frequency((4, Gen.Const(0)), (1, Gen.Int[0, 1000])).Array[8];

    private static readonly Gen<ShapeProgram> Programs = Gen.Select(
        Choices.Array[0, 3],
        Gen.Select(Choices, Choices.Array[1, 3]).Array[0, 3],
        Gen.Select(Choices, Choices.Array[1, 2]).Array[0, 2],
        Gen.Select(Choices, Choices.Array[1, 3]).Array[0, 2],
        Gen.Frequency((6, Gen.Const(0)), (1, Gen.Int[0, 1000])).Array[24],
        (messages, consumers, publishers, services, json) => new ShapeProgram(messages, consumers, publishers, services, json));

    [Fact]
    public void Generated_code_compiles_cleanly_or_warren_reports_an_error_for_random_programs()
    {
        var seed = Environment.GetEnvironmentVariable("WARREN_SHAPES_SEED") is { Length: > 0 } given ? given : FixedSeed;
        var iterations = int.TryParse(Environment.GetEnvironmentVariable("WARREN_SHAPES_ITERATIONS"), out var n) ? n : DefaultIterations;
        var valid = 0;
        var rejected = 0;
        var invalidCSharp = 0;
        var errors = new System.Collections.Concurrent.ConcurrentDictionary<string, int>();
        void Check(ShapeProgram program)
        {
            var result = Invariant.Check(program.Render());
            if (result.Violation is { } violation)
            {
                throw new InvalidOperationException(violation + "\nThe program:\n" + program.Render());
            }

            if (LineWidth.Violations(result.Run.Sources, program.Render()) is { Count: > 0 } wide)
            {
                throw new InvalidOperationException(
                    $"generated lines wider than {LineWidth.Columns} columns:\n" + string.Join("\n", wide) + "\nThe program:\n" + program.Render());
            }

            foreach (var id in result.Warren.Where(d => d.Severity == Microsoft.CodeAnalysis.DiagnosticSeverity.Error).Select(d => d.Id).Distinct())
            {
                errors.AddOrUpdate(id, 1, (_, count) => count + 1);
            }

            if (result.InvalidOnItsOwn)
            {
                invalidCSharp++;
            }
            else if (result.WarrenErrors)
            {
                rejected++;
            }
            else
            {
                valid++;
            }
        }

        if (seed == "random" || seed.StartsWith("program:", StringComparison.Ordinal))
        {
            // Exploring: every iteration is a new random program, and CsCheck prints the seed of a failing one, which
            // WARREN_SHAPES_SEED=program:SEED replays on its own.
            Programs.Sample(
                Check,
                writeLine: output.WriteLine,
                seed: seed == "random" ? null : seed["program:".Length..],
                iter: seed == "random" ? iterations : 1,
                threads: 1,
                print: program => "\n" + program.Render());
        }
        else
        {
            // CsCheck uses a given seed for its first iteration only, so the programs are drawn as one sample of
            // `iterations` programs from the seed: the same programs on every run.
            Programs.Array[iterations].Sample(
                programs =>
                {
                    valid = rejected = invalidCSharp = 0;
                    errors.Clear();
                    foreach (var program in programs)
                    {
                        Check(program);
                    }
                },
                writeLine: output.WriteLine,
                seed: seed,
                iter: 1,
                threads: 1,
                print: programs => $"{programs.Length} programs (the failing one is in the exception)");
        }

        // A generator that only produced rejected (or only valid) programs would test half the invariant.
        output.WriteLine($"{valid} valid programs, {rejected} rejected with a Warren error, {invalidCSharp} rejected by the compiler on their own");
        output.WriteLine("programs per error: " + string.Join(", ", errors.OrderBy(e => e.Key, StringComparer.Ordinal).Select(e => $"{e.Key} {e.Value}")));
        // (Not asked of one replayed program.)
        Assert.True(
            seed.StartsWith("program:", StringComparison.Ordinal) || valid > 0 && rejected > 0,
            $"{valid} valid, {rejected} rejected: the program generator has lost its balance");
    }
}
