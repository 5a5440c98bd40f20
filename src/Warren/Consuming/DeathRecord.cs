using System;

namespace Warren;

/// <summary>One entry of the broker's <c>x-death</c> header: a queue the message was dead-lettered from, why and how often.</summary>
/// <param name="Queue">The queue the message was dead-lettered from.</param>
/// <param name="Reason">The broker's reason: <c>rejected</c>, <c>expired</c>, <c>maxlen</c> or <c>delivery_limit</c>.</param>
/// <param name="Count">How many times it was dead-lettered from that queue for that reason.</param>
/// <param name="Exchange">The exchange it had been published to.</param>
/// <param name="RoutingKeys">The routing keys it had been published with.</param>
/// <param name="Time">When it was first dead-lettered for this queue and reason.</param>
public sealed record DeathRecord(string Queue, string Reason, long Count, string Exchange, System.Collections.Generic.IReadOnlyList<string> RoutingKeys, DateTimeOffset? Time);
