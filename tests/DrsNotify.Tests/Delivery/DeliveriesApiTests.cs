using DrsNotify.Server.Delivery;
using DrsNotify.Server.Storage;
using Microsoft.Extensions.DependencyInjection;
using DrsNotify.Tests.Infrastructure;

namespace DrsNotify.Tests.Delivery;

/// <summary>GET /v3/{project_id}/alarms/{alarm_id}/deliveries and the errors of test-notification.</summary>
public sealed class DeliveriesApiTests
{
    [Theory]
    [InlineData("sms", "13812345678", "138****5678")]
    [InlineData("sms", "+8613812345678", "+86*******5678")]
    [InlineData("sms", "12345", "***45")]
    [InlineData("email", "alice@example.com", "a***@example.com")]
    [InlineData("email", "a@example.com", "a***@example.com")]
    [InlineData("webhook", "https://hooks.example.com:8443/drs?token=secret", "hooks.example.com")]
    [InlineData("webhook", "not a url", "***")]
    public void RecipientMaskHidesMost(string channel, string recipient, string expected) =>
        Assert.Equal(expected, RecipientMask.Mask(channel, recipient));

    [Fact]
    public async Task DeliveriesListMaskedRecipients()
    {
        // Capture mode, so that the example.com recipients are never contacted.
        var settings = DeliveryHarness.FastSettings();
        settings["DrsNotify:Delivery:Capture"] = "true";
        await using var server = await TestServer.StartAsync(settings);
        long alarmId = 4242;
        await InsertEpisodeAsync(server, alarmId);
        var sms = await HttpDeliveryTests.EnqueueAsync(server, Channels.Sms, "13812345678", alarmId, server.ProjectId);
        var email = await HttpDeliveryTests.EnqueueAsync(server, Channels.Email, "alice@example.com", alarmId, server.ProjectId);
        var webhook = await HttpDeliveryTests.EnqueueAsync(server, Channels.Webhook, "https://hooks.example.com/drs?token=x", alarmId, server.ProjectId);
        await DeliveryHarness.WaitForFinalAsync(server, [sms, email, webhook]);

        var response = await server.SendAsync(HttpMethod.Get, $"/v3/{{project_id}}/alarms/{alarmId}/deliveries", null);

        Assert.Equal(200, response.Status);
        Assert.Equal(alarmId, (long)response.Json!["alarm_id"]!);
        Assert.Equal(3, (int)response.Json["count"]!);
        var deliveries = response.Json["deliveries"]!.AsArray();
        Assert.Equal([sms, email, webhook], deliveries.Select(delivery => (long)delivery!["id"]!));
        Assert.Equal(["138****5678", "a***@example.com", "hooks.example.com"], deliveries.Select(delivery => (string?)delivery!["recipient"]));
        Assert.Equal(["sms", "email", "webhook"], deliveries.Select(delivery => (string?)delivery!["channel"]));
        Assert.All(deliveries, delivery => Assert.Equal("delivered", (string?)delivery!["state"]));
        Assert.All(deliveries, delivery => Assert.Equal(1, (int)delivery!["attempts"]!));
        Assert.All(deliveries, delivery => Assert.Equal("firing", (string?)delivery!["event_key"]));
        Assert.All(deliveries, delivery => Assert.NotNull((string?)delivery!["created_at"]));
        Assert.All(deliveries, delivery => Assert.NotNull((string?)delivery!["delivered_at"]));
        Assert.DoesNotContain("13812345678", response.Body);
        Assert.DoesNotContain("alice", response.Body);
        Assert.DoesNotContain("token", response.Body);
    }

    [Fact]
    public async Task DeliveryById_ShowsTestNotificationState()
    {
        var settings = DeliveryHarness.FastSettings();
        settings["DrsNotify:Delivery:Capture"] = "true";
        await using var server = await TestServer.StartAsync(settings);
        var jobId = await DeliveryHarness.CreateJobWithRecipientsAsync(server, ["alice@example.com"], []);
        var ids = await DeliveryHarness.TestNotificationAsync(server, jobId);
        await DeliveryHarness.WaitForFinalAsync(server, ids);

        var response = await server.SendAsync(HttpMethod.Get, $"/v3/{{project_id}}/deliveries/{ids[0]}", null);
        var unknown = await server.SendAsync(HttpMethod.Get, "/v3/{project_id}/deliveries/999999", null, "zh-cn");

        Assert.Equal(200, response.Status);
        Assert.Equal(ids[0], (long)response.Json!["id"]!);
        Assert.Equal("delivered", (string?)response.Json["state"]);
        Assert.Equal("a***@example.com", (string?)response.Json["recipient"]);
        Assert.Equal(400, unknown.Status);
        Assert.Equal("DRS.M00202", unknown.ErrorCode);
        Assert.Contains("999999", unknown.ErrorMessage);
    }

    [Fact]
    public async Task DeliveriesShowDeadLetterReason()
    {
        await using var server = await TestServer.StartAsync(DeliveryHarness.FastSettings());
        await InsertEpisodeAsync(server, 7);
        var id = await HttpDeliveryTests.EnqueueAsync(server, Channels.Email, "alice@example.com", 7, server.ProjectId);
        await DeliveryHarness.WaitForFinalAsync(server, [id]);

        var response = await server.SendAsync(HttpMethod.Get, "/v3/{project_id}/alarms/7/deliveries", null);

        var delivery = response.Json!["deliveries"]![0]!;
        Assert.Equal("dead", (string?)delivery["state"]);
        Assert.StartsWith("SMTP is not configured", (string?)delivery["last_error"]);
        Assert.Null(delivery["delivered_at"]);
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("0")]
    [InlineData("-1")]
    [InlineData("999999")]
    public async Task UnknownAlarmIsRejected(string alarmId)
    {
        await using var server = await TestServer.StartAsync(DeliveryHarness.FastSettings());

        var response = await server.SendAsync(HttpMethod.Get, $"/v3/{{project_id}}/alarms/{alarmId}/deliveries", null);

        Assert.Equal(400, response.Status);
        Assert.Equal("DRS.M00202", response.ErrorCode);
        Assert.Contains("alarm_id", response.ErrorMessage);
    }

    [Fact]
    public async Task OtherProjectsAlarmIsNotFound()
    {
        await using var server = await TestServer.StartAsync(DeliveryHarness.FastSettings());
        await HttpDeliveryTests.EnqueueAsync(server, Channels.Sms, "13812345678", 55, "0123456789abcdef0123456789abcdef");

        var response = await server.SendAsync(HttpMethod.Get, "/v3/{project_id}/alarms/55/deliveries", null, "zh-cn");

        Assert.Equal(400, response.Status);
        Assert.Equal("DRS.M00202", response.ErrorCode);
        Assert.Contains("当前项目中不存在告警 55", response.ErrorMessage);
    }

    [Fact]
    public async Task TestNotificationRejectsUnknownJob()
    {
        await using var server = await TestServer.StartAsync(DeliveryHarness.FastSettings());

        var response = await server.PostAsync($"/v3/{{project_id}}/jobs/{JobSeeds.NewJobId()}/test-notification", "{}");

        Assert.Equal(400, response.Status);
        Assert.Equal("DRS.M00289", response.ErrorCode);
    }

    [Fact]
    public async Task TestNotificationRejectsJobWithoutSettings()
    {
        await using var server = await TestServer.StartAsync(DeliveryHarness.FastSettings());
        var jobId = JobSeeds.NewJobId();
        await JobSeeds.CreateAsync(server, jobId);

        var response = await server.PostAsync($"/v3/{{project_id}}/jobs/{jobId}/test-notification", "{}");

        Assert.Equal(400, response.Status);
        Assert.Equal("DRS.M00202", response.ErrorCode);
        Assert.Contains("no alarm notification settings", response.ErrorMessage);
    }

    [Fact]
    public async Task TestNotificationNeedsConfirmedSubscriber()
    {
        await using var server = await TestServer.StartAsync(DeliveryHarness.FastSettings());
        var jobId = JobSeeds.NewJobId();
        await JobSeeds.CreateAsync(server, jobId);
        var topic = await Topics.TopicHarness.CreateTopicAsync(server, "drs-zw");
        var set = await server.PostAsync("/v3/{project_id}/jobs/batch-set-smn", $$$"""
            {"jobs":[{"job_id":"{{{jobId}}}","status":"CONFIGURATION","engine_type":"mysql"}],
             "alarm_notify_info":{"topic_urn":"{{{topic}}}","delay_time":60}}
            """);
        Assert.Equal("success", (string?)set.Json!["results"]![0]!["status"]);

        var response = await server.PostAsync($"/v3/{{project_id}}/jobs/{jobId}/test-notification", "{}");

        Assert.Equal(400, response.Status);
        Assert.Equal("DRS.M00202", response.ErrorCode);
        Assert.Contains("no confirmed subscription", response.ErrorMessage);
        Assert.Contains(topic, response.ErrorMessage);
    }

    [Fact]
    public async Task TestNotificationNeedsAuthentication()
    {
        await using var server = await TestServer.StartAsync(DeliveryHarness.FastSettings());

        var response = await server.SendAsync(
            HttpMethod.Post, $"/v3/{{project_id}}/jobs/{JobSeeds.NewJobId()}/test-notification", "{}", client: server.Anonymous);

        Assert.Equal(401, response.Status);
    }

    /// <summary>Adds a firing alarm episode with <paramref name="id"/>, for deliveries to belong to.</summary>
    private static Task InsertEpisodeAsync(TestServer server, long id) =>
        server.Services.GetRequiredService<Database>().WriteAsync((connection, transaction) => connection.Exec(
            """
            INSERT INTO alarm_episodes
                (id, project_id, job_id, kind, episode, dedup_key, state, since_at, opened_at, job_status, language, recipients_from)
            VALUES ($id, $p, 'job', 'sync_delay', 1, $key, 'firing', 0, 0, 'INCRE_TRANSFER_STARTED', 'en-us', 'subscriptions')
            """,
            transaction, ("$id", id), ("$p", server.ProjectId), ("$key", $"{server.ProjectId}:job:sync_delay:{id}")));
}
