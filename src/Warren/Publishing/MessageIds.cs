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
    public static string Next()
    {
        var counter = (ulong)Interlocked.Increment(ref s_counter);
        return string.Create(32, (Prefix, counter), static (chars, state) =>
        {
            WriteHex(chars[..16], state.Prefix);
            WriteHex(chars[16..], state.counter);
        });
    }

    private static void WriteHex(Span<char> chars, ulong value)
    {
        for (var i = 15; i >= 0; i--)
        {
            chars[i] = "0123456789abcdef"[(int)(value & 0xF)];
            value >>= 4;
        }
    }

    private static ulong Random64()
    {
        Span<byte> bytes = stackalloc byte[8];
        RandomNumberGenerator.Fill(bytes);
        return BinaryPrimitives.ReadUInt64LittleEndian(bytes);
    }
}
