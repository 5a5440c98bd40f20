using System;
using System.Linq;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;

namespace Warren.Generators.Tests.Infrastructure;

/// <summary>A JSON body for a type from its serialization metadata: every property present, strings non-empty.</summary>
internal static class SampleBodies
{
    public static string For(JsonTypeInfo info) => Node(info, depth: 0)?.ToJsonString() ?? "null";

    private static JsonNode? Node(JsonTypeInfo info, int depth)
    {
        var type = Nullable.GetUnderlyingType(info.Type) ?? info.Type;
        switch (info.Kind)
        {
            case JsonTypeInfoKind.Object when depth < 4:
                var obj = new JsonObject();
                foreach (var property in info.Properties.Where(p => p.Set is not null || p.AssociatedParameter is not null))
                {
                    obj[property.Name] = Node(info.Options.GetTypeInfo(property.PropertyType), depth + 1);
                }

                return obj;
            case JsonTypeInfoKind.Enumerable:
                return new JsonArray();
            case JsonTypeInfoKind.Dictionary:
                return new JsonObject();
        }

        if (type == typeof(string))
        {
            return JsonValue.Create("x");
        }

        if (type == typeof(char))
        {
            return JsonValue.Create("c");
        }

        return type.IsValueType ? JsonSerializer.SerializeToNode(Activator.CreateInstance(type), info.Options.GetTypeInfo(type)) : null;
    }
}
