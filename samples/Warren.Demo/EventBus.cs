using System;
using System.Collections.Concurrent;
using System.Threading.Tasks;

namespace Warren.Demo;

/// <summary>
/// The event bus: a topic exchange <c>user.events</c>; the email service's queue takes <c>user.*.created</c>, the
/// analytics queue takes everything (<c>user.#</c>). Routes and dispatch are written out with the runtime API here.
/// </summary>
internal static class EventBus
{
    public const string Exchange = "user.events";
    public const string EmailQueue = "demo.email-notifications";
    public const string AnalyticsQueue = "demo.analytics";

    public static Topology Topology { get; } = new Topology()
        .Add(new ExchangeDeclaration(Exchange, ExchangeTypes.Topic))
        .Add(new QueueDeclaration(EmailQueue))
        .Add(new QueueDeclaration(AnalyticsQueue))
        .Add(new BindingDeclaration(Exchange, EmailQueue, "user.*.created"))
        .Add(new BindingDeclaration(Exchange, AnalyticsQueue, "user.#"));

    public static void RegisterContracts()
    {
        MessageContracts.Register(new MessageContract<UserCreated>("user.created", DemoJson.Default.UserCreated, Exchange, m => $"user.{m.Region}.created"));
        MessageContracts.Register(new MessageContract<UserUpdated>("user.updated", DemoJson.Default.UserUpdated, Exchange, m => $"user.{m.Region}.updated"));
    }

    /// <summary>Selects the handler by the AMQP <c>type</c> property, as generated dispatchers do.</summary>
    public sealed class AnalyticsDispatcher(ConcurrentQueue<string> log) : IMessageDispatcher
    {
        public ValueTask<DispatchOutcome> DispatchAsync(MessageContext context)
        {
            switch (context.MessageType)
            {
                case "user.created" when MessageDispatcher.TryDeserialize(context, DemoJson.Default.UserCreated, out var created, out var error):
                    log.Enqueue($"analytics  counted signup of {created!.UserId} in {created.Region} (key {context.RoutingKey})");
                    return ValueTask.FromResult(DispatchOutcome.Ack);
                case "user.updated" when MessageDispatcher.TryDeserialize(context, DemoJson.Default.UserUpdated, out var updated, out var error):
                    log.Enqueue($"analytics  counted update of {updated!.UserId} (key {context.RoutingKey})");
                    return ValueTask.FromResult(DispatchOutcome.Ack);
                default:
                    return ValueTask.FromResult(DispatchOutcome.DeadLetter($"analytics cannot handle type '{context.MessageType}'"));
            }
        }
    }
}
