using System.Text.Json.Nodes;
using DrsNotify.Server.Delivery;
using DrsNotify.Tests.Infrastructure;

namespace DrsNotify.Tests.Delivery;

/// <summary>Capture mode: messages go to the inbox at /_drsnotify/messages instead of leaving the machine.</summary>
public sealed class CaptureModeTests
{
    private static Dictionary<string, string> CaptureSettings()
    {
        var settings = DeliveryHarness.FastSettings();
        settings["DrsNotify:Delivery:Capture"] = "true";
        return settings;
    }

    [Fact]
    public async Task InboxListsFiltersAndClears()
    {
        // An SMTP server is configured too: capture mode must not use it.
        await using var smtp = await SmtpTestServer.StartAsync();
        await using var server = await TestServer.StartAsync(CaptureSettings().WithSmtp(smtp.Port));
        var jobA = await DeliveryHarness.CreateJobWithRecipientsAsync(server, ["ops@example.com"], ["13812345678"]);
        var jobB = await DeliveryHarness.CreateJobWithRecipientsAsync(server, ["dba@example.com"], []);

        var idsA = await DeliveryHarness.TestNotificationAsync(server, jobA, "zh-cn");

        // Rows leased together are captured in any order, so job B's message is the newest only if A's are done.
        await DeliveryHarness.WaitForFinalAsync(server, idsA);
        var idsB = await DeliveryHarness.TestNotificationAsync(server, jobB);

        var rows = await DeliveryHarness.WaitForFinalAsync(server, [.. idsA, .. idsB]);
        Assert.All(rows, row => Assert.Equal(OutboxStates.Delivered, row.State));
        Assert.Empty(smtp.Received);

        var all = await ListAsync(server, "");
        Assert.Equal(3, (int)all["count"]!);
        var messages = all["messages"]!.AsArray();
        Assert.Equal(idsB[0], (long)messages[0]!["delivery_id"]!);
        Assert.Equal("dba@example.com", (string?)messages[0]!["recipient"]);
        Assert.Equal(jobB, (string?)messages[0]!["job_id"]);
        Assert.Equal("email", (string?)messages[0]!["channel"]);
        Assert.Equal("test", (string?)messages[0]!["event_key"]);
        Assert.StartsWith($"{server.ProjectId}:{jobB}:test:", (string?)messages[0]!["dedup_key"]);
        Assert.Equal($"[DrsNotify] Test notification for DRS job {jobB}", (string?)messages[0]!["subject"]);
        Assert.Contains("by e-mail", (string?)messages[0]!["body"]);
        Assert.EndsWith("Z", (string?)messages[0]!["captured_at"]);

        var sms = await ListAsync(server, "?channel=sms");
        Assert.Equal(1, (int)sms["count"]!);
        Assert.Equal("13812345678", (string?)sms["messages"]![0]!["recipient"]);
        Assert.Contains("测试短信", (string?)sms["messages"]![0]!["body"]);

        var byRecipient = await ListAsync(server, "?recipient=ops@example.com");
        Assert.Equal(1, (int)byRecipient["count"]!);
        Assert.Equal(jobA, (string?)byRecipient["messages"]![0]!["job_id"]);

        var byJob = await ListAsync(server, $"?job_id={jobA}");
        Assert.Equal(2, (int)byJob["count"]!);
        Assert.All(byJob["messages"]!.AsArray(), message => Assert.Equal(jobA, (string?)message!["job_id"]));

        var byJobAndChannel = await ListAsync(server, $"?job_id={jobA}&channel=email");
        Assert.Equal(1, (int)byJobAndChannel["count"]!);

        using var delete = await server.Anonymous.DeleteAsync("/_drsnotify/messages");
        Assert.Equal(200, (int)delete.StatusCode);
        Assert.Equal(3, (int)JsonNode.Parse(await delete.Content.ReadAsStringAsync())!["deleted"]!);
        Assert.Equal(0, (int)(await ListAsync(server, ""))["count"]!);
    }

    [Fact]
    public async Task InboxIsNotMappedWithoutCapture()
    {
        await using var server = await TestServer.StartAsync(DeliveryHarness.FastSettings());

        using var list = await server.Anonymous.GetAsync("/_drsnotify/messages");
        using var delete = await server.Anonymous.DeleteAsync("/_drsnotify/messages");

        Assert.Equal(404, (int)list.StatusCode);
        Assert.Equal(404, (int)delete.StatusCode);
    }

    [Fact]
    public async Task InboxRejectsBadLimit()
    {
        await using var server = await TestServer.StartAsync(CaptureSettings());

        using var response = await server.Anonymous.GetAsync("/_drsnotify/messages?limit=0");

        Assert.Equal(400, (int)response.StatusCode);
    }

    private static async Task<JsonNode> ListAsync(TestServer server, string query)
    {
        using var response = await server.Anonymous.GetAsync("/_drsnotify/messages" + query);
        Assert.Equal(200, (int)response.StatusCode);
        return JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
    }
}
