// The application types the C# examples in README.md and docs/ use without declaring them. The docs test
// (tests/Warren.Generators.Tests/UserFacing/DocsSnippetTests.cs) compiles every example together with this file.
namespace Docs.Shared;

public sealed record OrderPlaced(string OrderId, string Region, decimal Total);

public sealed record CheckStock(string Sku, int Quantity);

public sealed record StockLevel(string Sku, int Available);

public sealed record ChargeCard(string OrderId, decimal Amount);

[JsonSerializable(typeof(OrderPlaced))]
[JsonSerializable(typeof(CheckStock))]
[JsonSerializable(typeof(StockLevel))]
[JsonSerializable(typeof(ChargeCard))]
public sealed partial class SharedJson : JsonSerializerContext;

public interface IEmailSender
{
    Task SendWelcome(string email, CancellationToken ct);
}

public sealed class FakeEmailSender : IEmailSender
{
    public List<string> Sent { get; } = [];

    public Task SendWelcome(string email, CancellationToken ct)
    {
        Sent.Add(email);
        return Task.CompletedTask;
    }
}

public sealed class ValidationException(string message) : Exception(message);
