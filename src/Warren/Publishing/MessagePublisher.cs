using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Net.Sockets;
using System.Runtime.ExceptionServices;
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
/// publishes in progress (backpressure): a publish takes its slot before its message is serialized, so callers that do
/// not await are bounded too. A channel the broker closes is replaced; a publish interrupted by a lost connection is
/// retried once RabbitMQ.Client has recovered it, within <see cref="WarrenOptions.PublishTimeout"/>.
/// </summary>
/// <remarks>
/// A publish the broker cannot accept must fail alone and must never be sent again and again. Before sending, the
/// properties are checked against the connection's <c>frame_max</c> (<see cref="PublishFrame"/>). When the broker
/// closes the channel because of a publish (404 missing exchange, 403, 406 …), every publish awaiting confirmation on
/// that channel is interrupted. The one that caused it is found this way: the broker's reply text names the exchange
/// of a 404/403, so publishes to that exchange fail with the broker's reason and the others are sent again on a new
/// channel. When the text names nothing, each interrupted publish is sent again alone, one at a time, on a separate
/// channel: the one the broker refuses there is the cause and fails with the broker's reason; the others go through.
/// The same applies to a publish during which the broker closed the whole connection for a malformed frame (501–505).
/// A publish sent again may have reached the broker the first time: delivery is at-least-once.
/// </remarks>
internal sealed class MessagePublisher : IPublisher, IMessageSender, IAsyncDisposable
{
    /// <summary>After this many channel errors blamed on other publishes, a publish is sent alone to settle the question.</summary>
    private const int MaxChannelErrorsBeforeIsolation = 3;

    private static readonly TimeSpan RecoveryPoll = TimeSpan.FromMilliseconds(50);

    /// <summary>The largest scratch buffer a thread keeps between bodies.</summary>
    private const int MaxScratchSize = 64 * 1024;

    [ThreadStatic]
    private static Utf8JsonWriter? t_writer;

    [ThreadStatic]
    private static PooledBufferWriter? t_scratch;

    private readonly WarrenConnections _connections;
    private readonly MessageContracts _contracts;
    private readonly WarrenStartup _startup;
    private readonly WarrenOptions _options;
    private readonly ILogger _logger;
    private readonly WarrenMetrics _metrics;
    private readonly SemaphoreSlim _window;
    /// <summary>The publishing channels; the first is the ordered one (batches and <see cref="PublishOptions.Ordered"/>).</summary>
    private readonly ChannelHolder<ConfirmChannel>[] _channels;
    private int _nextChannel;
    private readonly ChannelHolder<ConfirmChannel> _isolation;
    private readonly SemaphoreSlim _isolationLock = new(1, 1);
    private readonly DelayedDelivery _delays;
    /// <summary><see cref="WarrenOptions.PublishTimeout"/> in <see cref="Stopwatch"/> ticks.</summary>
    private readonly long _timeoutTicks;
    /// <summary>The properties of ended publishes, for the next ones (about one per window slot).</summary>
    private readonly PropertiesPool _properties;

    /// <summary>The endpoint of the publishing connection, kept current across its recovery (see <see cref="ConnectionEndpoint"/>).</summary>
    private ConnectionEndpoint? _endpoint;

    public MessagePublisher(WarrenConnections connections, MessageContracts contracts, IOptions<WarrenOptions> options, ILogger<MessagePublisher> logger, WarrenMetrics metrics, WarrenStartup startup, DelayedDelivery delays)
    {
        _delays = delays;
        _connections = connections;
        _contracts = contracts;
        _metrics = metrics;
        _startup = startup;
        _options = options.Value;
        _logger = logger;
        _window = new SemaphoreSlim(_options.MaxInFlightPublishes, _options.MaxInFlightPublishes);
        _properties = new PropertiesPool(_options.MaxInFlightPublishes);
        _timeoutTicks = (long)Math.Min(_options.PublishTimeout.TotalSeconds * Stopwatch.Frequency, long.MaxValue / 4);
        _channels = new ChannelHolder<ConfirmChannel>[_options.PublishChannels];
        for (var i = 0; i < _channels.Length; i++)
        {
            _channels[i] = OpenHolder(i == 0 ? "publishing" : $"publishing {i + 1}");
        }
        _isolation = OpenHolder("publishing (isolated retries)");
    }

    /// <summary>Free publish slots right now: <see cref="WarrenOptions.MaxInFlightPublishes"/> when nothing is in progress.</summary>
    internal int AvailableSlots => _window.CurrentCount;

    /// <summary>Publishing channels open right now (for tests).</summary>
    internal int OpenChannels => Array.FindAll(_channels, c => c.Current is not null).Length;

    /// <summary>The publishing channels open right now, null where none is (for tests).</summary>
    internal ConfirmChannel?[] CurrentChannels => Array.ConvertAll(_channels, c => c.Current);

    public ValueTask PublishAsync<T>(T message, CancellationToken cancellationToken = default) =>
        PublishAsync(message, null, cancellationToken);

    public ValueTask PublishAsync<T>(T message, PublishOptions? options, CancellationToken cancellationToken = default)
    {
        MessageContract<T> contract;
        try
        {
            contract = _contracts.Get<T>();
            if (!TryEnterWindow(cancellationToken))
            {
                return PublishAfterWaitAsync(contract, message, options, cancellationToken);
            }
        }
        catch (Exception ex)
        {
            return ValueTask.FromException(ex);
        }

        return PublishInSlotAsync(contract, message, options, options?.Ordered ?? false, cancellationToken);
    }

    /// <summary>
    /// A generated publisher method's publish with its own routing-key template (<see cref="Infrastructure.PublishRoute"/>):
    /// <paramref name="routingKey"/> is sent, and spans and metrics name the template, as for a contract's own key.
    /// </summary>
    internal ValueTask PublishRoutedAsync<T>(T message, string routingKey, Infrastructure.PublishRoute route, PublishOptions? options, CancellationToken cancellationToken)
    {
        MessageContract<T> contract;
        try
        {
            contract = _contracts.Get<T>();
            if (!TryEnterWindow(cancellationToken))
            {
                return PublishAfterWaitAsync(contract, message, options, cancellationToken, routingKey, route);
            }
        }
        catch (Exception ex)
        {
            return ValueTask.FromException(ex);
        }

        return PublishInSlotAsync(contract, message, options, options?.Ordered ?? false, cancellationToken, routingKey, route);
    }

    /// <summary>The publish of a caller that found the in-flight window full.</summary>
    private async ValueTask PublishAfterWaitAsync<T>(MessageContract<T> contract, T message, PublishOptions? options, CancellationToken cancellationToken, string? routingKey = null, Infrastructure.PublishRoute? route = null)
    {
        await EnterWindowAsync(cancellationToken).ConfigureAwait(false);
        await PublishInSlotAsync(contract, message, options, options?.Ordered ?? false, cancellationToken, routingKey, route).ConfigureAwait(false);
    }

    public async ValueTask PublishBatchAsync<T>(IEnumerable<T> messages, PublishOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        if (options?.MessageId is not null)
        {
            throw new ArgumentException("PublishOptions.MessageId names one message; a batch gives each message its own id.", nameof(options));
        }

        var contract = _contracts.Get<T>();

        // With the channel open, every publish below reaches the send lock in loop order, so the batch keeps its
        // order on the broker (unless a lost connection makes some publishes retry).
        await _channels[0].GetAsync(cancellationToken).ConfigureAwait(false);
        var started = new List<ValueTask>();
        List<(int Index, Exception Error)>? failures = null;
        var observed = 0;
        Exception? interruption = null;
        try
        {
            foreach (var message in messages)
            {
                // Waiting for a window slot here, not inside each publish, keeps the loop itself from racing ahead. The
                // wait is this method's own await (as EnterWindowAsync would do it): no state machine per message when
                // the window is full, which is the steady state of a batch larger than the window.
                if (!TryEnterWindow(cancellationToken))
                {
                    _metrics.WindowWaited();
                    await _window.WaitAsync(cancellationToken).ConfigureAwait(false);
                    _metrics.InFlight(1);
                }

                started.Add(PublishInSlotAsync(contract, message, options, ordered: true, cancellationToken));

                // A publish that could not be written at once (the client waits for room in its bounded write queue)
                // holds the channel: the loop waits here once for it to be free rather than queueing every further
                // publish behind it, each of which would then be resumed on the thread pool on its own. The order is
                // unchanged: the publishes started before hold or wait for the channel already.
                if (_channels[0].Current is { IsSending: true } sending)
                {
                    await sending.WhenSendFreeAsync(cancellationToken).ConfigureAwait(false);
                }

                // The publishes finished meanwhile are observed now, in order, and let go: a long batch keeps only the
                // ones still in flight alive, not every publish since its start (which the GC would have to promote).
                while (observed < started.Count && started[observed].IsCompleted)
                {
                    Observe(started, observed++, ref failures);
                }
            }
        }
        catch (Exception ex)
        {
            // The sequence threw or the caller cancelled: nothing more is started, and what was started is awaited so
            // its outcome is reported and its window slot returned.
            interruption = ex;
        }

        for (var i = observed; i < started.Count; i++)
        {
            try
            {
                await started[i].ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                (failures ??= []).Add((i, ex));
            }
        }

        if (interruption is null && cancellationToken.IsCancellationRequested && failures is not null && failures.Exists(f => f.Error is OperationCanceledException))
        {
            interruption = new OperationCanceledException(cancellationToken);
        }

        if (interruption is not null)
        {
            if (started.Count == 0)
            {
                ExceptionDispatchInfo.Throw(interruption);
            }

            throw new PublishBatchException(started.Count, failures ?? [], interruption);
        }

        if (failures is not null)
        {
            throw new PublishBatchException(started.Count, failures);
        }

        static void Observe(List<ValueTask> started, int index, ref List<(int Index, Exception Error)>? failures)
        {
            var publish = started[index];
            started[index] = default;
            try
            {
                publish.GetAwaiter().GetResult();
            }
            catch (Exception ex)
            {
                (failures ??= []).Add((index, ex));
            }
        }
    }

    public ValueTask SendAsync<T>(string exchange, string routingKey, T message, JsonTypeInfo<T> typeInfo, string contractName, PublishOptions? options = null, CancellationToken cancellationToken = default) =>
        SendAsync(exchange, routingKey, message, PayloadFormat.Json(typeInfo), contractName, options, cancellationToken);

    public async ValueTask SendAsync<T>(string exchange, string routingKey, T message, PayloadFormat<T> format, string? contractName, PublishOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(exchange);
        ArgumentNullException.ThrowIfNull(routingKey);
        ArgumentNullException.ThrowIfNull(format);
        await EnterWindowAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            using var body = Serialize(message, format, exchange, routingKey, _options.MaxMessageSize);

            // As for a typed publish: without an id of the caller's, the channel writes a counter's id while it sends.
            var properties = FillProperties(new BasicProperties(), contractName, options, defaultPriority: null, format.ContentType, messageIdByChannel: true);
            var messageId = properties.MessageId is null ? MessageIds.NextCounter() : 0;
            var destination = exchange.Length > 0 ? exchange : routingKey;
            var (sendExchange, sendRoutingKey, mandatory) = await RouteAsync(exchange, routingKey, options?.Mandatory ?? true, options, properties, cancellationToken).ConfigureAwait(false);
            await PublishCoreAsync(sendExchange, sendRoutingKey, mandatory, properties, messageId, body.WrittenMemory, default, null, null, destination, null, options?.Ordered ?? false, owned: false, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            LeaveWindow();
        }
    }

    public ValueTask PublishTextAsync(string exchange, string routingKey, string text, PublishOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(text);
        return SendAsync(exchange, routingKey, text, PayloadFormat.Text, null, options, cancellationToken);
    }

    public ValueTask PublishBytesAsync(string exchange, string routingKey, ReadOnlyMemory<byte> body, PublishOptions? options = null, CancellationToken cancellationToken = default) =>
        SendAsync(exchange, routingKey, body, PayloadFormat.Memory, null, options, cancellationToken);

    /// <summary>
    /// Publishes an already serialized body with the given properties (RPC replies, retry and dead-letter copies). The
    /// properties are checked against <c>frame_max</c> first; a publish the broker refuses fails alone and is not retried.
    /// Metrics and spans name the exchange, or on the default exchange the routing key (a queue: retry queues here).
    /// </summary>
    public async ValueTask SendRawAsync(string exchange, string routingKey, bool mandatory, BasicProperties properties, ReadOnlyMemory<byte> body, CancellationToken cancellationToken)
    {
        await EnterWindowAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await PublishCoreAsync(exchange, routingKey, mandatory, properties, body, exchange.Length > 0 ? exchange : routingKey, null, ordered: false, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            LeaveWindow();
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var channel in _channels)
        {
            await channel.DisposeAsync().ConfigureAwait(false);
        }

        await _isolation.DisposeAsync().ConfigureAwait(false);
    }

    private ChannelHolder<ConfirmChannel> OpenHolder(string purpose) =>
        new(purpose, _connections.GetPublishConnectionAsync, (connection, token) => ConfirmChannel.OpenAsync(connection, _options.PublishTimeout, TimeProvider.System, token), c => c.Channel, c => c.DisposeAsync(), _logger);

    /// <summary>Publishes one message of a contract with a window slot already taken, and releases the slot.</summary>
    /// <remarks>Not an async method itself: the body, properties and route are prepared here and the one asynchronous
    /// step, <c>PublishCoreAsync</c>, owns the body and the slot from then on.</remarks>
    /// <remarks><paramref name="routedKey"/> and <paramref name="route"/>: a generated publisher method's own key and
    /// template (<see cref="PublishRoutedAsync"/>), named in telemetry unlike a caller's <see cref="PublishOptions.RoutingKey"/>.</remarks>
    private ValueTask PublishInSlotAsync<T>(MessageContract<T> contract, T message, PublishOptions? options, bool ordered, CancellationToken cancellationToken, string? routedKey = null, Infrastructure.PublishRoute? route = null)
    {
        if (DelaySeconds(options) is not null)
        {
            return PublishDelayedInSlotAsync(contract, message, options, ordered, cancellationToken, routedKey, route);
        }

        PooledBody body = default;
        try
        {
            var exchange = options?.Exchange ?? contract.Exchange;
            var routingKey = options?.RoutingKey ?? routedKey ?? contract.RoutingKeyFor(message);
            body = Serialize(message, contract.TypeInfo, exchange, routingKey, _options.MaxMessageSize);
            // From the pool: PublishCoreAsync returns them when the publish ends (see PropertiesPool). Without an id of
            // the caller's, the message id is a counter the channel writes as the id while it sends (no string).
            var properties = FillProperties(_properties.Rent(), contract.Name, options, contract.Priority, messageIdByChannel: true);
            var messageId = properties.MessageId is null ? MessageIds.NextCounter() : 0;

            // A routing key or exchange given per publish has no known template: name the exchange (or the contract).
            var overridden = options is not null && (options.Exchange is not null || options.RoutingKey is not null);
            if (!overridden && route is not null && routedKey is not null)
            {
                var named = route.For(exchange);
                return PublishCoreAsync(exchange, routingKey, options?.Mandatory ?? true, properties, messageId, body, named.SpanName, named.FixedDestination, named.Destination, named.Template, ordered, owned: true, cancellationToken);
            }

            var destination = overridden ? (exchange.Length > 0 ? exchange : contract.Name) : contract.TelemetryDestination;
            return PublishCoreAsync(exchange, routingKey, options?.Mandatory ?? true, properties, messageId, body, overridden ? null : contract.PublishSpanName, overridden ? null : contract.FixedPublishDestination, destination, overridden ? null : contract.TelemetryTemplate, ordered, owned: true, cancellationToken);
        }
        catch (Exception ex)
        {
            body.Dispose();
            LeaveWindow();
            return ValueTask.FromException(ex);
        }
    }

    /// <summary><see cref="PublishInSlotAsync"/> for a publish with a delay, which may first declare the delay levels.</summary>
    private async ValueTask PublishDelayedInSlotAsync<T>(MessageContract<T> contract, T message, PublishOptions? options, bool ordered, CancellationToken cancellationToken, string? routedKey, Infrastructure.PublishRoute? route)
    {
        try
        {
            var exchange = options?.Exchange ?? contract.Exchange;
            var routingKey = options?.RoutingKey ?? routedKey ?? contract.RoutingKeyFor(message);
            using var body = Serialize(message, contract.TypeInfo, exchange, routingKey, _options.MaxMessageSize);
            var properties = CreateProperties(contract.Name, options, contract.Priority, PayloadFormat.JsonContentType);
            var overridden = options is not null && (options.Exchange is not null || options.RoutingKey is not null);
            var named = !overridden && route is not null && routedKey is not null ? route.For(exchange) : null;
            var destination = named?.Destination ?? (overridden ? (exchange.Length > 0 ? exchange : contract.Name) : contract.TelemetryDestination);
            var (sendExchange, sendRoutingKey, mandatory) = await RouteAsync(exchange, routingKey, options?.Mandatory ?? true, options, properties, cancellationToken).ConfigureAwait(false);
            await PublishCoreAsync(sendExchange, sendRoutingKey, mandatory, properties, 0, body.WrittenMemory, default, named?.SpanName ?? (overridden ? null : contract.PublishSpanName), null, destination, named?.Template ?? (overridden ? null : contract.TelemetryTemplate), ordered, owned: false, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            LeaveWindow();
        }
    }

    /// <summary>
    /// Where a publish goes: where it was addressed, or for a delayed publish the first delay level, with the address kept
    /// in headers for the relay that publishes it when due (<see cref="DelayTopology"/>).
    /// </summary>
    private async ValueTask<(string Exchange, string RoutingKey, bool Mandatory)> RouteAsync(string exchange, string routingKey, bool mandatory, PublishOptions? options, BasicProperties properties, CancellationToken cancellationToken)
    {
        if (DelaySeconds(options) is not { } seconds)
        {
            return (exchange, routingKey, mandatory);
        }

        await _delays.EnsureAsync(cancellationToken).ConfigureAwait(false);
        var headers = properties.Headers ??= new Dictionary<string, object?>(4, StringComparer.Ordinal);
        headers[DelayTopology.ExchangeHeader] = exchange;
        headers[DelayTopology.RoutingKeyHeader] = routingKey;
        headers[DelayTopology.SecondsHeader] = seconds;
        if (!mandatory)
        {
            headers[DelayTopology.MandatoryHeader] = "false";
        }

        // Always mandatory into the levels: every routing key they are given matches exactly one binding per level.
        return (DelayTopology.EntryExchangeFor(seconds), DelayTopology.RoutingKeyFor(seconds), true);
    }

    /// <summary>The delay in whole seconds asked for by <paramref name="options"/>, or null for a publish now.</summary>
    internal static long? DelaySeconds(PublishOptions? options)
    {
        if (options is null || (options.Delay is null && options.DeliverAt is null))
        {
            return null;
        }

        if (options.Delay is not null && options.DeliverAt is not null)
        {
            throw new ArgumentException("PublishOptions.Delay and PublishOptions.DeliverAt are both set: give one.", nameof(options));
        }

        if (options.Expiration is not null)
        {
            // A per-message TTL would expire the message inside the delay levels, long before it is due.
            throw new ArgumentException("PublishOptions.Expiration cannot be combined with Delay or DeliverAt.", nameof(options));
        }

        var delay = options.Delay ?? options.DeliverAt!.Value - DateTimeOffset.UtcNow;
        var seconds = DelayTopology.SecondsFor(delay);
        return seconds == 0 ? null : seconds;
    }

    /// <summary>The body of one publish in <paramref name="format"/>, in a pooled buffer the caller disposes.</summary>
    internal static PooledBody Serialize<T>(T message, PayloadFormat<T> format, string exchange, string routingKey, int maxMessageSize)
    {
        if (format.JsonTypeInfo is { } typeInfo)
        {
            return Serialize(message, typeInfo, exchange, routingKey, maxMessageSize);
        }

        using var buffer = new PooledBufferWriter();
        format.Write(message, buffer);
        CheckSize(buffer, exchange, routingKey, maxMessageSize);
        return PooledBody.CopyOf(buffer.WrittenMemory.Span);
    }

    /// <summary>The JSON body of one publish, in a pooled array the caller disposes (once).</summary>
    internal static PooledBody Serialize<T>(T message, JsonTypeInfo<T> typeInfo, string exchange, string routingKey, int maxMessageSize)
    {
        // One scratch buffer and one JSON writer per thread, taken out of their slots while in use. The writer asks for
        // room for the worst case of each value (a string escaped in full), so bodies are written here and copied into
        // an array of their own size: the body held until the broker confirms it is no larger than it needs to be.
        var scratch = t_scratch ?? new PooledBufferWriter();
        t_scratch = null;
        var writer = t_writer;
        t_writer = null;
        try
        {
            if (writer is null)
            {
                writer = new Utf8JsonWriter(scratch);
            }
            else
            {
                writer.Reset(scratch);
            }

            JsonSerializer.Serialize(writer, message, typeInfo);
            writer.Flush();
            CheckSize(scratch, exchange, routingKey, maxMessageSize);
            return PooledBody.CopyOf(scratch.WrittenMemory.Span);
        }
        finally
        {
            writer?.Reset(NoOutput.Instance);
            t_writer = writer;
            scratch.Clear();
            if (scratch.Capacity <= MaxScratchSize)
            {
                t_scratch = scratch;
            }
            else
            {
                // A rare large body: its buffer goes back to the pool rather than staying with the thread.
                scratch.Dispose();
            }
        }
    }

    private static void CheckSize(PooledBufferWriter buffer, string exchange, string routingKey, int maxMessageSize)
    {
        if (buffer.WrittenCount > maxMessageSize)
        {
            throw new Warren.WarrenPublishException(
                $"The message for exchange '{exchange}' with routing key '{routingKey}' is {buffer.WrittenCount} bytes, over Warren:MaxMessageSize ({maxMessageSize}); it was not sent.",
                exchange,
                routingKey);
        }
    }

    /// <summary>The AMQP properties of one publish: a fresh instance. A null contract name leaves <c>type</c> unset (text and bytes).</summary>
    internal static BasicProperties CreateProperties(string? contractName, PublishOptions? options, byte? defaultPriority, string contentType = PayloadFormat.JsonContentType) =>
        FillProperties(new BasicProperties(), contractName, options, defaultPriority, contentType);

    /// <summary>
    /// Sets every property a publish has on <paramref name="properties"/>, a fresh instance or one from the
    /// <see cref="PropertiesPool"/> (so nothing of an earlier publish stays: the optional ones are cleared when unset).
    /// </summary>
    /// <remarks>With <c>messageIdByChannel</c>, <c>MessageId</c> stays null when the caller gives no id: the publish passes a
    /// counter of <see cref="MessageIds"/> for the channel to write (see <see cref="MessageIdBuffer"/>).</remarks>
    internal static BasicProperties FillProperties(BasicProperties properties, string? contractName, PublishOptions? options, byte? defaultPriority, string contentType = PayloadFormat.JsonContentType, bool messageIdByChannel = false)
    {
        // Confirmation tracking writes a sequence-number header into the properties while they are sent: one instance
        // belongs to one publish until it ends.
        properties.ContentType = options?.ContentType ?? contentType;
        properties.Type = contractName;
        properties.MessageId = options?.MessageId ?? (messageIdByChannel ? null : MessageIds.Next());
        properties.Timestamp = new AmqpTimestamp(DateTimeOffset.UtcNow.ToUnixTimeSeconds());
        properties.DeliveryMode = options is { Persistent: false } ? DeliveryModes.Transient : DeliveryModes.Persistent;
        properties.Priority = 0;
        properties.CorrelationId = null;
        properties.ReplyTo = null;
        properties.Expiration = null;
        properties.Headers = null;

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
            if (expiration < TimeSpan.Zero || expiration.TotalMilliseconds > uint.MaxValue)
            {
                // RabbitMQ closes the channel (406) for an expiration it cannot read.
                throw new ArgumentOutOfRangeException(nameof(options), expiration, "PublishOptions.Expiration must be between zero and about 49 days (2^32 - 1 ms), RabbitMQ's largest per-message TTL.");
            }

            properties.Expiration = ((long)Math.Ceiling(expiration.TotalMilliseconds)).ToString(CultureInfo.InvariantCulture);
        }

        if (options.Headers is { Count: > 0 } headers)
        {
            properties.Headers = new Dictionary<string, object?>(headers, StringComparer.Ordinal);
        }

        return properties;
    }

    /// <summary>Takes a free slot of the in-flight window without waiting; false when there is none.</summary>
    private bool TryEnterWindow(CancellationToken cancellationToken)
    {
        // As SemaphoreSlim.WaitAsync would: a cancelled caller gets no slot, even a free one.
        cancellationToken.ThrowIfCancellationRequested();
        if (!_window.Wait(0))
        {
            return false;
        }

        _metrics.InFlight(1);
        return true;
    }

    /// <summary>Takes a slot of the in-flight window, counting the publishes that had to wait for one.</summary>
    private async ValueTask EnterWindowAsync(CancellationToken cancellationToken)
    {
        if (!TryEnterWindow(cancellationToken))
        {
            _metrics.WindowWaited();
            await _window.WaitAsync(cancellationToken).ConfigureAwait(false);
            _metrics.InFlight(1);
        }
    }

    private void LeaveWindow()
    {
        _metrics.InFlight(-1);
        _window.Release();
    }

    /// <summary>
    /// Publishes under a <c>publish {destination}</c> span (when listened to) whose W3C context goes into the message's
    /// <c>traceparent</c>/<c>tracestate</c> headers — or the current activity's when Warren's source is not listened
    /// to, or nothing when there is no activity (a retry copy then keeps the original's headers) — and records the
    /// publish metrics with <c>error.type</c> on failure. Sends until confirmed, retrying what a lost connection
    /// interrupted; see the class remarks for the rest.
    /// </summary>
    /// <remarks>
    /// <see cref="WarrenOptions.PublishTimeout"/> is a deadline: the publishing channel enforces it on the wait for the
    /// confirmation, and a cancellation source with the time left is made only when the publish has to wait for
    /// something else (a background start, the connection, a channel being replaced, recovery).
    /// </remarks>
    private ValueTask PublishCoreAsync(string exchange, string routingKey, bool mandatory, BasicProperties properties, ReadOnlyMemory<byte> body, string destination, string? template, bool ordered, CancellationToken cancellationToken) =>
        PublishCoreAsync(exchange, routingKey, mandatory, properties, 0, body, default, null, null, destination, template, ordered, owned: false, cancellationToken);

    private ValueTask PublishCoreAsync(string exchange, string routingKey, bool mandatory, BasicProperties properties, ulong messageId, PooledBody ownedBody, string? spanName, PublishDestination? fixedDestination, string destination, string? template, bool ordered, bool owned, CancellationToken cancellationToken) =>
        PublishCoreAsync(exchange, routingKey, mandatory, properties, messageId, ownedBody.WrittenMemory, ownedBody, spanName, fixedDestination, destination, template, ordered, owned, cancellationToken);

    // ownedBody: the pooled array behind body, returned when the publish ends (default when the caller owns the body);
    // owned: the publish gives its window slot back when it ends, and its properties to the pool;
    // messageId: 0, or the counter of the message id the channel writes into the properties while it sends (MessageId null);
    // spanName, fixedDestination: the contract's span name and destination attribute, made once (null without a contract).
    private async ValueTask PublishCoreAsync(string exchange, string routingKey, bool mandatory, BasicProperties properties, ulong messageId, ReadOnlyMemory<byte> body, PooledBody ownedBody, string? spanName, PublishDestination? fixedDestination, string destination, string? template, bool ordered, bool owned, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var activity = WarrenTracing.StartPublish(spanName, destination, template, exchange, routingKey, properties.MessageId, properties.CorrelationId, properties.Type, messageId, fixedDestination);

        // Written by the channel into the headers it sends (see ConfirmChannel.SendAsync): without headers of its own a
        // message gets no header table nor id string for its trace context.
        var trace = TraceContext.Of(activity ?? Activity.Current);
        if (activity is { IsAllDataRequested: false } && !ClientPublishTracing.IsListened)
        {
            // A span no sampler records (a parent-based sampler's unsampled trace) only carries the context, which is
            // taken: it ends now instead of living while the broker confirms, so it is not kept past a collection. Kept
            // current while RabbitMQ.Client's own publish span, which would be its child, is listened to.
            activity.Dispose();
            activity = null;
        }

        var holder = ordered ? _channels[0] : NextChannel();
        var deadline = started + _timeoutTicks;
        CancellationTokenSource? timeout = null;
        var isolated = false;
        var channelErrors = 0;
        // Set once a channel was obtained and the message handed to it: only then may a timeout have sent it.
        var handedToChannel = false;
        // What the publish waits for before a channel takes it, for the message of a timeout.
        var waitingFor = PublishWait.Channel;
        string? errorType = null;
        try
        {
            if (_startup.PublishGate is { IsCompleted: false } gate)
            {
                // A background start is still reaching the broker: its topology is not declared yet.
                timeout ??= TimeoutSource(deadline, cancellationToken);
                waitingFor = PublishWait.Start;
                await gate.WaitAsync(timeout.Token).ConfigureAwait(false);
            }

            var connection = _connections.OpenedPublishConnection;
            if (connection is null)
            {
                timeout ??= TimeoutSource(deadline, cancellationToken);
                waitingFor = PublishWait.PublishConnection;
                connection = await _connections.GetPublishConnectionAsync(timeout.Token).ConfigureAwait(false);
            }

            waitingFor = PublishWait.Channel;

            if (activity is { IsAllDataRequested: true })
            {
                WarrenTracing.DescribeServer(activity, EndpointOf(connection));
            }

            var framed = false;
            while (true)
            {
                ShutdownEventArgs? interruption;
                string failure;
                var sent = false;
                try
                {
                    if (!framed)
                    {
                        if (!_connections.IsInUse(connection))
                        {
                            // Given up and disposed since this publish obtained it: wait for the one replacing it.
                            timeout ??= TimeoutSource(deadline, cancellationToken);
                            waitingFor = PublishWait.PublishConnection;
                            connection = _connections.OpenedPublishConnection
                                ?? await _connections.GetPublishConnectionAsync(timeout.Token).ConfigureAwait(false);
                            waitingFor = PublishWait.Channel;
                        }

                        // Read inside the retry: FrameMax throws ObjectDisposedException when the connection is disposed
                        // while this publish obtains it, which is handled below like the send's own failures (the next
                        // attempt takes the connection that replaces it).
                        PublishFrame.Check(exchange, routingKey, properties, connection.FrameMax, messageIdByChannel: messageId != 0);
                        framed = true;
                    }

                    if (isolated)
                    {
                        timeout ??= TimeoutSource(deadline, cancellationToken);
                        handedToChannel = true;
                        await PublishAloneAsync(exchange, routingKey, mandatory, properties, messageId, body, trace, deadline, timeout.Token).ConfigureAwait(false);
                    }
                    else
                    {
                        var channel = holder.Current;
                        if (channel is null || !channel.Channel.IsOpen)
                        {
                            timeout ??= TimeoutSource(deadline, cancellationToken);
                            channel = await holder.GetAsync(timeout.Token).ConfigureAwait(false);
                        }

                        // The caller's token, not the timeout source: the channel enforces the deadline itself.
                        handedToChannel = true;
                        var pending = await channel.SendAsync(exchange, routingKey, mandatory, properties, body, messageId, trace, deadline, cancellationToken).ConfigureAwait(false);
                        if (!pending.Task.IsCompleted)
                        {
                            // Cancellation completes the pending publish itself: no extra waiting task per publish.
                            using var registration = cancellationToken.CanBeCanceled
                                ? cancellationToken.UnsafeRegister(static (state, token) => ((ConfirmChannel.Pending)state!).TrySetCanceled(token), pending)
                                : default;
                            try
                            {
                                await pending.Task.ConfigureAwait(false);
                            }
                            catch (OperationCanceledException)
                            {
                                channel.Forget(pending);
                                throw;
                            }
                        }
                        else
                        {
                            await pending.Task.ConfigureAwait(false);
                        }
                    }

                    return;
                }
                catch (PublishInterruptedException ex)
                {
                    // Sent, then the channel went before the broker confirmed it.
                    interruption = ex.Reason;
                    failure = ex.Message;
                    sent = true;
                }
                catch (OperationInterruptedException ex)
                {
                    // Not sent: the channel was already closed.
                    interruption = ex.ShutdownReason;
                    failure = ex.Message;
                }
                catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException && !cancellationToken.IsCancellationRequested && timeout?.IsCancellationRequested != true)
                {
                    interruption = null;
                    failure = ex.Message;
                }

                if (sent && interruption is not null && (ChannelErrors.IsChannelError(interruption) || ChannelErrors.IsProtocolError(interruption)))
                {
                    if (isolated || (ChannelErrors.IsChannelError(interruption) && ChannelErrors.Names(interruption, exchange)))
                    {
                        throw Refused(exchange, routingKey, interruption);
                    }

                    if (ChannelErrors.IsChannelError(interruption) && ChannelErrors.NamesAnExchange(interruption) && ++channelErrors < MaxChannelErrorsBeforeIsolation)
                    {
                        // Another publish on the channel caused it: send this one again on a new channel.
                        Log.PublishRetry(_logger, exchange, routingKey, failure);
                        continue;
                    }

                    isolated = true;
                    Log.PublishIsolated(_logger, exchange, routingKey, $"{interruption.ReplyCode} {interruption.ReplyText}");
                    continue;
                }

                // The connection dropped: at-least-once means publishing again once recovery is done.
                Log.PublishRetry(_logger, exchange, routingKey, failure);
                timeout ??= TimeoutSource(deadline, cancellationToken);
                await Task.Delay(RecoveryPoll, timeout.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException ex) when (timeout is { IsCancellationRequested: true } && !cancellationToken.IsCancellationRequested)
        {
            errorType = typeof(PublishTimeoutException).FullName!;
            var timedOut = handedToChannel
                ? new PublishTimeoutException(exchange, routingKey, _options.PublishTimeout, ex)
                : NotSent(exchange, routingKey, waitingFor);
            WarrenTracing.Fail(activity, errorType, timedOut.Message, timedOut);
            throw timedOut;
        }
        catch (ConfirmTimeoutException ex)
        {
            errorType = typeof(PublishTimeoutException).FullName!;
            var timedOut = new PublishTimeoutException(exchange, routingKey, _options.PublishTimeout, ex);
            WarrenTracing.Fail(activity, errorType, timedOut.Message, timedOut);
            throw timedOut;
        }
        catch (Exception ex)
        {
            errorType = WarrenTracing.ErrorTypeOf(ex);
            WarrenTracing.Fail(activity, errorType, ex.Message, ex);
            throw;
        }
        finally
        {
            timeout?.Dispose();
            _metrics.Published(destination, template, errorType, started);
            ownedBody.Dispose();
            if (owned)
            {
                // Nothing refers to them any more: every send of this publish has completed (see PropertiesPool).
                _properties.Return(properties);
                LeaveWindow();
            }

            activity?.Dispose();
        }
    }

    /// <summary>
    /// The timeout of a publish no channel took: what it waited for (the start, the publish connection, a channel on it)
    /// and that wait's own last failure, naming the connection, so a publish-only service is not left wondering why a
    /// consume connection failure stops its publishes (its start declares the topology on that connection first).
    /// </summary>
    private PublishTimeoutException NotSent(string exchange, string routingKey, PublishWait waitingFor)
    {
        string waited;
        Exception? failure;
        switch (waitingFor)
        {
            case PublishWait.Start:
                // The start's own failure, or a failed retry of the connection it is opening if that is newer.
                var startFailure = _startup.LastFailure;
                failure = _startup.LastException;
                if (_connections.LastConnectFailure is { } retry && (startFailure is null || retry.At > startFailure.Value.At))
                {
                    failure = retry.Error;
                }

                waited = "it waited for Warren's start, which had not finished: " + (_startup.CurrentStep is { } step
                    ? (StartupHealth.IsUnderWay(step) ? "it was " : "its last step done: ") + step + WhyTheStartOpens(step)
                    : startFailure is { } failed
                        ? "it failed " + StartupHealth.FailedStep(failed.Step) + WhyTheStartOpens(failed.Step) + " and is trying again"
                        : "it had not reached the broker yet");
                break;
            case PublishWait.PublishConnection:
                failure = _connections.LastConnectFailureOf(ConnectionRole.Publish)?.Error;
                waited = "it waited for the publish connection, which did not open in time" + (failure is not null ? string.Empty : WhyNotOpened());
                break;
            default:
                var status = _connections.GetStatus(ConnectionRole.Publish);
                failure = null;
                waited = "no channel on the publish connection was available"
                    + (status.State is WarrenConnectionState.Recovering or WarrenConnectionState.Failed or WarrenConnectionState.Blocked
                        ? $" (the publish connection is {status.State.ToString().ToLowerInvariant()}" + (status.LastError is { } error ? $": {error})" : ")")
                        : string.Empty);
                break;
        }

        return PublishTimeoutException.NotSent(exchange, routingKey, _options.PublishTimeout, waited, failure);
    }

    /// <summary>
    /// Why the publish connection did not open when no attempt to open it failed: the connections are opened one at a
    /// time, so its open may not even have begun while the consume connection's was under way.
    /// </summary>
    private string WhyNotOpened()
    {
        switch (_connections.Opening)
        {
            case ConnectionRole.Publish:
                return " (no attempt to open it had failed yet: the broker did not answer)";
            case ConnectionRole.Consume:
                var consume = _connections.LastConnectFailureOf(ConnectionRole.Consume);
                return " (its open had not begun: it was still waiting behind the consume connection's open, which was under way"
                    + (consume is { } failed ? $"; the consume connection's last attempt failed: {failed.Error.Message})" : " and had not answered yet)");
            default:
                return " (no attempt to open it had failed yet)";
        }
    }

    /// <summary>Why a start opening the consume connection holds publishes back: the topology is declared on it first.</summary>
    private static string WhyTheStartOpens(string? step) =>
        step == "opening the consume connection" ? " (the start declares the topology on the consume connection before anything is published)" : string.Empty;

    /// <summary>What a publish was waiting for when it timed out before a channel took it.</summary>
    private enum PublishWait
    {
        Start,
        PublishConnection,
        Channel,
    }

    /// <summary>A cancellation source for the waits of a publish other than its confirmation: the caller's token and the time left until the deadline.</summary>
    private static CancellationTokenSource TimeoutSource(long deadline, CancellationToken cancellationToken)
    {
        var source = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var left = deadline - Stopwatch.GetTimestamp();
        source.CancelAfter(left <= 0 ? TimeSpan.Zero : Stopwatch.GetElapsedTime(0, left));
        return source;
    }

    /// <summary>
    /// Sends on the isolation channel with nothing else in flight there, so a channel or connection error that follows
    /// can only have been caused by this publish.
    /// </summary>
    private async ValueTask PublishAloneAsync(string exchange, string routingKey, bool mandatory, BasicProperties properties, ulong messageId, ReadOnlyMemory<byte> body, ActivityContext trace, long deadline, CancellationToken cancellationToken)
    {
        await _isolationLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var channel = await _isolation.GetAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                await channel.PublishAsync(exchange, routingKey, mandatory, properties, body, messageId, trace, deadline, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ConfirmTimeoutException)
            {
                // Its outcome may still arrive on this channel: the next isolated publish must not inherit it.
                await _isolation.CloseCurrentAsync().ConfigureAwait(false);
                throw;
            }
        }
        finally
        {
            _isolationLock.Release();
        }
    }

    /// <summary>Round-robin over the publishing channels, for publishes that need no order.</summary>
    private ChannelHolder<ConfirmChannel> NextChannel() =>
        _channels.Length == 1 ? _channels[0] : _channels[(int)((uint)Interlocked.Increment(ref _nextChannel) % (uint)_channels.Length)];

    private static Warren.WarrenPublishException Refused(string exchange, string routingKey, ShutdownEventArgs reason) =>
        new(
            ChannelErrors.IsProtocolError(reason)
                ? $"The broker closed the publishing connection because of the message for exchange '{exchange}' with routing key '{routingKey}' ({reason.ReplyCode} {reason.ReplyText}); it is not sent again."
                : $"The broker refused the publish to exchange '{exchange}' with routing key '{routingKey}': {reason.ReplyCode} {reason.ReplyText}. It is not sent again.",
            exchange,
            routingKey);

    private ServerEndpoint? EndpointOf(IConnection connection)
    {
        var cached = Volatile.Read(ref _endpoint);
        if (cached is null || !ReferenceEquals(cached.Connection, connection))
        {
            cached = new ConnectionEndpoint(connection);
            Volatile.Write(ref _endpoint, cached);
        }

        return cached.Current;
    }
}

/// <summary>Where an idle cached JSON writer points, so it keeps no body alive.</summary>
file sealed class NoOutput : System.Buffers.IBufferWriter<byte>
{
    public static readonly NoOutput Instance = new();

    public void Advance(int count) => throw new InvalidOperationException("No output.");

    public Memory<byte> GetMemory(int sizeHint = 0) => throw new InvalidOperationException("No output.");

    public Span<byte> GetSpan(int sizeHint = 0) => throw new InvalidOperationException("No output.");
}
