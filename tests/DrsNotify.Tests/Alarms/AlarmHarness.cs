using System.Globalization;
using System.Text.Json.Nodes;
using DrsNotify.Server.Alarms;
using DrsNotify.Server.Storage;
using DrsNotify.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace DrsNotify.Tests.Alarms;

/// <summary>One outbox row, as the delivery side will read it.</summary>
public sealed record OutboxRow(
    long AlarmId, string Channel, string Recipient, string Language, string Subject, string Body, string DedupKey, string EventKey);

/// <summary>
/// A real server on a <see cref="FakeTimeProvider"/> that starts at <see cref="Start"/>, with
/// helpers to register jobs, set their alarm settings, report metrics and read the outbox.
/// Tests call <see cref="EvaluateAsync"/> themselves; the background evaluator may also run
/// when reports arrive or time advances, which only repeats what an explicit run would do.
/// </summary>
public sealed class AlarmHarness : IAsyncDisposable
{
    public static readonly DateTimeOffset Start = new(2026, 12, 4, 10, 0, 0, TimeSpan.Zero);

    public const string Email = "ops@example.com";
    public const string Phone = "+8613800138000";

    private AlarmHarness(TestServer server, FakeTimeProvider time)
    {
        Server = server;
        Time = time;
    }

    public TestServer Server { get; }

    public FakeTimeProvider Time { get; }

    public DateTimeOffset Now => Time.GetUtcNow();

    public string ProjectId => Server.ProjectId;

    /// <summary>Starts a server; <paramref name="settings"/> are configuration keys such as <c>DrsNotify:Alarms:GroupInterval</c>.</summary>
    public static async Task<AlarmHarness> StartAsync(IDictionary<string, string>? settings = null)
    {
        var time = new FakeTimeProvider(Start);
        var server = await TestServer.StartAsync(settings, services => services.AddSingleton<TimeProvider>(time));
        return new AlarmHarness(server, time);
    }

    public ValueTask DisposeAsync() => Server.DisposeAsync();

    public Task<IReadOnlyList<AlarmChange>> EvaluateAsync() => Server.Services.GetRequiredService<AlarmEvaluator>().EvaluateAsync();

    public void Advance(TimeSpan by) => Time.Advance(by);

    /// <summary>Registers a job and drives it to <paramref name="status"/> (see <see cref="JobSeeds.CreateAsync"/>).</summary>
    public async Task<string> CreateJobAsync(string status = "INCRE_TRANSFER_STARTED", string engineType = "mysql")
    {
        var id = JobSeeds.NewJobId();
        await JobSeeds.CreateAsync(Server, id, status, engineType);
        return id;
    }

    /// <summary>Returns the name that <see cref="JobSeeds"/> gives the job.</summary>
    public static string JobName(string jobId) => "job-" + jobId[..8] + "-" + jobId[^3..];

    /// <summary>
    /// Sets the settings of <paramref name="jobId"/> through <c>batch-set-smn</c>.
    /// <paramref name="alarmNotifyInfo"/> is the JSON of <c>alarm_notify_info</c>; by default
    /// one e-mail and one SMS recipient.
    /// </summary>
    public async Task SetSettingsAsync(
        string jobId, long delayTime = 0, long rpoDelay = 0, long rtoDelay = 0, bool alarmToUser = true,
        string language = "en-us", string? recipients = null)
    {
        recipients ??= $$"""
            "subscriptions":[{"protocol":"email","endpoints":["{{Email}}"]},{"protocol":"sms","endpoints":["{{Phone}}"]}]
            """;
        var (status, engineType) = await StatusAsync(jobId);
        var flag = alarmToUser ? "true" : "false";
        var response = await Server.PostAsync("/v3/{project_id}/jobs/batch-set-smn", $$"""
            {"jobs":[{"job_id":"{{jobId}}","status":"{{status}}","engine_type":"{{engineType}}"}],
             "alarm_notify_info":{ {{recipients}}, "delay_time":{{delayTime}}, "rpo_delay":{{rpoDelay}}, "rto_delay":{{rtoDelay}},
                                   "alarm_to_user":{{flag}} } }
            """, language);
        Assert.True(
            response.Status == 200 && (string?)response.Json!["results"]![0]!["status"] == "success",
            $"batch-set-smn failed: {response.Status} {response.Body}");
    }

    public async Task<(string Status, string EngineType)> StatusAsync(string jobId)
    {
        var response = await Server.PostAsync("/v3/{project_id}/jobs/batch-detail", $$"""{"jobs":["{{jobId}}"]}""");
        var result = response.Json!["results"]![0]!;
        return ((string)result["status"]!, (string)result["engine_type"]!);
    }

    /// <summary>Reports metrics in seconds, observed at <paramref name="observedAt"/> or, by default, now.</summary>
    public async Task ReportAsync(
        string jobId, double? delay = null, double? rpo = null, double? rto = null, string? status = null, DateTimeOffset? observedAt = null)
    {
        var report = new JsonObject { ["job_id"] = jobId };
        if (status is not null)
        {
            report["status"] = status;
        }

        if (delay is not null)
        {
            report["delay"] = delay;
        }

        if (rpo is not null)
        {
            report["rpo"] = rpo;
        }

        if (rto is not null)
        {
            report["rto"] = rto;
        }

        report["observed_at"] = (observedAt ?? Now).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
        var response = await Server.PostAsync("/v3/{project_id}/jobs/batch-report", new JsonObject { ["reports"] = new JsonArray(report) }.ToJsonString());
        Assert.True(
            response.Status == 200 && (string?)response.Json!["results"]![0]!["status"] == "success",
            $"batch-report failed: {response.Status} {response.Body}");
    }

    /// <summary>Calls a job operation (<c>batch-retry-task</c>, <c>batch-pause-task</c>) on one job.</summary>
    public async Task OperateAsync(string operation, string jobId)
    {
        var response = await Server.PostAsync($"/v3/{{project_id}}/jobs/{operation}", $$"""{"jobs":[{"job_id":"{{jobId}}"}]}""");
        Assert.True(
            response.Status == 200 && (string?)response.Json!["results"]![0]!["status"] == "success",
            $"{operation} failed: {response.Status} {response.Body}");
    }

    /// <summary>Ends (<c>terminate</c>) or deletes (<c>delete</c>) a job.</summary>
    public async Task EndAsync(string jobId, string deleteType)
    {
        var response = await Server.SendAsync(
            HttpMethod.Delete, "/v3/{project_id}/jobs/batch-jobs", $$"""{"jobs":[{"job_id":"{{jobId}}","delete_type":"{{deleteType}}"}]}""");
        Assert.True(response.Status == 202, $"{deleteType} failed: {response.Status} {response.Body}");
    }

    /// <summary>Returns the job's outbox rows in the order they were written.</summary>
    public List<OutboxRow> Outbox(string jobId) => Server.Services.GetRequiredService<Database>().Read(connection =>
    {
        using var command = connection.Command(
            """
            SELECT alarm_id, channel, recipient, language, subject, body, dedup_key, event_key
            FROM outbox WHERE job_id = $j ORDER BY id
            """,
            null, ("$j", jobId));
        using var reader = command.ExecuteReader();
        var rows = new List<OutboxRow>();
        while (reader.Read())
        {
            rows.Add(new OutboxRow(
                reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetString(4),
                reader.GetString(5), reader.GetString(6), reader.GetString(7)));
        }

        return rows;
    });

    /// <summary>Returns the event keys of the job's outbox rows for <paramref name="kind"/>, one per notice (the e-mail rows).</summary>
    public List<string> Notices(string jobId, string kind) =>
        Outbox(jobId).Where(row => row.Channel == "email" && row.DedupKey.Contains($":{kind}:")).Select(row => row.EventKey).ToList();

    /// <summary>Returns the job's episodes through <c>GET /v3/{project_id}/alarms</c>, newest first.</summary>
    public async Task<JsonArray> AlarmsAsync(string jobId, string? kind = null)
    {
        var query = $"?job_id={jobId}" + (kind is null ? "" : $"&kind={kind}");
        var response = await Server.SendAsync(HttpMethod.Get, "/v3/{project_id}/alarms" + query, null);
        Assert.Equal(200, response.Status);
        return response.Json!["alarms"]!.AsArray();
    }

    public string DedupKey(string jobId, string kind, int episode) => $"{ProjectId}:{jobId}:{kind}:{episode}";
}
