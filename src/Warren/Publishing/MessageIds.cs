using System;
using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Threading;

namespace Warren;

/// <summary>
/// The <c>message-id</c> of a publish without <see cref="PublishOptions.MessageId"/>: 32 lowercase hex digits (the
/// shape of a GUID in its "N" format, and readable as one), made of 64 random bits drawn once per process and a 64-bit
/// counter that starts at a random value. Unique within a process by the counter and across processes with the
/// probability of two random 64-bit draws being equal; cheaper than <see cref="Guid.NewGuid"/>, which asks the
/// operating system for randomness per call, and allocating only the string itself.
/// </summary>
internal static class MessageIds
{
    private static readonly ulong Prefix = Random64();
    private static long s_counter = (long)Random64();

    /// <summary>A new message id.</summary>
    public static string Next() => Format(Prefix, (ulong)Interlocked.Increment(ref s_counter));

    /// <summary>The id of <paramref name="prefix"/> and <paramref name="counter"/>: each as 16 lowercase hex digits, most significant first.</summary>
    internal static string Format(ulong prefix, ulong counter) =>
        string.Create(32, (prefix, counter), static (chars, state) =>
        {
            // Both numbers big-endian, so the bytes read as the prefix's digits then the counter's: one vectorized hex
            // conversion of 16 bytes instead of a loop per digit.
            Span<byte> bytes = stackalloc byte[16];
            BinaryPrimitives.WriteUInt64BigEndian(bytes, state.prefix);
            BinaryPrimitives.WriteUInt64BigEndian(bytes[8..], state.counter);
            Convert.TryToHexStringLower(bytes, chars, out _);
        });

    private static ulong Random64()
    {
        Span<byte> bytes = stackalloc byte[8];
        RandomNumberGenerator.Fill(bytes);
        return BinaryPrimitives.ReadUInt64LittleEndian(bytes);
    }
}
