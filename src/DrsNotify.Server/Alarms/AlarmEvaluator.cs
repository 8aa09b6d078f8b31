using System.Threading.Channels;
using DrsNotify.Server.Storage;
using Microsoft.Extensions.Options;

namespace DrsNotify.Server.Alarms;

/// <summary>
/// Evaluates the alarm rules of every live job every <see cref="AlarmOptions.EvaluationInterval"/>,
/// by the injected <see cref="TimeProvider"/>, and earlier when <see cref="Nudge"/> is called.
/// Each run is one write transaction: an episode's change and its outbox rows commit together.
/// </summary>
public sealed partial class AlarmEvaluator(
    Database database, TimeProvider time, IOptions<AlarmOptions> options, ILogger<AlarmEvaluator> logger,
    AlarmMetrics metrics, Delivery.Dispatcher? dispatcher = null) : BackgroundService
{
    /// <summary>Shortest time between the start of one run and a run started by <see cref="Nudge"/>.</summary>
    public static readonly TimeSpan MinimumNudgeGap = TimeSpan.FromSeconds(1);

    private readonly Channel<bool> _nudges = Channel.CreateBounded<bool>(
        new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

    /// <summary>
    /// Asks for a run soon, because reports or settings changed. Cheap and never blocks: nudges
    /// that arrive before the next run are merged into it.
    /// </summary>
    public void Nudge() => _nudges.Writer.TryWrite(true);

    /// <summary>Runs the rules once, now, and returns what changed after it has committed.</summary>
    public async Task<IReadOnlyList<AlarmChange>> EvaluateAsync()
    {
        var settings = options.Value;
        var changes = await database.WriteAsync((connection, transaction) =>
            new AlarmEvaluation(connection, transaction, settings, time.GetUtcNow().ToUnixTimeMilliseconds()).Run());

        foreach (var change in changes)
        {
            LogChange(logger, change.Change, change.Kind, change.ProjectId, change.JobId, change.DedupKey, change.Detail);
        }

        metrics.Record(changes);

        // New notices are in the outbox now: let the dispatcher send them without waiting for its poll.
        if (changes.Count > 0)
        {
            dispatcher?.Wake();
        }

        return changes;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = options.Value.EvaluationInterval;
        LogStarted(logger, interval, options.Value.SustainWindow, options.Value.RepeatInterval, options.Value.GroupInterval);
        using var timer = new PeriodicTimer(interval, time);
        Task<bool>? tick = null;
        Task<bool>? nudge = null;
        var lastRun = time.GetUtcNow() - MinimumNudgeGap;
        try
        {
            while (true)
            {
                tick ??= timer.WaitForNextTickAsync(stoppingToken).AsTask();
                nudge ??= _nudges.Reader.WaitToReadAsync(stoppingToken).AsTask();
                var woken = await Task.WhenAny(tick, nudge);
                if (woken == tick)
                {
                    if (!await tick)
                    {
                        return;
                    }

                    tick = null;
                }
                else
                {
                    await nudge;
                    var wait = lastRun + MinimumNudgeGap - time.GetUtcNow();
                    if (wait > TimeSpan.Zero)
                    {
                        await Task.Delay(wait, time, stoppingToken);
                    }
                }

                if (nudge.IsCompleted)
                {
                    nudge = null;
                    _nudges.Reader.TryRead(out _);
                }

                lastRun = time.GetUtcNow();
                await RunOnceAsync();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task RunOnceAsync()
    {
        try
        {
            await EvaluateAsync();
        }
        catch (Exception error) when (error is Microsoft.Data.Sqlite.SqliteException or InvalidOperationException)
        {
            // The next run tries again; a closed database during shutdown also lands here.
            LogFailed(logger, error);
        }
    }

    [LoggerMessage(Level = LogLevel.Information,
        Message = "Alarm evaluator started: every {Interval}, sustain window {SustainWindow}, repeat interval {RepeatInterval}, group interval {GroupInterval}")]
    private static partial void LogStarted(ILogger logger, TimeSpan interval, TimeSpan sustainWindow, TimeSpan repeatInterval, TimeSpan groupInterval);

    [LoggerMessage(Level = LogLevel.Information,
        Message = "Alarm {Change}: {Kind} of job {JobId} in project {ProjectId}, dedup key {DedupKey} ({Detail})")]
    private static partial void LogChange(
        ILogger logger, string change, string kind, string projectId, string jobId, string dedupKey, string? detail);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Alarm evaluation failed; retrying on the next run")]
    private static partial void LogFailed(ILogger logger, Exception error);
}
