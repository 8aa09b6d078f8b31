using System.Text.Json.Nodes;
using DrsNotify.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace DrsNotify.Tests.Jobs;

public sealed class JobPersistenceTests
{
    [Fact]
    public async Task Restart_JobsAndMetrics_Survive()
    {
        await using var server = await TestServer.StartAsync();
        var jobs = new JobClient(server);
        var id = await jobs.CreateAsync();
        await jobs.OperateAsync("batch-starting", id);
        await jobs.ReportAsync(new JsonObject { ["job_id"] = id, ["status"] = "INCRE_TRANSFER_STARTED", ["delay"] = 2.5 });
        await jobs.OperateAsync("batch-pause-task", id);

        await server.RestartAsync();
        jobs = new JobClient(server);
        var detail = await jobs.QueryAsync("batch-detail", id);
        var progress = await jobs.QueryAsync("batch-progress", id);
        var retry = await jobs.OperateAsync("batch-retry-task", id);

        Assert.Equal("PAUSING", (string?)detail.Json!["results"]![0]!["status"]);
        Assert.Equal(2500, (long?)progress.Json!["results"]![0]!["incre_trans_delay_millis"]);
        Assert.Equal("success", (string?)retry.Json!["results"]![0]!["status"]);
        Assert.Equal("INCRE_TRANSFER_STARTED", await jobs.StatusAsync(id));
    }

    [Fact]
    public async Task Scheduler_DueStartTime_MovesToStartjobing()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 12, 4, 10, 0, 0, TimeSpan.Zero));
        await using var server = await TestServer.StartAsync(services: services => services.AddSingleton<TimeProvider>(clock));
        var jobs = new JobClient(server);
        var id = await jobs.CreateAsync();
        var startTime = clock.GetUtcNow().AddMinutes(10).ToUnixTimeMilliseconds();
        await jobs.OperateAsync("batch-starting", id, new JsonObject { ["start_time"] = startTime.ToString() });
        var waiting = await jobs.StatusAsync(id);

        clock.Advance(TimeSpan.FromMinutes(5));
        var status = await WaitForStatusAsync(jobs, id, "STARTJOBING", TimeSpan.FromMilliseconds(1500));
        var beforeDue = status;
        clock.Advance(TimeSpan.FromMinutes(5));
        status = await WaitForStatusAsync(jobs, id, "STARTJOBING", TimeSpan.FromSeconds(10));

        Assert.Equal("WAITING_FOR_START", waiting);
        Assert.Equal("WAITING_FOR_START", beforeDue);
        Assert.Equal("STARTJOBING", status);
    }

    private static async Task<string?> WaitForStatusAsync(JobClient jobs, string id, string expected, TimeSpan timeout)
    {
        // The fake clock fires the scheduler's timer on Advance; the tick itself runs on the thread pool.
        var deadline = Environment.TickCount64 + (long)timeout.TotalMilliseconds;
        var status = await jobs.StatusAsync(id);
        while (status != expected && Environment.TickCount64 < deadline)
        {
            await Task.Delay(50);
            status = await jobs.StatusAsync(id);
        }

        return status;
    }
}
