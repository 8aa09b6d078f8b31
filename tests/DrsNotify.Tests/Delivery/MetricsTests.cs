using System.Diagnostics.Metrics;
using DrsNotify.Tests.Infrastructure;

namespace DrsNotify.Tests.Delivery;

/// <summary>/metrics in Prometheus text format.</summary>
public sealed class MetricsTests
{
    [Fact]
    public async Task MetricsCountDeliveriesPerChannel()
    {
        await using var receiver = await HttpReceiver.StartAsync();
        var calls = 0;
        receiver.Respond = (_, _) => Task.FromResult(Interlocked.Increment(ref calls) == 1 ? 500 : 200);
        await using var server = await TestServer.StartAsync(DeliveryHarness.FastSettings().WithSms(receiver.BaseAddress));
        var jobId = await DeliveryHarness.CreateJobWithRecipientsAsync(server, ["ops@example.com"], ["13812345678"]);
        await DeliveryHarness.WaitForFinalAsync(server, await DeliveryHarness.TestNotificationAsync(server, jobId));

        var text = await ScrapeAsync(server);

        // Other tests in this process export on meters of the same name, so counts are lower bounds.
        Assert.True(Value(text, "drsnotify_delivery_sent_total", "channel=\"sms\"") >= 1, text);
        Assert.True(Value(text, "drsnotify_delivery_retried_total", "channel=\"sms\"") >= 1, text);
        Assert.True(Value(text, "drsnotify_delivery_dead_lettered_total", "channel=\"email\"") >= 1, text);
        Assert.Contains("# TYPE drsnotify_delivery_dispatch_lag_seconds gauge", text);
    }

    [Fact]
    public async Task MetricsExportDrsNotifyMetersOnly()
    {
        await using var server = await TestServer.StartAsync(DeliveryHarness.FastSettings());
        using var alarms = new Meter("DrsNotify.Alarms");
        using var other = new Meter("Unrelated.Library");
        alarms.CreateCounter<long>("drsnotify.alarms.opened").Add(2);
        other.CreateCounter<long>("unrelated.counter").Add(1);

        var text = await ScrapeAsync(server);

        Assert.True(Value(text, "drsnotify_alarms_opened_total", "") >= 2, text);
        Assert.DoesNotContain("unrelated_counter", text);
    }

    [Fact]
    public async Task MetricsCountAgentReports()
    {
        await using var server = await TestServer.StartAsync(DeliveryHarness.FastSettings());
        var jobId = JobSeeds.NewJobId();
        await JobSeeds.CreateAsync(server, jobId, "INCRE_TRANSFER_STARTED");

        var text = await ScrapeAsync(server);

        Assert.True(Value(text, "drsnotify_alarms_reports_received_total", "") >= 2, text);
    }

    private static async Task<string> ScrapeAsync(TestServer server)
    {
        using var response = await server.Anonymous.GetAsync("/metrics");
        Assert.Equal(200, (int)response.StatusCode);
        Assert.StartsWith("text/plain", response.Content.Headers.ContentType?.MediaType);
        return await response.Content.ReadAsStringAsync();
    }

    /// <summary>Returns the value of the first sample of <paramref name="name"/> whose labels contain <paramref name="label"/>, or -1.</summary>
    private static double Value(string text, string name, string label)
    {
        foreach (var line in text.Split('\n'))
        {
            if (line.StartsWith(name + "{", StringComparison.Ordinal) && line.Contains(label, StringComparison.Ordinal))
            {
                // A sample line is: name{labels} value [timestamp]
                var afterLabels = line[(line.IndexOf('}') + 1)..].Trim();
                return double.Parse(afterLabels.Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
            }
        }

        return -1;
    }
}
