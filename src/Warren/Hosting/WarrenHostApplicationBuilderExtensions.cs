using System;
using Microsoft.Extensions.Hosting;

namespace Warren;

/// <summary>Registers Warren on a host application builder (<c>Host.CreateApplicationBuilder</c>, <c>WebApplication.CreateBuilder</c>, Aspire service projects).</summary>
public static class WarrenHostApplicationBuilderExtensions
{
    /// <summary>
    /// Registers Warren with the builder's configuration: the <c>Warren</c> section, <c>RABBITMQ_URL</c> and, when
    /// <paramref name="connectionName"/> is given, the connection string <c>ConnectionStrings:{connectionName}</c>
    /// (what an Aspire AppHost's <c>WithReference(rabbit)</c> provides, named after the resource), which takes the place
    /// of <c>Warren:Url</c> and <c>Warren:Hosts</c> when it is set.
    /// </summary>
    /// <param name="builder">The host application builder.</param>
    /// <param name="connectionName">The connection string to read, e.g. <c>"rabbit"</c> for <c>ConnectionStrings:rabbit</c>; null reads none.</param>
    /// <param name="configure">Changes options in code after configuration is bound (a connection string still wins for where to connect).</param>
    /// <returns>The builder to add consumers, topology and <c>AddGeneratedHandlers()</c> to.</returns>
    public static WarrenBuilder AddWarren(this IHostApplicationBuilder builder, string? connectionName = null, Action<WarrenOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var warren = builder.Services.AddWarren(builder.Configuration, connectionName);
        if (configure is not null)
        {
            warren.Configure(configure);
        }

        return warren;
    }
}
