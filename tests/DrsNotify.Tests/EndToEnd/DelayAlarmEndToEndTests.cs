using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using DrsNotify.Server.Alarms;
using DrsNotify.Tests.Delivery;
using DrsNotify.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using MimeKit;

namespace DrsNotify.Tests.EndToEnd;

/// <summary>
/// The whole chain through the public API. A job reports a sync delay above its threshold for
/// longer than the sustain window. A real SMTP server and a real SMS gateway then receive the
/// alarm and its recovery notice, in the language of the request that set the recipients.
/// </summary>
/// <remarks>
/// The server runs on a <see cref="FakeTimeProvider"/>, and the test runs the evaluator itself
/// after each step, so that every window is crossed at a known moment. The dispatcher and both
/// channels run for real.
/// </remarks>
public sealed class DelayAlarmEndToEndTests
{
    private const string EnglishEmail = "ops@example.com";
    private const string EnglishPhone = "13812345678";
    private const string ChineseEmail = "dba@example.cn";
    private const string ChinesePhone = "+8613900001111";

    private static readonly TimeSpan SustainWindow = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan GroupInterval = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan ReportEvery = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task DelayAlarmReachesEmailAndSms()
    {
        await using var smtp = await SmtpTestServer.StartAsync();
        await using var gateway = await HttpReceiver.StartAsync();
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 4, 10, 0, 0, TimeSpan.Zero));
        var settings = DeliveryHarness.FastSettings().WithSmtp(smtp.Port).WithSms(gateway.BaseAddress);
        settings["DrsNotify:Alarms:SustainWindow"] = "00:01:00";
        settings["DrsNotify:Alarms:GroupInterval"] = "00:00:20";
        settings["DrsNotify:Alarms:RepeatInterval"] = "01:00:00";
        await using var server = await TestServer.StartAsync(settings, services => services.AddSingleton<TimeProvider>(time));
        var evaluator = server.Services.GetRequiredService<AlarmEvaluator>();

        var english = await RegisterIncrementalJobAsync(server, "orders-sync");
        var chinese = await RegisterIncrementalJobAsync(server, "billing-sync");
        await SetRecipientsAsync(server, english, EnglishEmail, EnglishPhone, "en-us");
        await SetRecipientsAsync(server, chinese, ChineseEmail, ChinesePhone, "zh-cn");

        // A delay of 120 s against a threshold of 60 s fires nothing until the window has passed.
        var firstHigh = time.GetUtcNow();
        while (time.GetUtcNow() - firstHigh < SustainWindow)
        {
            await ReportDelayAsync(server, time, 120, english, chinese);
            await evaluator.EvaluateAsync();
            Assert.Empty(await AlarmsAsync(server, english));
            Assert.Empty(await AlarmsAsync(server, chinese));
            time.Advance(ReportEvery);
        }

        await ReportDelayAsync(server, time, 120, english, chinese);
        await evaluator.EvaluateAsync();
        Assert.Equal("firing", (string?)Assert.Single(await AlarmsAsync(server, english))!["state"]);
        Assert.Equal("firing", (string?)Assert.Single(await AlarmsAsync(server, chinese))!["state"]);

        await DeliveryHarness.WaitUntilAsync(() => smtp.Received.Count >= 2 && gateway.Calls.Count >= 2, 15, () => Describe(smtp, gateway));

        // The send timeout runs on the fake clock too: let every send finish before time moves.
        await WaitForNoPendingAsync(server);

        // Still above the threshold but inside the repeat interval, so nothing more is sent.
        for (var i = 0; i < 12; i++)
        {
            time.Advance(ReportEvery);
            await ReportDelayAsync(server, time, 120, english, chinese);
            await evaluator.EvaluateAsync();
        }

        Assert.Equal(1, (int)Assert.Single(await AlarmsAsync(server, english))!["notices"]!);
        Assert.Equal(1, (int)Assert.Single(await AlarmsAsync(server, chinese))!["notices"]!);

        await Task.Delay(500);
        Assert.Equal(2, smtp.Received.Count);
        Assert.Equal(2, gateway.Calls.Count);

        var firingMails = smtp.Received.ToArray();
        var firingCalls = gateway.Calls.ToArray();
        var englishKey = $"{server.ProjectId}:{english}:sync_delay:1";
        var chineseKey = $"{server.ProjectId}:{chinese}:sync_delay:1";
        AssertFiringMail(firingMails, EnglishEmail, englishKey, "[DRS alarm] Job orders-sync: synchronization delay above threshold", "Project: ");
        AssertFiringMail(firingMails, ChineseEmail, chineseKey, "【DRS告警】任务 billing-sync：同步时延超过阈值", "项目：");
        AssertSms(firingCalls, EnglishPhone, englishKey, "[DRS alarm] Job orders-sync: synchronization delay above threshold");
        AssertSms(firingCalls, ChinesePhone, chineseKey, "【DRS告警】任务 billing-sync：同步时延超过阈值");

        // Back to 10 s: the recovery notice follows once the group interval has passed.
        time.Advance(ReportEvery);
        await ReportDelayAsync(server, time, 10, english, chinese);
        await evaluator.EvaluateAsync();
        var resolvedEpisode = Assert.Single(await AlarmsAsync(server, english))!;
        Assert.Equal("resolved", (string?)resolvedEpisode["state"]);
        Assert.Equal(1, (int)resolvedEpisode["notices"]!);

        time.Advance(GroupInterval);
        await ReportDelayAsync(server, time, 10, english, chinese);
        await evaluator.EvaluateAsync();

        await DeliveryHarness.WaitUntilAsync(() => smtp.Received.Count >= 4 && gateway.Calls.Count >= 4, 15, () => Describe(smtp, gateway));
        await WaitForNoPendingAsync(server);
        await Task.Delay(300);
        Assert.Equal(4, smtp.Received.Count);
        Assert.Equal(4, gateway.Calls.Count);

        var resolvedMails = smtp.Received.Except(firingMails).ToArray();
        var resolvedCalls = gateway.Calls.Except(firingCalls).ToArray();
        AssertResolvedMail(resolvedMails, EnglishEmail, englishKey, "[DRS alarm resolved] Job orders-sync: Synchronization delay alarm resolved");
        AssertResolvedMail(resolvedMails, ChineseEmail, chineseKey, "【DRS告警恢复】任务 billing-sync：同步时延告警已恢复");
        AssertSms(resolvedCalls, EnglishPhone, englishKey, "[DRS alarm resolved] Job orders-sync: Synchronization delay alarm resolved");
        AssertSms(resolvedCalls, ChinesePhone, chineseKey, "【DRS告警恢复】任务 billing-sync：同步时延告警已恢复");

        await AssertAlarmResolvedAsync(server, english, englishKey, "138****5678", "o***@example.com");
        await AssertAlarmResolvedAsync(server, chinese, chineseKey, "+86*******1111", "d***@example.cn");
    }

    /// <summary>Waits until the dispatcher has finished every outbox row: none is still pending.</summary>
    private static Task WaitForNoPendingAsync(TestServer server) =>
        DeliveryHarness.WaitUntilAsync(
            () => (long)server.Services.GetRequiredService<DrsNotify.Server.Storage.Database>().Read(connection =>
                DrsNotify.Server.Storage.SqlExtensions.Scalar(connection, "SELECT COUNT(*) FROM outbox WHERE state = 'pending'", null))! == 0,
            15, () => "outbox rows are still pending");

    /// <summary>Registers a job and reports it into incremental transfer, as a replication agent would.</summary>
    internal static async Task<string> RegisterIncrementalJobAsync(TestServer server, string name)
    {
        var jobId = JobSeeds.NewJobId();
        var create = await server.PostAsync("/v3/{project_id}/jobs/batch-creation", $$"""
            {"jobs":[{"job_id":"{{jobId}}","name":"{{name}}","engine_type":"mysql","db_use_type":"sync",
                      "task_type":"FULL_INCR_TRANS","job_direction":"up"}]}
            """);
        Assert.True(create.Status == 202, $"batch-creation: {create.Status} {create.Body}");

        var report = await server.PostAsync("/v3/{project_id}/jobs/batch-report", $$"""
            {"reports":[{"job_id":"{{jobId}}","status":"STARTJOBING"},{"job_id":"{{jobId}}","status":"INCRE_TRANSFER_STARTED"}]}
            """);
        Assert.True(report.Status == 200, $"batch-report: {report.Status} {report.Body}");
        Assert.All(report.Json!["results"]!.AsArray(), result => Assert.Equal("success", (string?)result!["status"]));
        return jobId;
    }

    /// <summary>Sets one e-mail and one SMS recipient and <c>delay_time</c> 60 through <c>batch-set-smn</c>.</summary>
    internal static async Task SetRecipientsAsync(TestServer server, string jobId, string email, string phone, string language)
    {
        var response = await server.PostAsync("/v3/{project_id}/jobs/batch-set-smn", $$$"""
            {"jobs":[{"job_id":"{{{jobId}}}","status":"INCRE_TRANSFER_STARTED","engine_type":"mysql"}],
             "alarm_notify_info":{"subscriptions":[{"protocol":"email","endpoints":["{{{email}}}"]},
                                                   {"protocol":"sms","endpoints":["{{{phone}}}"]}],
                                  "delay_time":60}}
            """, language);
        Assert.True(response.Status == 200, $"batch-set-smn: {response.Status} {response.Body}");
        Assert.Equal("success", (string?)response.Json!["results"]![0]!["status"]);
    }

    private static async Task ReportDelayAsync(TestServer server, FakeTimeProvider time, double seconds, params string[] jobIds)
    {
        var observedAt = time.GetUtcNow().UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture);
        var reports = new JsonArray([.. jobIds.Select(id => new JsonObject { ["job_id"] = id, ["delay"] = seconds, ["observed_at"] = observedAt })]);
        var response = await server.PostAsync("/v3/{project_id}/jobs/batch-report", new JsonObject { ["reports"] = reports }.ToJsonString());
        Assert.True(response.Status == 200, $"batch-report: {response.Status} {response.Body}");
        Assert.All(response.Json!["results"]!.AsArray(), result => Assert.Equal("success", (string?)result!["status"]));
    }

    private static void AssertFiringMail(ReceivedMail[] mails, string recipient, string dedupKey, string subject, string fieldLabel)
    {
        var mail = Assert.Single(mails, mail => mail.EnvelopeTo.Contains(recipient));
        var message = mail.Message;
        Assert.Equal([recipient], mail.EnvelopeTo);
        Assert.Equal(recipient, message.To.Mailboxes.Single().Address);
        Assert.Equal(subject, message.Subject);
        Assert.Contains(fieldLabel, message.TextBody);
        Assert.Contains(dedupKey, message.TextBody);
        Assert.Equal(dedupKey, message.Headers["X-DrsNotify-Dedup-Key"]);
        Assert.Equal(dedupKey, RawHeader(message, "X-DrsNotify-Dedup-Key"));
        Assert.Equal("firing", message.Headers["X-DrsNotify-Event-Key"]);
        Assert.Equal(HashId(dedupKey + "|firing"), message.MessageId);
        Assert.Null(message.InReplyTo);
        Assert.Empty(message.References);
    }

    private static void AssertResolvedMail(ReceivedMail[] mails, string recipient, string dedupKey, string subject)
    {
        var message = Assert.Single(mails, mail => mail.EnvelopeTo.Contains(recipient)).Message;
        Assert.Equal(subject, message.Subject);
        Assert.Equal(dedupKey, message.Headers["X-DrsNotify-Dedup-Key"]);
        Assert.Equal("resolved", message.Headers["X-DrsNotify-Event-Key"]);
        Assert.Equal(HashId(dedupKey + "|resolved"), message.MessageId);

        // The recovery notice is a reply to the firing e-mail, so mail clients show both as one thread.
        Assert.Equal(HashId(dedupKey + "|firing"), message.InReplyTo);
        Assert.Equal([HashId(dedupKey + "|firing")], message.References);
    }

    private static void AssertSms(ReceivedCall[] calls, string phone, string dedupKey, string subject)
    {
        var call = Assert.Single(calls, call => (string?)call.Json["to"] == phone);
        Assert.Equal("/sms", call.Path);
        var signature = "sha256=" + Convert.ToHexStringLower(
            HMACSHA256.HashData(Encoding.UTF8.GetBytes(DeliveryHarness.SmsSecret), call.Body));
        Assert.Equal(signature, call.Header("X-DrsNotify-Signature"));
        Assert.Equal(dedupKey, call.Header("X-DrsNotify-Dedup-Key"));
        Assert.Equal(dedupKey, (string?)call.Json["dedup_key"]);
        var text = (string?)call.Json["text"];
        Assert.StartsWith(subject, text);
        Assert.True(text!.Length <= AlarmTexts.MaxSmsLength, $"{text.Length} characters: {text}");
    }

    private static async Task<JsonArray> AlarmsAsync(TestServer server, string jobId)
    {
        var response = await server.SendAsync(HttpMethod.Get, $"/v3/{{project_id}}/alarms?job_id={jobId}", null);
        Assert.True(response.Status == 200, $"GET alarms: {response.Status} {response.Body}");
        return response.Json!["alarms"]!.AsArray();
    }

    /// <summary>Checks the episode through the alarms API and its two firing and two resolved deliveries, masked.</summary>
    private static async Task AssertAlarmResolvedAsync(TestServer server, string jobId, string dedupKey, string maskedPhone, string maskedEmail)
    {
        var alarms = await server.SendAsync(HttpMethod.Get, $"/v3/{{project_id}}/alarms?job_id={jobId}", null);
        Assert.Equal(200, alarms.Status);
        var alarm = Assert.Single(alarms.Json!["alarms"]!.AsArray())!;
        Assert.Equal("sync_delay", (string?)alarm["kind"]);
        Assert.Equal("resolved", (string?)alarm["state"]);
        Assert.Equal(dedupKey, (string?)alarm["dedup_key"]);
        Assert.Equal(2, (int)alarm["notices"]!);
        Assert.Equal(60, (double)alarm["threshold"]!);
        Assert.Equal(10, (double)alarm["value"]!);
        Assert.NotNull((string?)alarm["resolved_at"]);

        var alarmId = (long)alarm["id"]!;
        var deliveries = await server.SendAsync(HttpMethod.Get, $"/v3/{{project_id}}/alarms/{alarmId}/deliveries", null);
        Assert.Equal(200, deliveries.Status);
        var rows = deliveries.Json!["deliveries"]!.AsArray();
        Assert.Equal(4, rows.Count);
        Assert.All(rows, row => Assert.Equal("delivered", (string?)row!["state"]));
        Assert.All(rows, row => Assert.Equal(1, (int)row!["attempts"]!));
        Assert.Equal(
            ["email:firing", "email:resolved", "sms:firing", "sms:resolved"],
            rows.Select(row => $"{row!["channel"]}:{row["event_key"]}").Order());
        Assert.All(rows.Where(row => (string?)row!["channel"] == "email"), row => Assert.Equal(maskedEmail, (string?)row!["recipient"]));
        Assert.All(rows.Where(row => (string?)row!["channel"] == "sms"), row => Assert.Equal(maskedPhone, (string?)row!["recipient"]));
        Assert.DoesNotContain(EnglishPhone, deliveries.Body);
        Assert.DoesNotContain(ChinesePhone, deliveries.Body);
        Assert.DoesNotContain("ops@", deliveries.Body);
        Assert.DoesNotContain("dba@", deliveries.Body);
    }

    /// <summary>Returns a header's value as it was on the wire, unfolded and not decoded, as a mail filter reads it.</summary>
    private static string RawHeader(MimeMessage message, string name)
    {
        var header = message.Headers.Single(header => header.Field == name);
        return Encoding.ASCII.GetString(header.RawValue).Replace("\r\n", "").Trim();
    }

    private static string HashId(string value) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(value)))[..32] + "@drsnotify";

    private static string Describe(SmtpTestServer smtp, HttpReceiver gateway) =>
        $"e-mails: {smtp.Received.Count} ({string.Join(", ", smtp.Received.Select(mail => mail.Message.Subject))}); " +
        $"SMS calls: {gateway.Calls.Count}";
}
