using System.Diagnostics.Metrics;
using Microsoft.Data.Sqlite;

namespace DrsNotify.Server.Delivery;

/// <summary>
/// The delivery instruments on the meter <c>DrsNotify.Delivery</c>. <c>/metrics</c> exports
/// every meter whose name starts with <c>DrsNotify</c>, in Prometheus text format.
/// </summary>
public sealed class DeliveryMetrics
{
    public const string MeterName = "DrsNotify.Delivery";

    private readonly Counter<long> _sent;
    private readonly Counter<long> _retried;
    private readonly Counter<long> _deadLettered;

    public DeliveryMetrics(IMeterFactory meters, OutboxStore outbox, TimeProvider time)
    {
        var meter = meters.Create(MeterName);
        _sent = meter.CreateCounter<long>(
            "drsnotify.delivery.sent", "{message}", "Messages accepted by their channel, or stored by capture mode.");
        _retried = meter.CreateCounter<long>(
            "drsnotify.delivery.retried", "{message}", "Failed sends that were scheduled for another attempt.");
        _deadLettered = meter.CreateCounter<long>(
            "drsnotify.delivery.dead_lettered", "{message}", "Messages given up after a permanent failure or the last retry.");
        meter.CreateObservableGauge(
            "drsnotify.delivery.dispatch_lag",
            () => MeasureLag(outbox, time),
            "s",
            "Age of the oldest pending message that is due, in seconds; 0 when none is due.");
    }

    public void RecordSent(string channel) => _sent.Add(1, new KeyValuePair<string, object?>("channel", channel));

    public void RecordRetried(string channel) => _retried.Add(1, new KeyValuePair<string, object?>("channel", channel));

    public void RecordDeadLettered(string channel) => _deadLettered.Add(1, new KeyValuePair<string, object?>("channel", channel));

    private static IEnumerable<Measurement<double>> MeasureLag(OutboxStore outbox, TimeProvider time)
    {
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        long? oldest;
        try
        {
            oldest = outbox.OldestDueAt(now);
        }
        catch (SqliteException)
        {
            // The store is closing or busy; this scrape has no lag value.
            return [];
        }

        return [new Measurement<double>(oldest is null ? 0 : (now - oldest.Value) / 1000.0)];
    }
}
