using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using DrsNotify.Server.Identity;
using DrsNotify.Server.Storage;
using DrsNotify.Tests.Delivery;
using DrsNotify.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using static DrsNotify.Tests.Topics.TopicHarness;

namespace DrsNotify.Tests.Topics;

/// <summary>
/// Alarms and test messages of jobs whose settings name a topic, delivered to the topic's
/// confirmed subscriptions through a real SMTP server and a real HTTP receiver on 127.0.0.1.
/// </summary>
public sealed class TopicFanOutTests
{
    private const string JobId = JobSeeds.ConfigurationJobId;

    private static Dictionary<string, string> Settings(SmtpTestServer smtp)
    {
        var settings = DeliveryHarness.FastSettings().WithSmtp(smtp.Port);
        settings["DrsNotify:Webhooks:Secret"] = DeliveryHarness.WebhookSecret;
        settings["DrsNotify:Alarms:SustainWindow"] = "00:00:01";
        settings["DrsNotify:Alarms:EvaluationInterval"] = "00:00:00.200";
        return settings;
    }

    /// <summary>Creates the project cn-north-7 (region cn-north-7) in the bootstrap account, grants it to the admin, and returns its id and a client with a token for it.</summary>
    private static async Task<(string ProjectId, HttpClient Client)> CreateProjectAsync(TestServer server)
    {
        var identity = server.Services.GetRequiredService<IdentityStore>();
        var (user, account) = identity.FindUsers((string)server.Credentials["user_name"]!, null, null).Single();
        var projectId = Guid.NewGuid().ToString("N");
        await server.Services.GetRequiredService<Database>().WriteAsync((connection, transaction) =>
        {
            IdentityStore.InsertProject(connection, transaction, new Project(projectId, account.Id, "cn-north-7", "cn-north-7"), identity.Now());
            IdentityStore.GrantProject(connection, transaction, user.Id, projectId);
            return true;
        });

        var token = await server.IssueTokenAsync((string)server.Credentials["user_name"]!, (string)server.Credentials["password"]!, projectId);
        var client = new HttpClient { BaseAddress = server.BaseAddress };
        client.DefaultRequestHeaders.Add("X-Auth-Token", token);
        return (projectId, client);
    }

    private static async Task<ApiResponse> PostAsync(HttpClient client, string path, string json)
    {
        using var response = await client.PostAsync(path, new StringContent(json, Encoding.UTF8, "application/json"));
        return await ApiResponse.ReadAsync(response);
    }

    private static async Task<ApiResponse> GetAsync(HttpClient client, string path)
    {
        using var response = await client.GetAsync(path);
        return await ApiResponse.ReadAsync(response);
    }

    [Fact]
    public async Task AlarmReachesConfirmedSubscribersOnly()
    {
        await using var smtp = await SmtpTestServer.StartAsync();
        await using var receiver = await HttpReceiver.StartAsync();
        await using var server = await TestServer.StartAsync(Settings(smtp));
        var (projectId, client) = await CreateProjectAsync(server);
        using var _ = client;

        // A new user creates topic drs-zw in project cn-north-7.
        var created = await PostAsync(client, $"/v2/{projectId}/notifications/topics", """{"name":"drs-zw"}""");
        Assert.Equal(201, created.Status);
        var topic = (string)created.Json!["topic_urn"]!;
        Assert.Equal($"urn:smn:cn-north-7:{projectId}:drs-zw", topic);

        // Subscribes an e-mail address, an http receiver, and a third endpoint that never confirms.
        var hook = new Uri(receiver.BaseAddress, "/drs-hook").ToString();
        foreach (var (protocol, endpoint) in new[] { ("email", "ops@example.com"), ("http", hook), ("email", "standby@example.com") })
        {
            var subscribed = await PostAsync(
                client, $"/v2/{projectId}/notifications/topics/{topic}/subscriptions", $$"""{"protocol":"{{protocol}}","endpoint":"{{endpoint}}"}""");
            Assert.True(subscribed.Status == 200, $"Subscribe answered {subscribed.Status}: {subscribed.Body}");
        }

        // Confirms both through the messages they receive.
        await DeliveryHarness.WaitUntilAsync(() => smtp.Received.Count == 2 && receiver.Calls.Count == 1);
        var confirmationMail = smtp.Received.Single(mail => mail.EnvelopeTo.Contains("ops@example.com"));
        Assert.Contains("drs-zw", confirmationMail.Message.Subject);
        var confirmationCall = receiver.Calls.Single();
        Assert.Equal("/drs-hook", confirmationCall.Path);
        Assert.Equal(ExpectedSignature(confirmationCall.Body), confirmationCall.Header("X-DrsNotify-Signature"));
        foreach (var text in new[] { confirmationMail.Message.TextBody!, (string)confirmationCall.Json["message"]! })
        {
            var confirmed = await ConfirmAsync(server, TokenIn(text));
            Assert.True(confirmed.Status == 200, $"Confirm answered {confirmed.Status}: {confirmed.Body}");
        }

        var listed = await GetAsync(client, $"/v2/{projectId}/notifications/topics/{topic}/subscriptions");
        Assert.Equal([1, 1, 0], listed.Json!["subscriptions"]!.AsArray().Select(s => (int)s!["status"]!).ToArray());

        // Sets the topic on a job in incremental transfer with the API page's first example request.
        Assert.Equal(202, (await PostAsync(client, $"/v3/{projectId}/jobs/batch-creation", $$"""
            {"jobs":[{"job_id":"{{JobId}}","name":"drs-zw-job","engine_type":"mysql","db_use_type":"sync",
                      "task_type":"FULL_INCR_TRANS","job_direction":"up"}]}
            """)).Status);
        Assert.Equal(200, (await PostAsync(client, $"/v3/{projectId}/jobs/batch-report", $$"""
            {"reports":[{"job_id":"{{JobId}}","status":"STARTJOBING"},{"job_id":"{{JobId}}","status":"INCRE_TRANSFER_STARTED"}]}
            """)).Status);
        var set = await PostAsync(client, $"/v3/{projectId}/jobs/batch-set-smn", $$$"""
            {"jobs":[{"job_id":"{{{JobId}}}","status":"INCRE_TRANSFER_STARTED","engine_type":"mysql"}],"alarm_notify_info":{"topic_urn":"urn:smn:cn-north-7:{{{projectId}}}:drs-zw","delay_time":1200}}
            """);
        Assert.True((string?)set.Json?["results"]?[0]?["status"] == "success", $"batch-set-smn answered {set.Status}: {set.Body}");

        // Makes a delay alarm fire: the delay stays above 1200 s for the (shortened) sustain window.
        var delayReport = $$"""{"reports":[{"job_id":"{{JobId}}","delay":1500}]}""";
        Assert.Equal(200, (await PostAsync(client, $"/v3/{projectId}/jobs/batch-report", delayReport)).Status);
        await Task.Delay(1200);
        Assert.Equal(200, (await PostAsync(client, $"/v3/{projectId}/jobs/batch-report", delayReport)).Status);

        await DeliveryHarness.WaitUntilAsync(
            () => smtp.Received.Count == 3 && receiver.Calls.Count == 2, 15,
            () => $"{smtp.Received.Count} mails, {receiver.Calls.Count} webhook calls");
        var alarmMail = smtp.Received.Last();
        Assert.Equal(["ops@example.com"], alarmMail.EnvelopeTo);
        Assert.Contains("drs-zw-job", alarmMail.Message.Subject);
        Assert.Contains($"{projectId}:{JobId}:sync_delay:1", alarmMail.Message.TextBody);
        var alarmCall = receiver.Calls.Last();
        Assert.Equal(ExpectedSignature(alarmCall.Body), alarmCall.Header("X-DrsNotify-Signature"));
        Assert.Equal($"{projectId}:{JobId}:sync_delay:1", alarmCall.Header("X-DrsNotify-Dedup-Key"));
        Assert.Equal("firing", (string?)alarmCall.Json["event_key"]);
        Assert.Contains("drs-zw-job", (string?)alarmCall.Json["subject"]);

        // The unconfirmed third subscriber got its confirmation and nothing else.
        await Task.Delay(300);
        Assert.Single(smtp.Received, mail => mail.EnvelopeTo.Contains("standby@example.com"));
        Assert.Equal(3, smtp.Received.Count);
        Assert.Equal(2, receiver.Calls.Count);

        var alarms = await GetAsync(client, $"/v3/{projectId}/alarms?job_id={JobId}");
        var alarm = Assert.Single(alarms.Json!["alarms"]!.AsArray())!;
        Assert.Equal("topic", (string?)alarm["recipients_from"]);
        Assert.Equal(topic, (string?)alarm["topic_urn"]);
    }

    [Fact]
    public async Task TestNotificationReachesConfirmedSubscribers()
    {
        await using var smtp = await SmtpTestServer.StartAsync();
        await using var receiver = await HttpReceiver.StartAsync();
        await using var server = await TestServer.StartAsync(Settings(smtp));
        var topic = await CreateTopicAsync(server, "drs-zw");
        var jobId = JobSeeds.NewJobId();
        await JobSeeds.CreateAsync(server, jobId);
        var set = await server.PostAsync("/v3/{project_id}/jobs/batch-set-smn", $$$"""
            {"jobs":[{"job_id":"{{{jobId}}}","status":"CONFIGURATION","engine_type":"mysql"}],"alarm_notify_info":{"topic_urn":"{{{topic}}}"}}
            """);
        Assert.Equal("success", (string?)set.Json!["results"]![0]!["status"]);

        // A topic without a confirmed subscription has no recipient to test.
        await SubscribeUrnAsync(server, topic, "email", "pending@example.com");
        var nobody = await server.PostAsync($"/v3/{{project_id}}/jobs/{jobId}/test-notification", "{}");
        Assert.Equal(400, nobody.Status);
        Assert.Equal("DRS.M00202", nobody.ErrorCode);
        Assert.Contains("no confirmed subscription", nobody.ErrorMessage);

        await SubscribeConfirmedAsync(server, topic, "email", "ops@example.com");
        var hook = new Uri(receiver.BaseAddress, "/hook").ToString();
        await SubscribeUrnAsync(server, topic, "http", hook);
        await DeliveryHarness.WaitUntilAsync(() => receiver.Calls.Count == 1);
        Assert.Equal(200, (await ConfirmAsync(server, TokenIn((string)receiver.Calls.Single().Json["message"]!))).Status);

        var ids = await DeliveryHarness.TestNotificationAsync(server, jobId, "zh-cn");

        Assert.Equal(2, ids.Length);
        var rows = await DeliveryHarness.WaitForFinalAsync(server, ids);
        Assert.All(rows, row => Assert.Equal("delivered", row.State));
        Assert.Equal(["email", "webhook"], rows.Select(row => row.Channel).ToArray());
        await DeliveryHarness.WaitUntilAsync(() => receiver.Calls.Count == 2);
        Assert.Contains("HTTP(S) 请求", (string?)receiver.Calls.Last().Json["message"]);
        Assert.DoesNotContain(OutboxFor(server, "pending@example.com"), row => row.Purpose == "test");
    }

    private static string ExpectedSignature(byte[] body) =>
        "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(DeliveryHarness.WebhookSecret), body));
}
