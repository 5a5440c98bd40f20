using System;
using System.Collections;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.CompilerServices;
using Xunit;

namespace Warren.Tests;

/// <summary>
/// docs/configuration.md promises "every option, once": every key the configuration binds (each public property of
/// the options classes bound from a section) is on the page, and the health-check options are on the page it sends
/// them to. A new option without documentation fails here.
/// </summary>
public sealed class ConfigurationDocsTests
{
    [Theory]
    [InlineData(typeof(WarrenOptions), WarrenOptions.SectionName)]
    [InlineData(typeof(WarrenMonitoringOptions), WarrenMonitoringOptions.SectionName)]
    public void Every_bindable_key_is_in_the_configuration_page(Type options, string section)
    {
        var page = Read("configuration.md");

        var missing = BindableKeys(options, section).Where(key => !page.Contains("`" + key + "`", StringComparison.Ordinal) && !page.Contains("`" + key + ":", StringComparison.Ordinal)).ToList();

        Assert.True(missing.Count == 0, "keys bound from configuration but missing from docs/configuration.md: " + string.Join(", ", missing));
    }

    [Fact]
    public void Every_health_check_option_is_in_the_observability_page()
    {
        var page = Read("observability.md");

        var missing = BindableKeys(typeof(WarrenHealthCheckOptions), null).Where(name => !page.Contains(name, StringComparison.Ordinal)).ToList();

        Assert.True(missing.Count == 0, "health-check options missing from docs/observability.md: " + string.Join(", ", missing));
    }

    [Fact]
    public void The_key_list_sees_the_options_it_must()
    {
        // The test of the test: settable values and bound collections count, internal and read-only values do not.
        var keys = BindableKeys(typeof(WarrenOptions), "Warren").ToList();
        Assert.Contains("Warren:StreamOffsetSaveInterval", keys);
        Assert.Contains("Warren:Hosts", keys);
        Assert.DoesNotContain("Warren:UrlSource", keys);
        Assert.Contains("Warren:Monitoring:BacklogThresholds", BindableKeys(typeof(WarrenMonitoringOptions), "Warren:Monitoring"));
    }

    /// <summary>What the configuration binder binds: public properties with a public setter, or a collection it fills.</summary>
    private static System.Collections.Generic.IEnumerable<string> BindableKeys(Type options, string? section) =>
        options.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.SetMethod is { IsPublic: true } || (typeof(IEnumerable).IsAssignableFrom(p.PropertyType) && p.PropertyType != typeof(string)))
            .Select(p => section is null ? p.Name : section + ":" + p.Name)
            .Order(StringComparer.Ordinal);

    private static string Read(string page, [CallerFilePath] string file = "")
    {
        var directory = Path.GetDirectoryName(file);
        while (directory is not null && !File.Exists(Path.Combine(directory, "Framework.sln")))
        {
            directory = Path.GetDirectoryName(directory);
        }

        return File.ReadAllText(Path.Combine(directory ?? throw new InvalidOperationException("Framework.sln not found"), "docs", page));
    }
}
