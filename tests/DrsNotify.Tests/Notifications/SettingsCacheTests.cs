using DrsNotify.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace DrsNotify.Tests.Notifications;

/// <summary>
/// The settings writer keeps the jobs and topics it read between batches. Every other write,
/// here or in another process on the same store, must make it read them again.
/// </summary>
public sealed class SettingsCacheTests : IAsyncLifetime
{
    private const string Path = "/v3/{project_id}/jobs/batch-set-smn";

    private TestServer _server = null!;

    public async Task InitializeAsync() => _server = await TestServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private static string Subscriptions(string jobId, string status, int delay) => $$"""
        {"jobs":[{"job_id":"{{jobId}}","status":"{{status}}","engine_type":"mysql"}],
         "alarm_notify_info":{"subscriptions":[{"protocol":"email","endpoints":["ops@example.com"]}],"delay_time":{{delay}}} }
        """;

    private string Topic(string jobId, string topicUrn) => $$"""
        {"jobs":[{"job_id":"{{jobId}}","status":"CONFIGURATION","engine_type":"mysql"}],
         "alarm_notify_info":{"topic_urn":"{{topicUrn}}","delay_time":60} }
        """;

    private static string StatusOf(ApiResponse response) => (string)response.Json!["results"]![0]!["status"]!;

    [Fact]
    public async Task StatusChange_AfterSettings_Seen()
    {
        var jobId = JobSeeds.NewJobId();
        await JobSeeds.CreateAsync(_server, jobId);
        Assert.Equal("success", StatusOf(await _server.PostAsync(Path, Subscriptions(jobId, "CONFIGURATION", 10))));

        await JobSeeds.ReportAsync(_server, jobId, "STARTJOBING", "INCRE_TRANSFER_STARTED");

        var stale = await _server.PostAsync(Path, Subscriptions(jobId, "CONFIGURATION", 20));
        Assert.Equal("failed", StatusOf(stale));
        Assert.Contains("INCRE_TRANSFER_STARTED", (string?)stale.Json!["results"]![0]!["error_msg"]);
        Assert.Equal("success", StatusOf(await _server.PostAsync(Path, Subscriptions(jobId, "INCRE_TRANSFER_STARTED", 20))));
    }

    [Fact]
    public async Task DeletedTopic_AfterSettings_Rejected()
    {
        var jobId = JobSeeds.NewJobId();
        await JobSeeds.CreateAsync(_server, jobId);
        var topicUrn = await Topics.TopicHarness.CreateTopicAsync(_server, "cache-topic");
        Assert.Equal("success", StatusOf(await _server.PostAsync(Path, Topic(jobId, topicUrn))));
        Assert.Equal("success", StatusOf(await _server.PostAsync(Path, Subscriptions(jobId, "CONFIGURATION", 10))));

        var deleted = await _server.SendAsync(HttpMethod.Delete, $"/v2/{{project_id}}/notifications/topics/{topicUrn}", null);
        Assert.Equal(200, deleted.Status);

        var rejected = await _server.PostAsync(Path, Topic(jobId, topicUrn));
        Assert.Equal(400, rejected.Status);
        Assert.Equal("DRS.M00202", rejected.ErrorCode);
    }

    [Fact]
    public async Task OtherInstanceChange_AfterSettings_Seen()
    {
        // Without background services, nothing but these requests writes through this instance,
        // so only the other instance's commits can tell it that the store changed.
        await using var quiet = await TestServer.StartAsync(services: services => services.RemoveAll<IHostedService>());
        await using var other = await TestServer.StartAsync(dataDirectory: quiet.DataDirectory);
        var jobId = JobSeeds.NewJobId();
        await JobSeeds.CreateAsync(quiet, jobId);
        Assert.Equal("success", StatusOf(await quiet.PostAsync(Path, Subscriptions(jobId, "CONFIGURATION", 10))));

        // The other instance moves the job on and writes settings too, so both the job's status
        // and the next change id differ from what this instance read.
        await JobSeeds.ReportAsync(other, jobId, "STARTJOBING", "INCRE_TRANSFER_STARTED");
        Assert.Equal("success", StatusOf(await other.PostAsync(Path, Subscriptions(jobId, "INCRE_TRANSFER_STARTED", 30))));

        var stale = await quiet.PostAsync(Path, Subscriptions(jobId, "CONFIGURATION", 40));
        Assert.Equal("failed", StatusOf(stale));
        Assert.Equal("success", StatusOf(await quiet.PostAsync(Path, Subscriptions(jobId, "INCRE_TRANSFER_STARTED", 40))));

        var history = await quiet.SendAsync(HttpMethod.Get, $"/v3/{{project_id}}/jobs/{jobId}/notification-history", null);
        Assert.Equal(200, history.Status);
        Assert.Equal(3, (long)history.Json!["total_count"]!);
        Assert.Equal(40, (long)history.Json["history"]![0]!["current"]!["alarm_notify"]!["delay_time"]!);
        Assert.Equal(30, (long)history.Json["history"]![0]!["previous"]!["alarm_notify"]!["delay_time"]!);
    }
}
