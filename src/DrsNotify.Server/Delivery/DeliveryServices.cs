using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;

namespace DrsNotify.Server.Delivery;

/// <summary>Registration of delivery: options, channels, the dispatcher and the Prometheus exporter.</summary>
public static class DeliveryServices
{
    /// <summary>Prefix of the meter names that <c>/metrics</c> exports.</summary>
    public const string MeterPrefix = "DrsNotify";

    public static IServiceCollection AddDelivery(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<DeliveryOptions>().Bind(configuration.GetSection(DeliveryOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<SmtpOptions>().Bind(configuration.GetSection(SmtpOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<SmsOptions>().Bind(configuration.GetSection(SmsOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<WebhookOptions>().Bind(configuration.GetSection(WebhookOptions.Section)).ValidateDataAnnotations().ValidateOnStart();

        // Delivery calls wait for the dispatcher's own timeouts, and never follow a redirect
        // with a signed body to another address.
        services.AddHttpClient(SignedHttpPoster.ClientName, client => client.Timeout = Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { AllowAutoRedirect = false });

        services.AddSingleton<OutboxStore>();
        services.AddSingleton<CaptureInbox>();
        services.AddSingleton<DeliveryMetrics>();
        services.AddSingleton<SignedHttpPoster>();
        services.AddSingleton<IChannelSender, EmailSender>();
        services.AddSingleton<IChannelSender, SmsSender>();
        services.AddSingleton<IChannelSender, WebhookSender>();
        services.AddSingleton<Dispatcher>();
        services.AddHostedService(provider => provider.GetRequiredService<Dispatcher>());

        services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService("drsnotify"))
            .WithMetrics(metrics => metrics
            .AddMeter(MeterPrefix + "*")
            .AddPrometheusExporter());
        return services;
    }

    /// <summary>
    /// Maps <c>/metrics</c> in Prometheus text format, without authentication, like most
    /// exporters: it shows counts and lags, never a recipient or a message.
    /// </summary>
    public static void MapDeliveryMetrics(this WebApplication app)
    {
        // The gauges read the store when scraped, so the instruments must exist before the first scrape.
        app.Services.GetRequiredService<DeliveryMetrics>();
        app.MapPrometheusScrapingEndpoint("/metrics");
    }
}
