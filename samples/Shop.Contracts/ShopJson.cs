using System.Text.Json.Serialization;

namespace Shop.Contracts;

/// <summary>Public, so every service takes its type information from here instead of repeating it.</summary>
[JsonSerializable(typeof(UserCreated))]
[JsonSerializable(typeof(UserUpdated))]
[JsonSerializable(typeof(ProcessVideo))]
[JsonSerializable(typeof(CheckStock))]
[JsonSerializable(typeof(StockLevel))]
[JsonSerializable(typeof(Charge))]
[JsonSerializable(typeof(ChargeResult))]
[JsonSerializable(typeof(OrderCreated))]
public sealed partial class ShopJson : JsonSerializerContext;
