using System;
using System.IO;
using System.Threading.Tasks;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace Warren;

/// <summary>Closing a channel that may already be gone with its connection.</summary>
internal static class ChannelClosing
{
    /// <summary>Closes and disposes the channel; a channel or connection that is already closed is not an error.</summary>
    public static async ValueTask CloseQuietlyAsync(IChannel? channel)
    {
        if (channel is null)
        {
            return;
        }

        try
        {
            await channel.CloseAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationInterruptedException or IOException or ObjectDisposedException)
        {
            // Closing anyway: the broker releases what the channel held.
        }

        channel.Dispose();
    }
}
