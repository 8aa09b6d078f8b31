using System.Diagnostics.Metrics;

namespace DrsNotify.Server.Alarms;

/// <summary>
/// Counters of the alarm engine on the <c>DrsNotify.Alarms</c> meter, exported at <c>/metrics</c>
/// with the delivery counters: agent reports accepted, and episodes opened, resolved and closed.
/// </summary>
public sealed class AlarmMetrics
{
    public const string MeterName = "DrsNotify.Alarms";

    private readonly Counter<long> _reports;
    private readonly Counter<long> _episodes;

    public AlarmMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(MeterName);
        _reports = meter.CreateCounter<long>(
            "drsnotify.alarms.reports_received", "{report}", "Agent reports accepted by batch-report.");
        _episodes = meter.CreateCounter<long>(
            "drsnotify.alarms.episodes", "{episode}", "Alarm episode changes, by kind and change (opened, resolved, closed).");
    }

    public void ReportsReceived(int count) => _reports.Add(count);

    public void Record(IReadOnlyList<AlarmChange> changes)
    {
        foreach (var change in changes)
        {
            if (change.Change is AlarmChanges.Opened or AlarmChanges.Resolved or AlarmChanges.Closed)
            {
                _episodes.Add(1, new KeyValuePair<string, object?>("kind", change.Kind), new KeyValuePair<string, object?>("change", change.Change));
            }
        }
    }
}
