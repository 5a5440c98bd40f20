using System.Text.Json.Serialization;

namespace Warren.Demo;

public sealed record UserCreated(string UserId, string Email, string Region);

public sealed record UserUpdated(string UserId, string Email, string Region);

[JsonSerializable(typeof(UserCreated))]
[JsonSerializable(typeof(UserUpdated))]
internal sealed partial class DemoJson : JsonSerializerContext;
