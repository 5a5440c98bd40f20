using System;
using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Threading;

namespace Warren;

/// <summary>
/// The <c>message-id</c> of a publish without <see cref="PublishOptions.MessageId"/>: 32 lowercase hex digits (the
/// shape of a GUID in its "N" format, and readable as one), made of 64 random bits drawn once per process and a 64-bit
/// counter that starts at a random value. Unique within a process by the counter and across processes with the
/// probability of two random 64-bit draws being equal; cheaper than <see cref="Guid.NewGuid"/>, which asks the
/// operating system for randomness per call.
/// </summary>
/// <remarks>
/// A typed publish takes only the counter (<see cref="NextCounter"/>); the publishing channel writes the digits into
/// its <see cref="MessageIdBuffer"/> while it sends, so no string is made per message. <see cref="Of"/> makes the string
/// where one is needed (a recorded publish span).
/// </remarks>
internal static class MessageIds
{
    /// <summary>The number of characters (and UTF-8 bytes) of an id.</summary>
    public const int Length = 32;

    private static readonly ulong Prefix = Random64();
    private static long s_counter = (long)Random64();

    /// <summary>A new message id.</summary>
    public static string Next() => Of(NextCounter());

    /// <summary>The counter of a new message id; never 0, which stands for "no id to write" (see <see cref="MessageIdBuffer"/>).</summary>
    public static ulong NextCounter()
    {
        var counter = (ulong)Interlocked.Increment(ref s_counter);
        return counter != 0 ? counter : (ulong)Interlocked.Increment(ref s_counter);
    }

    /// <summary>The id of this process with <paramref name="counter"/>.</summary>
    public static string Of(ulong counter) => Format(Prefix, counter);

    /// <summary>Writes the id of this process with <paramref name="counter"/> into 32 characters.</summary>
    public static void Write(Span<char> chars, ulong counter) => Write(chars, Prefix, counter);

    /// <summary>
    /// The counter of an id this process made (<see cref="Of"/>), read back from a message the broker returned; false for
    /// any other text, including ids of other processes.
    /// </summary>
    public static bool TryReadCounter(string? id, out ulong counter) => TryReadCounter(id, Prefix, out counter);

    internal static bool TryReadCounter(string? id, ulong prefix, out ulong counter)
    {
        counter = 0;
        return id is { Length: Length }
            && IsLowerHex(id)
            && ulong.TryParse(id.AsSpan(0, 16), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var read)
            && read == prefix
            && ulong.TryParse(id.AsSpan(16), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out counter)
            && counter != 0;
    }

    /// <summary>The id of <paramref name="prefix"/> and <paramref name="counter"/>: each as 16 lowercase hex digits, most significant first.</summary>
    internal static string Format(ulong prefix, ulong counter) =>
        string.Create(Length, (prefix, counter), static (chars, state) => Write(chars, state.prefix, state.counter));

    internal static void Write(Span<char> chars, ulong prefix, ulong counter)
    {
        // Both numbers big-endian, so the bytes read as the prefix's digits then the counter's: one vectorized hex
        // conversion of 16 bytes instead of a loop per digit.
        Span<byte> bytes = stackalloc byte[16];
        BinaryPrimitives.WriteUInt64BigEndian(bytes, prefix);
        BinaryPrimitives.WriteUInt64BigEndian(bytes[8..], counter);
        Convert.TryToHexStringLower(bytes, chars, out _);
    }

    private static bool IsLowerHex(string id)
    {
        foreach (var c in id)
        {
            if (!char.IsAsciiDigit(c) && c is not (>= 'a' and <= 'f'))
            {
                return false;
            }
        }

        return true;
    }

    private static ulong Random64()
    {
        Span<byte> bytes = stackalloc byte[8];
        RandomNumberGenerator.Fill(bytes);
        return BinaryPrimitives.ReadUInt64LittleEndian(bytes);
    }
}

/// <summary>
/// The <c>message-id</c> string a publishing channel sends, one per channel and written in place for each send (as the
/// channel's sequence-header box and <c>traceparent</c> bytes are): no string per message.
/// </summary>
/// <remarks>
/// <para>RabbitMQ.Client's <c>BasicProperties.MessageId</c> is a string, and <c>BasicPublishAsync</c> accepts other
/// properties types only to copy them into a new <c>BasicProperties</c> on a confirming channel
/// (<c>PopulateBasicPropertiesHeaders</c> in 7.2.2), reading <c>MessageId</c> as a string: a header type that writes the
/// id's bytes itself is never asked to write on the channels Warren publishes on.</para>
/// <para>Writing into a string is safe here because nothing keeps this one: the client encodes the properties into the
/// frame before <c>BasicPublishAsync</c> completes (under the channel's send lock, which serializes the writes) and
/// keeps no reference to them; Warren sets <c>MessageId</c> back to null after the send. The one reader that could keep
/// it is RabbitMQ.Client's own publish span, which tags <c>messaging.message.id</c> with the string when its
/// <c>RabbitMQ.Client.Publisher</c> source has listeners: a send during which it may have had listeners retires the
/// string (<see cref="Retire"/>), so the string a span holds is never written again.</para>
/// </remarks>
internal sealed class MessageIdBuffer
{
    private string _id = NewBuffer();

    /// <summary>The id of <paramref name="counter"/> in this buffer's string, valid until the next <see cref="Write"/>.</summary>
    public string Write(ulong counter)
    {
        var id = _id;
        MessageIds.Write(MemoryMarshal.CreateSpan(ref MemoryMarshal.GetReference(id.AsSpan()), id.Length), counter);
        return id;
    }

    /// <summary>Leaves the current string to whoever holds it; the next <see cref="Write"/> uses a new one.</summary>
    public void Retire() => _id = NewBuffer();

    private static string NewBuffer() => new('0', MessageIds.Length);
}
