using DrsNotify.Server.Storage;

namespace DrsNotify.Server.Jobs;

/// <summary>
/// Moves <c>WAITING_FOR_START</c> jobs whose <c>start_time</c> has come to <c>STARTJOBING</c>,
/// checking once a second by the injected <see cref="TimeProvider"/>.
/// </summary>
public sealed partial class ScheduledStartService(Database database, TimeProvider time, ILogger<ScheduledStartService> logger)
    : BackgroundService
{
    public static readonly TimeSpan Period = TimeSpan.FromSeconds(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Period, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                await StartDueJobsAsync();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task StartDueJobsAsync()
    {
        try
        {
            var now = time.GetUtcNow().ToUnixTimeMilliseconds();

            // A read first, so that an idle server does not write once a second.
            var anyDue = database.Read(connection => connection.Scalar(
                "SELECT 1 FROM jobs WHERE status = 'WAITING_FOR_START' AND start_time <= $now LIMIT 1", null, ("$now", now)) is not null);
            if (!anyDue)
            {
                return;
            }

            var started = await database.WriteAsync((connection, transaction) => JobOperations.StartDueJobs(connection, transaction, now));
            if (started > 0)
            {
                LogStarted(logger, started);
            }
        }
        catch (Exception error) when (error is Microsoft.Data.Sqlite.SqliteException or InvalidOperationException)
        {
            // The next tick tries again; a closed database during shutdown also lands here.
            LogFailed(logger, error);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Started {Count} scheduled jobs")]
    private static partial void LogStarted(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Starting scheduled jobs failed; retrying on the next tick")]
    private static partial void LogFailed(ILogger logger, Exception error);
}
