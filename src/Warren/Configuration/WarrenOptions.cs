using System;
using System.Collections.Generic;

namespace Warren;

/// <summary>
/// Settings for Warren's connections, publishers and consumers, bound from the <c>Warren</c> configuration section.
/// When neither <see cref="Url"/> nor <see cref="Hosts"/> is set, the <c>RABBITMQ_URL</c> variable is used.
/// </summary>
public sealed class WarrenOptions
{
    /// <summary>The configuration section Warren binds by default.</summary>
    public const string SectionName = "Warren";

    /// <summary>The environment variable read when no URL or host is configured.</summary>
    public const string UrlEnvironmentVariable = "RABBITMQ_URL";

    /// <summary>
    /// An AMQP URI, <c>amqp://user:password@host:port/vhost</c> (or <c>amqps://</c>). Several URIs for a cluster may be
    /// given separated by commas; they must share credentials and virtual host.
    /// </summary>
    public string? Url { get; set; }

    /// <summary>Cluster nodes as <c>host</c> or <c>host:port</c>; used with <see cref="UserName"/>, <see cref="Password"/> and <see cref="VirtualHost"/>.</summary>
    public IList<string> Hosts { get; } = new List<string>();

    /// <summary>The virtual host, when not given by <see cref="Url"/>. Default <c>/</c>.</summary>
    public string? VirtualHost { get; set; }

    /// <summary>The user name, when not given by <see cref="Url"/>. Default <c>guest</c>.</summary>
    public string? UserName { get; set; }

    /// <summary>The password, when not given by <see cref="Url"/>. Never logged.</summary>
    public string? Password { get; set; }

    /// <summary>The name the broker shows for this application's connections (suffixed with <c>:publish</c> / <c>:consume</c>).</summary>
    public string ClientName { get; set; } = "warren";

    /// <summary>Default consumer prefetch (QoS) per queue: how many unacknowledged messages the broker sends ahead.</summary>
    public ushort Prefetch { get; set; } = 32;

    /// <summary>Default number of handlers that run at once per queue.</summary>
    public int Concurrency { get; set; } = 1;

    /// <summary>How long a publish may take, confirmation and recovery waits included, before it fails.</summary>
    public TimeSpan PublishTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How many publishes may await their broker confirmation at once; further publishes wait (backpressure).</summary>
    public int MaxInFlightPublishes { get; set; } = 1024;

    /// <summary>
    /// Publishing channels, each with its own confirmation tracking (<c>Warren:PublishChannels</c>, 1–64, default 1).
    /// Publishes that need no order are spread over them; batches and <see cref="PublishOptions.Ordered"/> publishes use
    /// the first. <see cref="MaxInFlightPublishes"/> bounds all of them together.
    /// </summary>
    public int PublishChannels { get; set; } = 1;

    /// <summary>The largest message body accepted in either direction, in bytes (the broker's default is 128 MiB).</summary>
    public int MaxMessageSize { get; set; } = 128 * 1024 * 1024;

    /// <summary>
    /// What starting the host does when the broker cannot be reached: <see cref="WarrenStartMode.FailFast"/> (the default:
    /// the host's start waits for the broker and fails after <see cref="ConnectTimeout"/>) or
    /// <see cref="WarrenStartMode.Background"/> (the host starts at once and Warren connects when the broker answers).
    /// </summary>
    public WarrenStartMode StartMode { get; set; } = WarrenStartMode.FailFast;

    /// <summary>How long the first connection may take, retries included, before start-up fails.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long a graceful stop may take. In-flight handlers get most of it to finish (and are acknowledged); then their
    /// cancellation token fires and, shortly before the end, the channel is closed without waiting for handlers that
    /// ignore it (the broker returns their messages to the queue).
    /// </summary>
    public TimeSpan ShutdownTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The AMQP heartbeat Warren asks for (RabbitMQ.Client's <c>RequestedHeartbeat</c>; the broker may lower it). A peer
    /// that stops answering, such as a connection dropped by a firewall without a reset, is declared lost after about
    /// three heartbeats and recovery starts. Default 10 s (the client's own default, 60 s, took about 4 minutes to notice
    /// a dead connection). Whole seconds from 1 s; <see cref="TimeSpan.Zero"/> turns heartbeats off (not recommended).
    /// </summary>
    public TimeSpan Heartbeat { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How long a failed message waits before it is returned to its queue when it cannot be retried through retry queues:
    /// on a queue with <see cref="RetryPolicy.Disabled"/>, or when publishing its retry or dead-letter copy failed. It
    /// stays unacknowledged meanwhile (it counts against the prefetch), so a message that always fails is redelivered at
    /// most once per delay, never in a hot loop.
    /// </summary>
    public TimeSpan RequeueDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How often a stream consumer with stored offsets saves its position to the <see cref="IStreamOffsetStore"/> while
    /// consuming (and once more at a graceful stop). Default one second: after a crash, at most about this much of the
    /// stream is handled again.
    /// </summary>
    public TimeSpan StreamOffsetSaveInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// The first wait before a consumer that lost its channel or subscription (closed by the broker, queue deleted,
    /// consumer cancelled) opens new ones; it doubles after each failed attempt, up to 30 seconds.
    /// </summary>
    public TimeSpan ConsumerRestartDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How often RabbitMQ.Client's automatic recovery retries a lost connection.</summary>
    public TimeSpan NetworkRecoveryInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// The configuration key <see cref="Url"/> was read from when it came from a connection string
    /// (<c>ConnectionStrings:{name}</c>), for error messages; null when it came from <c>Warren:Url</c> or code.
    /// </summary>
    internal string? UrlSource { get; set; }

    /// <summary>The connection string Warren was told to read (<c>AddWarren("name")</c>), for error messages.</summary>
    internal string? ConnectionStringName { get; set; }

    /// <summary>Include the server's stack trace in RPC fault replies (off by default: it can reveal internals).</summary>
    public bool RpcIncludeStackTraces { get; set; }

    /// <summary>
    /// Relay due delayed messages (<c>Warren:DelayRelay</c>, on by default): when the delay topology exists on the broker at
    /// start-up, or once this process publishes a delayed message, the host consumes <c>warren.delay.due</c> and publishes
    /// each due message to where it was addressed. Turn it off only where another Warren application relays.
    /// </summary>
    public bool DelayRelay { get; set; } = true;
}
