using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using RabbitMQ.Client.Exceptions;

namespace Warren;

/// <summary>
/// Confirmed, mandatory publishing on one long-lived channel of the publishing connection. A semaphore bounds the
/// publishes awaiting confirmation (backpressure); a channel the broker closes (missing exchange, oversize message)
/// is replaced; a publish interrupted by a lost connection is retried once RabbitMQ.Client has recovered it, within
/// <see cref="WarrenOptions.PublishTimeout"/>.
/// </summary>
internal sealed class MessagePublisher : IPublisher, IMessageSender, IAsyncDisposable
{
    private const string JsonContentType = "application/json";
    private static readonly TimeSpan RecoveryPoll = TimeSpan.FromMilliseconds(50);

    private readonly WarrenConnections _connections;
    private readonly WarrenOptions _options;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _window;
    private readonly SemaphoreSlim _channelGate = new(1, 1);
    private ConfirmChannel? _channel;
    private bool _disposed;

    public MessagePublisher(WarrenConnections connections, IOptions<WarrenOptions> options, ILogger<MessagePublisher> logger)
    {
        _connections = connections;
        _options = options.Value;
        _logger = logger;
        _window = new SemaphoreSlim(_options.MaxInFlightPublishes, _options.MaxInFlightPublishes);
    }

    public ValueTask PublishAsync<T>(T message, CancellationToken cancellationToken = default) =>
        PublishAsync(message, null, cancellationToken);

    public ValueTask PublishAsync<T>(T message, PublishOptions? options, CancellationToken cancellationToken = default)
    {
        var contract = MessageContracts.Get<T>();
        return SendAsync(
            options?.Exchange ?? contract.Exchange,
            options?.RoutingKey ?? contract.RoutingKeyFor(message),
            message,
            contract.TypeInfo,
            contract.Name,
            options,
            contract.Priority,
            windowHeld: false,
            cancellationToken);
    }

    public async ValueTask PublishBatchAsync<T>(IEnumerable<T> messages, PublishOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        if (options?.MessageId is not null)
        {
            throw new ArgumentException("PublishOptions.MessageId names one message; a batch gives each message its own id.", nameof(options));
        }

        var contract = MessageContracts.Get<T>();

        // With the channel open, every publish below reaches the send lock in loop order, so the batch keeps its
        // order on the broker (unless a lost connection makes some publishes retry).
        await GetChannelAsync(cancellationToken).ConfigureAwait(false);
        var pending = new List<(int Index, Task Publish)>();
        var index = 0;
        foreach (var message in messages)
        {
            // Waiting for a window slot here, not inside each publish, keeps the loop itself from racing ahead.
            await _window.WaitAsync(cancellationToken).ConfigureAwait(false);
            Task publish;
            try
            {
                publish = SendAsync(
                    options?.Exchange ?? contract.Exchange,
                    options?.RoutingKey ?? contract.RoutingKeyFor(message),
                    message,
                    contract.TypeInfo,
                    contract.Name,
                    options,
                    contract.Priority,
                    windowHeld: true,
                    cancellationToken).AsTask();
            }
            catch (Exception ex)
            {
                _window.Release();
                publish = Task.FromException(ex);
            }

            pending.Add((index++, publish));
        }

        List<(int, Exception)>? failures = null;
        foreach (var (i, publish) in pending)
        {
            try
            {
                await publish.ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                (failures ??= []).Add((i, ex));
            }
        }

        if (failures is not null)
        {
            throw new PublishBatchException(pending.Count, failures);
        }
    }

    public ValueTask SendAsync<T>(string exchange, string routingKey, T message, JsonTypeInfo<T> typeInfo, string contractName, PublishOptions? options = null, CancellationToken cancellationToken = default) =>
        SendAsync(exchange, routingKey, message, typeInfo, contractName, options, null, windowHeld: false, cancellationToken);

    /// <summary>Publishes an already serialized body with the given properties (RPC replies, dead-letter copies).</summary>
    public async ValueTask SendRawAsync(string exchange, string routingKey, bool mandatory, BasicProperties properties, ReadOnlyMemory<byte> body, CancellationToken cancellationToken)
    {
        await _window.WaitAsync(cancellationToken).ConfigureAwait(false);
        await PublishHeldAsync(exchange, routingKey, mandatory, properties, body, cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        await _channelGate.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            if (_channel is { } channel)
            {
                _channel = null;
                try
                {
                    await channel.DisposeAsync().ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is OperationInterruptedException or IOException or ObjectDisposedException)
                {
                    // The connection is going away anyway.
                }
            }
        }
        finally
        {
            _channelGate.Release();
        }
    }

    private async ValueTask SendAsync<T>(string exchange, string routingKey, T message, JsonTypeInfo<T> typeInfo, string contractName, PublishOptions? options, byte? defaultPriority, bool windowHeld, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(exchange);
        ArgumentNullException.ThrowIfNull(routingKey);
        ArgumentNullException.ThrowIfNull(typeInfo);
        PooledBufferWriter body;
        BasicProperties properties;
        try
        {
            body = Serialize(message, typeInfo, exchange, routingKey);
            properties = CreateProperties(contractName, options, defaultPriority);
        }
        catch
        {
            if (windowHeld)
            {
                _window.Release();
            }

            throw;
        }

        using (body)
        {
            if (!windowHeld)
            {
                await _window.WaitAsync(cancellationToken).ConfigureAwait(false);
            }

            await PublishHeldAsync(exchange, routingKey, options?.Mandatory ?? true, properties, body.WrittenMemory, cancellationToken).ConfigureAwait(false);
        }
    }

    private PooledBufferWriter Serialize<T>(T message, JsonTypeInfo<T> typeInfo, string exchange, string routingKey)
    {
        var buffer = new PooledBufferWriter();
        try
        {
            using (var writer = new Utf8JsonWriter(buffer))
            {
                JsonSerializer.Serialize(writer, message, typeInfo);
            }

            if (buffer.WrittenCount > _options.MaxMessageSize)
            {
                throw new Warren.PublishException(
                    $"The message for exchange '{exchange}' with routing key '{routingKey}' is {buffer.WrittenCount} bytes, over Warren:MaxMessageSize ({_options.MaxMessageSize}); it was not sent.",
                    exchange,
                    routingKey);
            }

            return buffer;
        }
        catch
        {
            buffer.Dispose();
            throw;
        }
    }

    private static BasicProperties CreateProperties(string contractName, PublishOptions? options, byte? defaultPriority)
    {
        // A fresh instance per publish: confirmation tracking writes a sequence-number header into it.
        var properties = new BasicProperties
        {
            ContentType = JsonContentType,
            Type = contractName,
            MessageId = options?.MessageId ?? Guid.NewGuid().ToString("N"),
            Timestamp = new AmqpTimestamp(DateTimeOffset.UtcNow.ToUnixTimeSeconds()),
            DeliveryMode = options is { Persistent: false } ? DeliveryModes.Transient : DeliveryModes.Persistent,
        };

        if ((options?.Priority ?? defaultPriority) is { } priority)
        {
            properties.Priority = priority;
        }

        if (options is null)
        {
            return properties;
        }

        if (options.CorrelationId is not null)
        {
            properties.CorrelationId = options.CorrelationId;
        }

        if (options.ReplyTo is not null)
        {
            properties.ReplyTo = options.ReplyTo;
        }

        if (options.Expiration is { } expiration)
        {
            if (expiration < TimeSpan.Zero)
            {
                throw new ArgumentOutOfRangeException(nameof(options), "PublishOptions.Expiration must not be negative.");
            }

            properties.Expiration = ((long)Math.Ceiling(expiration.TotalMilliseconds)).ToString(CultureInfo.InvariantCulture);
        }

        if (options.Headers is { Count: > 0 } headers)
        {
            properties.Headers = new Dictionary<string, object?>(headers, StringComparer.Ordinal);
        }

        return properties;
    }

    /// <summary>Publishes with a window slot already held, and releases it.</summary>
    private async ValueTask PublishHeldAsync(string exchange, string routingKey, bool mandatory, BasicProperties properties, ReadOnlyMemory<byte> body, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.PublishTimeout);
        var token = timeout.Token;
        try
        {
            while (true)
            {
                var channel = await GetChannelAsync(token).ConfigureAwait(false);
                ShutdownEventArgs? interruption;
                string failure;
                try
                {
                    await channel.PublishAsync(exchange, routingKey, mandatory, properties, body, token).ConfigureAwait(false);
                    return;
                }
                catch (PublishInterruptedException ex)
                {
                    interruption = ex.Reason;
                    failure = ex.Message;
                }
                catch (OperationInterruptedException ex)
                {
                    interruption = ex.ShutdownReason;
                    failure = ex.Message;
                }
                catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException && !token.IsCancellationRequested)
                {
                    interruption = null;
                    failure = ex.Message;
                }

                if (IsChannelError(interruption))
                {
                    Log.PublishChannelClosed(_logger, $"{interruption!.ReplyCode} {interruption.ReplyText}");
                    throw new Warren.PublishException(
                        $"The broker refused the publish to exchange '{exchange}' with routing key '{routingKey}': {interruption.ReplyCode} {interruption.ReplyText}.",
                        exchange,
                        routingKey);
                }

                // The connection dropped: at-least-once means publishing again once recovery is done.
                Log.PublishRetry(_logger, exchange, routingKey, failure);
                await Task.Delay(RecoveryPoll, token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException ex) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new PublishTimeoutException(exchange, routingKey, _options.PublishTimeout, ex);
        }
        finally
        {
            _window.Release();
        }
    }

    private async ValueTask<ConfirmChannel> GetChannelAsync(CancellationToken cancellationToken)
    {
        if (_channel is { IsOpen: true } open)
        {
            return open;
        }

        await _channelGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var connection = await _connections.GetPublishConnectionAsync(cancellationToken).ConfigureAwait(false);
            while (_channel is { } channel && !channel.IsOpen && !IsChannelError(channel.CloseReason))
            {
                // Lost with its connection: automatic recovery reopens this same channel.
                await Task.Delay(RecoveryPoll, cancellationToken).ConfigureAwait(false);
            }

            if (_channel is { IsOpen: true } recovered)
            {
                return recovered;
            }

            if (_channel is { } dead)
            {
                _channel = null;
                await dead.DisposeAsync().ConfigureAwait(false);
            }

            while (!connection.IsOpen)
            {
                await Task.Delay(RecoveryPoll, cancellationToken).ConfigureAwait(false);
            }

            _channel = await ConfirmChannel.OpenAsync(connection, cancellationToken).ConfigureAwait(false);
            return _channel;
        }
        finally
        {
            _channelGate.Release();
        }
    }

    /// <summary>Channel-level errors (access refused, not found, locked, precondition failed) kill the channel, not the connection.</summary>
    private static bool IsChannelError(ShutdownEventArgs? reason) =>
        reason is { Initiator: ShutdownInitiator.Peer, ReplyCode: >= 403 and <= 406 };
}
