using System.Diagnostics;
using System.Threading;
using RabbitMQ.Client;

namespace Warren;

/// <summary>
/// Whether RabbitMQ.Client's own publish spans are listened to (its <c>RabbitMQ.Client.Publisher</c> source has
/// listeners), which is when the client keeps a reference to a publish's <c>message-id</c> string (see
/// <see cref="MessageIdBuffer"/>). The client's source is private: an activity listener that listens to nothing finds it
/// by name when it is made (or at once, when it already exists), and then its <see cref="ActivitySource.HasListeners"/>
/// answers exactly.
/// </summary>
internal static class ClientPublishTracing
{
    private static ActivitySource? s_source;

    /// <summary>True while RabbitMQ.Client's publisher source has at least one listener.</summary>
    public static bool IsListened => Volatile.Read(ref s_source) is { } source && source.HasListeners();

    // Registered once per process (ActivitySource keeps it); it never listens, so it adds no activity to any source.
    static ClientPublishTracing()
    {
        var listener = new ActivityListener
        {
            ShouldListenTo = static source =>
            {
                if (source.Name == RabbitMQActivitySource.PublisherSourceName)
                {
                    Volatile.Write(ref s_source, source);
                }

                return false;
            },
        };
        ActivitySource.AddActivityListener(listener);
    }
}
