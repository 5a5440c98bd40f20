using System;

namespace Warren;

/// <summary>How a headers binding matches (<c>x-match</c>).</summary>
public enum HeadersMatch
{
    /// <summary><c>x-match: all</c>: every listed header must match.</summary>
    All,

    /// <summary><c>x-match: any</c>: one matching header is enough.</summary>
    Any,
}

/// <summary>
/// On a handler method whose queue binds to a headers exchange: the binding arguments. Each entry is
/// <c>"name=value"</c>, split at the first '=' and trimmed; together with <c>x-match</c> (<see cref="Mode"/>) they become
/// the <c>queue.bind</c> arguments. An entry without '=' or a name, naming an <c>x-</c> header, or repeating a name is
/// reported (WRN041) and the attribute binds nothing.
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = true, Inherited = false)]
public sealed class HeadersAttribute : Attribute
{
    /// <summary>Lists the <c>name=value</c> pairs.</summary>
    public HeadersAttribute(params string[] headers)
    {
        Headers = headers;
    }

    /// <summary>The <c>name=value</c> pairs.</summary>
    public string[] Headers { get; }

    /// <summary>All (default) or any.</summary>
    public HeadersMatch Mode { get; set; } = HeadersMatch.All;
}
