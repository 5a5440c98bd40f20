using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Reflection;
using static Warren.SemanticConventions;

namespace Warren;

/// <summary>
/// Warren's <see cref="ActivitySource"/> and the spans it starts: <c>publish {destination}</c> (Producer),
/// <c>process {queue}</c> (Consumer), <c>{service}/{method}</c> (RPC Client and Server). Span names use only
/// low-cardinality parts: exchanges, queues, routing-key templates and contract names, never a concrete routing key.
/// </summary>
internal static class WarrenTracing
{
    public static readonly ActivitySource Source = new(
        WarrenDiagnostics.ActivitySourceName,
        typeof(WarrenTracing).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion);

    /// <summary>
    /// Starts a publish span, child of the current activity, or returns null when nobody listens. Its name is
    /// <paramref name="spanName"/> when the caller keeps one (<see cref="PublishSpanName"/>), else made here.
    /// </summary>
    public static Activity? StartPublish(string? spanName, string destination, string? template, string exchange, string routingKey, string? messageId, string? correlationId, string? contract)
    {
        if (!Source.HasListeners())
        {
            return null;
        }

        var activity = Source.StartActivity(spanName ?? PublishSpanName(destination, template), ActivityKind.Producer);
        if (activity is { IsAllDataRequested: true })
        {
            // AddTag, not SetTag: the span is new, so there is nothing to replace and no list to search.
            activity.AddTag(MessagingSystem, RabbitMQSystem);
            activity.AddTag(OperationName, Publish);
            activity.AddTag(OperationType, Send);
            activity.AddTag(DestinationName, string.IsNullOrEmpty(exchange) ? routingKey : routingKey.Length == 0 ? exchange : exchange + ":" + routingKey);
            if (template is not null)
            {
                activity.AddTag(DestinationTemplate, template);
            }

            if (routingKey.Length > 0)
            {
                activity.AddTag(SemanticConventions.RoutingKey, routingKey);
            }

            AddIfPresent(activity, MessageId, messageId);
            AddIfPresent(activity, ConversationId, correlationId);
            AddIfPresent(activity, Contract, contract);
        }

        return activity;
    }

    /// <summary>The name of the process spans of a queue: <c>process {queue}</c>.</summary>
    public static string ProcessSpanName(string queue) => ProcessOperation + " " + queue;

    /// <summary>
    /// Starts a process span named <paramref name="spanName"/> (<see cref="ProcessSpanName"/>) whose parent is the
    /// producer's context from <paramref name="headers"/>, or the current activity; null when nobody listens, and then
    /// the headers are not even read.
    /// </summary>
    public static Activity? StartProcess(string spanName, IDictionary<string, object?>? headers)
    {
        if (!Source.HasListeners())
        {
            return null;
        }

        return Source.StartActivity(ActivityKind.Consumer, TraceContext.Extract(headers), name: spanName);
    }

    /// <summary>The name of a publish span: <c>publish {template}</c>, or <c>publish {destination}</c> without a template.</summary>
    public static string PublishSpanName(string destination, string? template) => Publish + " " + (template ?? destination);

    /// <summary>Adds a tag to a new span when it has a value.</summary>
    public static void AddIfPresent(Activity activity, string name, string? value)
    {
        if (!string.IsNullOrEmpty(value))
        {
            activity.AddTag(name, value);
        }
    }

    /// <summary>Marks a span as failed: Error status, <c>error.type</c> and, when there is one, an exception event.</summary>
    public static void Fail(Activity? activity, string errorType, string? description, Exception? exception)
    {
        if (activity is null)
        {
            return;
        }

        activity.SetStatus(ActivityStatusCode.Error, description);
        activity.SetTag(ErrorType, errorType);
        if (exception is not null)
        {
            activity.AddException(exception);
        }
    }

    /// <summary>The low-cardinality <c>error.type</c> of an exception: its type's full name.</summary>
    public static string ErrorTypeOf(Exception exception) => exception.GetType().FullName ?? exception.GetType().Name;
}
