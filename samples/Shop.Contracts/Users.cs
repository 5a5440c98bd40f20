using Warren;

namespace Shop.Contracts;

// Event bus: user events on a topic exchange; the routing key is built from the message.

[Exchange("shop.user.events", ExchangeKind.Topic)]
[Topic("user.{Region}.created")]
[Message("user.created")]
public sealed record UserCreated(string UserId, string Email, string Region);

[Exchange("shop.user.events", ExchangeKind.Topic)]
[Topic("user.{Region}.updated")]
[Message("user.updated")]
public sealed record UserUpdated(string UserId, string Email, string Region);
