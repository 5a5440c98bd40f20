using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.DependencyInjection;
using Warren.IntegrationTests.Generated;
using Warren.IntegrationTests.Runtime;
using Xunit;

namespace Warren.IntegrationTests.Observability;

/// <summary>Publisher methods with a routing-key template of their own (gen.hash binds <c>order.#</c>, so they route).</summary>
[Publisher]
public partial interface IOrderAnnouncements
{
    [Topic("order.{Region}.announced")]
    ValueTask Announce(OrderPlaced order, CancellationToken cancellationToken = default);

    [Topic("order.all.announced")]
    Task AnnounceToAll(OrderPlaced order);
}

/// <summary>A generated publisher method's own <c>[Topic]</c> names its spans and metrics, as a contract's template does.</summary>
[Collection(BrokerCollection.Name)]
public sealed class PublisherTemplateTests(BrokerFixture broker)
{
    [Fact]
    public async Task A_publisher_methods_own_template_names_the_span_and_tags_the_metrics_and_a_callers_key_does_not()
    {
        const string Template = "gen.events:order.{Region}.announced";
        await using var app = await GeneratedHost.StartAsync(broker.AmqpUrl, "publisher-template");
        using var telemetry = new TelemetryCapture(app.Services.GetRequiredService<IMeterFactory>());
        var announcements = app.Services.GetRequiredService<IOrderAnnouncements>();

        await announcements.Announce(new OrderPlaced("t-1", "eu"));
        await announcements.Announce(new OrderPlaced("t-2", "us"));
        await announcements.AnnounceToAll(new OrderPlaced("t-3", "eu"));
        await app.Publisher.PublishAsync(new OrderPlaced("t-4", "eu"), new PublishOptions { RoutingKey = "order.eu.announced" });

        var templated = telemetry.Spans.Where(s => s.DisplayName == "publish " + Template).ToArray();
        Assert.Equal(2, templated.Length);
        Assert.All(templated, s =>
        {
            Assert.Equal(ActivityKind.Producer, s.Kind);
            Assert.Equal(Template, s.GetTagItem("messaging.destination.template"));
            Assert.Equal(new System.Uri(broker.AmqpUrl).Host, s.GetTagItem("server.address"));
            Assert.Equal((long)new System.Uri(broker.AmqpUrl).Port, s.GetTagItem("server.port"));
        });
        Assert.Equal(["gen.events:order.eu.announced", "gen.events:order.us.announced"], templated.Select(s => (string)s.GetTagItem("messaging.destination.name")!).Order());

        var constant = Assert.Single(telemetry.Spans, s => s.DisplayName == "publish gen.events:order.all.announced");
        Assert.Equal("gen.events:order.all.announced", constant.GetTagItem("messaging.destination.template"));

        // A caller's own routing key has no known template: the span names the exchange, as documented.
        var overridden = Assert.Single(telemetry.Spans, s => s.DisplayName == "publish gen.events");
        Assert.Null(overridden.GetTagItem("messaging.destination.template"));

        Assert.Equal(2, telemetry.Sum("messaging.client.sent.messages", "gen.events", m => m.Tag("messaging.destination.template") == Template));
        Assert.Equal(1, telemetry.Sum("messaging.client.sent.messages", "gen.events", m => m.Tag("messaging.destination.template") == "gen.events:order.all.announced"));
        Assert.Equal(1, telemetry.Sum("messaging.client.sent.messages", "gen.events", m => m.Tag("messaging.destination.template") is null));
        Assert.Equal(2, telemetry.Count("messaging.client.operation.duration", "gen.events", m => m.Tag("messaging.destination.template") == Template));
        await app.StopAsync();
    }
}
