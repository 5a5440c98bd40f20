using System.Threading;
using System.Threading.Tasks;
using Shop.Contracts;
using Warren;

// The notifications service: the event bus's consumers. Each class is its own queue, bound to the topic exchanges by
// the patterns on its methods; the messages come from Shop.Contracts.
return await SampleService.RunAsync("notifications", args, _ => { });

namespace Shop.Notifications
{
    /// <summary>Welcome mails: its own queue, bound to every region's signups.</summary>
    [Queue("shop.email-notifications", Prefetch = 20)]
    public sealed class EmailNotifications
    {
        [Topic("user.*.created")]
        public Task Handle(UserCreated user, MessageContext context, CancellationToken ct)
        {
            SampleService.Say("notifications", $"email      welcome mail to {user.Email} (message {context.MessageId?[..8]})");
            return Task.CompletedTask;
        }
    }

    /// <summary>Analytics: everything about users and orders.</summary>
    [Queue("shop.analytics")]
    public sealed class Analytics
    {
        [Topic("user.#")]
        public void Created(UserCreated user, MessageContext context) =>
            SampleService.Say("notifications", $"analytics  signup of {user.UserId} in {user.Region} (key {context.RoutingKey})");

        [Topic("user.#")]
        public void Updated(UserUpdated user, MessageContext context) =>
            SampleService.Say("notifications", $"analytics  update of {user.UserId} (key {context.RoutingKey})");

        [Topic("order.#")]
        public void Ordered(OrderCreated order, MessageContext context) =>
            SampleService.Say("notifications", $"analytics  order {order.OrderId}: {order.Quantity} x {order.Sku} (key {context.RoutingKey})");
    }
}
