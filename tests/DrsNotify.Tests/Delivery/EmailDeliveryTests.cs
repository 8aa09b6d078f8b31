using System.Security.Cryptography;
using System.Text;
using DrsNotify.Server.Delivery;
using DrsNotify.Tests.Infrastructure;

namespace DrsNotify.Tests.Delivery;

/// <summary>E-mail delivery against a real SMTP server on 127.0.0.1.</summary>
public sealed class EmailDeliveryTests
{
    [Fact]
    public async Task TestNotificationInEnglish()
    {
        await using var smtp = await SmtpTestServer.StartAsync();
        await using var server = await TestServer.StartAsync(DeliveryHarness.FastSettings().WithSmtp(smtp.Port));
        var jobId = await DeliveryHarness.CreateJobWithRecipientsAsync(server, ["ops@example.com", "dba@example.com"], []);

        var ids = await DeliveryHarness.TestNotificationAsync(server, jobId, "en-us");

        var rows = await DeliveryHarness.WaitForFinalAsync(server, ids);
        Assert.All(rows, row => Assert.Equal(OutboxStates.Delivered, row.State));
        Assert.All(rows, row => Assert.Equal(1, row.Attempts));
        var mails = smtp.Received.ToList();
        Assert.Equal(2, mails.Count);
        Assert.Equal(["dba@example.com", "ops@example.com"], mails.SelectMany(mail => mail.EnvelopeTo).Order());
        Assert.Equal(["dba@example.com", "ops@example.com"], mails.Select(mail => mail.Message.To.Mailboxes.Single().Address).Order());

        var dedupKey = rows[0].DedupKey;
        Assert.StartsWith($"{server.ProjectId}:{jobId}:test:", dedupKey);
        foreach (var mail in mails)
        {
            var message = mail.Message;
            Assert.Equal($"[DrsNotify] Test notification for DRS job {jobId}", message.Subject);
            Assert.Contains($"DRS job {jobId}", message.TextBody);
            Assert.Contains("by e-mail", message.TextBody);
            Assert.Equal("drs@drsnotify.test", message.From.Mailboxes.Single().Address);
            Assert.Equal(dedupKey, message.Headers["X-DrsNotify-Dedup-Key"]);
            Assert.Equal(ExpectedId(dedupKey + "|test"), message.MessageId);
            Assert.Null(message.InReplyTo);
            Assert.Empty(message.References);
        }
    }

    [Fact]
    public async Task TestNotificationInChinese()
    {
        await using var smtp = await SmtpTestServer.StartAsync();
        await using var server = await TestServer.StartAsync(DeliveryHarness.FastSettings().WithSmtp(smtp.Port));
        var jobId = await DeliveryHarness.CreateJobWithRecipientsAsync(server, ["ops@example.com"], []);

        var ids = await DeliveryHarness.TestNotificationAsync(server, jobId, "zh-cn");

        await DeliveryHarness.WaitForFinalAsync(server, ids);
        var message = Assert.Single(smtp.Received).Message;
        Assert.Equal($"【DrsNotify】DRS 任务 {jobId} 的测试通知", message.Subject);
        Assert.Contains($"DRS 任务 {jobId}", message.TextBody);
        Assert.Contains("通过邮件发送给您", message.TextBody);
    }

    [Fact]
    public async Task RejectedRecipientIsDeadLetteredAtOnce()
    {
        await using var smtp = await SmtpTestServer.StartAsync(0, "gone@example.com");
        await using var server = await TestServer.StartAsync(DeliveryHarness.FastSettings().WithSmtp(smtp.Port));
        var jobId = await DeliveryHarness.CreateJobWithRecipientsAsync(server, ["ops@example.com", "gone@example.com", "dba@example.com"], []);

        var ids = await DeliveryHarness.TestNotificationAsync(server, jobId);

        var rows = await DeliveryHarness.WaitForFinalAsync(server, ids);
        var gone = rows.Single(row => row.Recipient == "gone@example.com");
        Assert.Equal(OutboxStates.Dead, gone.State);
        Assert.Equal(1, gone.Attempts);
        Assert.Contains("550", gone.LastError);
        Assert.All(rows.Where(row => row != gone), row => Assert.Equal(OutboxStates.Delivered, row.State));
        Assert.Equal(["dba@example.com", "ops@example.com"], smtp.Received.SelectMany(mail => mail.EnvelopeTo).Order());
    }

    [Fact]
    public async Task ServerDownThenBackDelivers()
    {
        var port = FreePort.Next();
        var settings = DeliveryHarness.FastSettings(retries: 0).WithSmtp(port);
        for (var i = 0; i < 6; i++)
        {
            settings[$"DrsNotify:Delivery:RetryDelays:{i}"] = "00:00:00.400";
        }

        await using var server = await TestServer.StartAsync(settings);
        var jobId = await DeliveryHarness.CreateJobWithRecipientsAsync(server, ["ops@example.com"], []);
        var id = Assert.Single(await DeliveryHarness.TestNotificationAsync(server, jobId));
        await DeliveryHarness.WaitUntilAsync(() => DeliveryHarness.Read(server, id).Attempts >= 1);
        var failed = DeliveryHarness.Read(server, id);
        Assert.Equal(OutboxStates.Pending, failed.State);
        Assert.Contains("connect", failed.LastError);

        await using var smtp = await SmtpTestServer.StartAsync(port);

        var row = (await DeliveryHarness.WaitForFinalAsync(server, [id])).Single();
        Assert.Equal(OutboxStates.Delivered, row.State);
        Assert.True(row.Attempts >= 2, $"attempts {row.Attempts}");
        Assert.Single(smtp.Received);
    }

    [Fact]
    public async Task UnconfiguredSmtpDeadLettersWithReason()
    {
        await using var server = await TestServer.StartAsync(DeliveryHarness.FastSettings());
        var jobId = await DeliveryHarness.CreateJobWithRecipientsAsync(server, ["ops@example.com"], []);

        var ids = await DeliveryHarness.TestNotificationAsync(server, jobId);

        var row = (await DeliveryHarness.WaitForFinalAsync(server, ids)).Single();
        Assert.Equal(OutboxStates.Dead, row.State);
        Assert.Equal(1, row.Attempts);
        Assert.StartsWith("SMTP is not configured: set DrsNotify:Smtp:Host", row.LastError);
    }

    /// <summary>The Message-ID form that the delivery docs promise: 32 hex digits of SHA-256, at drsnotify.</summary>
    [Theory]
    [InlineData("alarm", "firing", null)]
    [InlineData("test", "test", null)]
    [InlineData("alarm", "repeat-1", "p1:job-1:sync_delay:1|firing")]
    [InlineData("alarm", "resolved", "p1:job-1:sync_delay:1|firing")]
    [InlineData("confirmation", "confirmation", null)]
    [InlineData("publish", "publish", null)]
    public void ParentIdIsFiringMessage(string purpose, string eventKey, string? parentOf)
    {
        var expected = parentOf is null ? null : ExpectedId(parentOf);

        Assert.Equal(expected, EmailSender.ParentIdOf(purpose, "p1:job-1:sync_delay:1", eventKey));
    }

    private static string ExpectedId(string value) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(value)))[..32] + "@drsnotify";
}
