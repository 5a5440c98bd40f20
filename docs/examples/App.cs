// The message, handler and JSON context the C# examples in README.md and docs/ use without declaring them. The docs
// test compiles an example with this file unless the example declares messages, handlers or a JSON context itself.
namespace Docs.Shared;

[Exchange("user.events", ExchangeKind.Topic)]
[Topic("user.{Region}.created")]
[Message("user.created")]
public sealed record UserCreated(string UserId, string Email, string Region);

[Queue("email-notifications")]
public sealed class EmailNotifications(IEmailSender email)
{
    public Task Handle(UserCreated evt, CancellationToken ct) => email.SendWelcome(evt.Email, ct);
}

[JsonSerializable(typeof(UserCreated))]
public sealed partial class AppJson : JsonSerializerContext;
