using System;
using System.Threading.Tasks;
using Microsoft.Extensions.DependencyInjection;

namespace Warren.Testing.Tests;

internal static class Shop
{
    /// <summary>Starts the shop application on a fresh in-memory broker.</summary>
    public static Task<WarrenTestHarness> StartAsync(Behaviour? behaviour = null, Action<WarrenTestHarnessOptions>? configure = null) =>
        WarrenTestHarness.StartAsync(
            services =>
            {
                services.AddSingleton(behaviour ?? new Behaviour());
                services.AddWarren().AddGeneratedHandlers();
            },
            options =>
            {
                options.JsonContexts.Add(ShopJson.Default);
                configure?.Invoke(options);
            });
}
