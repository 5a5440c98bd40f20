using System.Threading;
using System.Threading.Tasks;

namespace Warren;

/// <summary>
/// Keeps the position of the application's stream consumers, for consumers with
/// <see cref="StreamConsumer.StoreOffsets"/> (<c>[ConsumeFrom(..., StoredOffset = true)]</c>). AMQP 0-9-1 has no
/// server-side offset tracking, so the application keeps it where it keeps its own state (a database row per stream,
/// ideally in the transaction of the handler's work). Register one as a singleton:
/// <c>services.AddSingleton&lt;IStreamOffsetStore, MyOffsetStore&gt;()</c>.
/// </summary>
/// <remarks>
/// The offset saved is that of the last message <em>settled</em> (handled, or dead-lettered after failing), such that
/// every earlier message of the subscription is settled too; the consumer resumes at the message after it. Warren
/// saves at most every <see cref="WarrenOptions.StreamOffsetSaveInterval"/> while consuming and once more at a graceful
/// stop; after a crash the messages handled since the last save are delivered again (at-least-once).
/// </remarks>
public interface IStreamOffsetStore
{
    /// <summary>The offset of the last message handled from <paramref name="stream"/>, or null when none was stored.</summary>
    ValueTask<long?> LoadAsync(string stream, CancellationToken cancellationToken);

    /// <summary>Records that every message of <paramref name="stream"/> up to <paramref name="offset"/> is handled.</summary>
    ValueTask SaveAsync(string stream, long offset, CancellationToken cancellationToken);
}
