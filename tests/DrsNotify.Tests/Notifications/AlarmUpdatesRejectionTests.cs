using DrsNotify.Tests.Infrastructure;

namespace DrsNotify.Tests.Notifications;

/// <summary>
/// Every bad input of batch-modification and of the v5 job update gets its DRS code and a
/// message that names the parameter in the requested language, and changes nothing stored.
/// </summary>
public sealed class AlarmUpdatesRejectionTests(RejectionFixture fixture) : IClassFixture<RejectionFixture>
{
    private const string Job = "c7296a3b-0d9f-424c-8d74-816ca62jb2a2";
    private const string Sms = """{"protocol":"sms","endpoints":["13800000000"]}""";
    private const string AlarmNotify = """{"subscriptions":[""" + Sms + "]}";

    private static string Item(string extra = "", string alarmNotify = AlarmNotify, string jobId = Job) =>
        $$$"""{"job_id":"{{{jobId}}}",{{{extra}}}"alarm_notify":{{{alarmNotify}}}}""";

    private static string Jobs(params string[] items) => """{"jobs":[""" + string.Join(",", items) + "]}";

    public static IEnumerable<object[]> ModificationCases()
    {
        var cases = new (string Name, string Body, string Code, string Parameter)[]
        {
            ("missing jobs", "{}", "DRS.M00201", "jobs"),
            ("empty jobs", Jobs(), "DRS.M00201", "jobs"),
            ("101 jobs", Jobs(Enumerable.Range(0, 101).Select(i => Item(jobId: "job-" + i)).ToArray()), "DRS.M00202", "jobs"),
            ("missing job_id", """{"jobs":[{"alarm_notify":""" + AlarmNotify + "}]}", "DRS.M00201", "jobs[0].job_id"),
            ("duplicate job_id", Jobs(Item(), Item()), "DRS.M00301", "jobs[1].job_id"),
            ("name", Jobs(Item("\"name\":\"renamed\",")), "DRS.M00202", "jobs[0].name"),
            ("description", Jobs(Item("\"description\":\"new text\",")), "DRS.M00202", "jobs[0].description"),
            ("store_db_info true", Jobs(Item("\"store_db_info\":true,")), "DRS.M00202", "jobs[0].store_db_info"),
            ("source_endpoint object", Jobs(Item("\"source_endpoint\":{\"ip\":\"10.0.0.1\"},")), "DRS.M00202", "jobs[0].source_endpoint"),
            ("second item name", Jobs(Item(), Item("\"name\":\"x\",", jobId: "other")), "DRS.M00202", "jobs[1].name"),
            ("missing alarm_notify", """{"jobs":[{"job_id":"a"}]}""", "DRS.M00201", "jobs[0].alarm_notify"),
            ("topic_urn", Jobs(Item(alarmNotify: """{"topic_urn":"urn:smn:local-1:0ac6eb2c8000d2ee2fd9c006dededbe6:t","subscriptions":[""" + Sms + "]}")),
                "DRS.M00202", "jobs[0].alarm_notify.topic_urn"),
            ("no subscriptions", Jobs(Item(alarmNotify: """{"delay_time":10}""")), "DRS.M00201", "jobs[0].alarm_notify.subscriptions"),
            ("delay_time 3601", Jobs(Item(alarmNotify: """{"delay_time":3601,"subscriptions":[""" + Sms + "]}")), "DRS.M00202", "jobs[0].alarm_notify.delay_time"),
            ("alarm_to_user string", Jobs(Item(alarmNotify: """{"alarm_to_user":"yes","subscriptions":[""" + Sms + "]}")),
                "DRS.M00202", "jobs[0].alarm_notify.alarm_to_user"),
            ("invalid e-mail", Jobs(Item(alarmNotify: """{"subscriptions":[{"protocol":"email","endpoints":["not-an-address"]}]}""")),
                "DRS.M00202", "jobs[0].alarm_notify.subscriptions[0].endpoints[0]"),
        };

        foreach (var language in new[] { "en-us", "zh-cn" })
        {
            foreach (var c in cases)
            {
                yield return [c.Name, language, c.Body, c.Code, c.Parameter];
            }
        }
    }

    [Theory]
    [MemberData(nameof(ModificationCases))]
    public async Task BatchModification_BadBody_RejectedAndNothingChanged(string name, string language, string body, string code, string parameter)
    {
        var before = StoreSnapshot.Take(fixture.Server);

        var response = await fixture.Server.SendAsync(HttpMethod.Put, "/v3/{project_id}/jobs/batch-modification", body, language);

        Assert.True(response.Status == 400, $"{name}: status {response.Status}, body {response.Body}");
        Assert.Equal(code, response.ErrorCode);
        Assert.Contains(parameter, response.ErrorMessage);
        AssertLanguage(language, response.ErrorMessage!);
        Assert.Equal(before, StoreSnapshot.Take(fixture.Server));
    }

    [Theory]
    [InlineData("en-us", "not supported by DrsNotify")]
    [InlineData("zh-cn", "DrsNotify 不支持修改 name")]
    public async Task BatchModification_OtherField_SaysNotSupported(string language, string expected)
    {
        var response = await fixture.Server.SendAsync(
            HttpMethod.Put, "/v3/{project_id}/jobs/batch-modification", Jobs(Item("\"name\":\"renamed\",")), language);

        Assert.Contains(expected, response.ErrorMessage);
    }

    public static IEnumerable<object[]> UpdateCases()
    {
        const string Urn = "urn:smn:local-1:PROJECT_ID:drs-zw";
        static string Body(string type = "notify", string alarmNotify = "{\"topic_urn\":\"" + Urn + "\"}") =>
            """{"job":{"type":"TYPE","params":{"alarm_notify":ALARM_NOTIFY}}}""".Replace("TYPE", type).Replace("ALARM_NOTIFY", alarmNotify);

        var cases = new (string Name, string Path, string Body, string Code, string Parameter)[]
        {
            ("missing job", Job, "{}", "DRS.M00201", "job"),
            ("missing type", Job, """{"job":{"params":{}}}""", "DRS.M00201", "job.type"),
            ("type name", Job, Body(type: "name"), "DRS.M00202", "job.type"),
            ("type policy", Job, Body(type: "policy"), "DRS.M00202", "job.type"),
            ("missing params", Job, """{"job":{"type":"notify"}}""", "DRS.M00201", "job.params"),
            ("missing alarm_notify", Job, """{"job":{"type":"notify","params":{}}}""", "DRS.M00201", "job.params.alarm_notify"),
            ("missing topic_urn", Job, Body(alarmNotify: """{"delay_time":10}"""), "DRS.M00201", "job.params.alarm_notify.topic_urn"),
            ("malformed topic_urn", Job, Body(alarmNotify: """{"topic_urn":"urn:smn:drs-zw"}"""), "DRS.M00202", "job.params.alarm_notify.topic_urn"),
            ("topic of unknown project", Job, Body(alarmNotify: """{"topic_urn":"urn:smn:local-1:0ac6eb2c8000d2ee2fd9c006dededbe6:t"}"""),
                "DRS.M00202", "job.params.alarm_notify.topic_urn"),
            ("topic never created", Job, Body(alarmNotify: """{"topic_urn":"urn:smn:local-1:PROJECT_ID:not-created"}"""),
                "DRS.M00202", "job.params.alarm_notify.topic_urn"),
            ("rto_delay -1", Job, Body(alarmNotify: "{\"topic_urn\":\"" + Urn + "\",\"rto_delay\":-1}"), "DRS.M00202", "job.params.alarm_notify.rto_delay"),
            ("unknown job", "no-such-job", Body(), "DRS.M00289", "no-such-job"),
        };

        foreach (var language in new[] { "en-us", "zh-cn" })
        {
            foreach (var c in cases)
            {
                yield return [c.Name, language, c.Path, c.Body, c.Code, c.Parameter];
            }
        }
    }

    [Theory]
    [MemberData(nameof(UpdateCases))]
    public async Task UpdateJob_BadRequest_RejectedAndNothingChanged(
        string name, string language, string jobId, string body, string code, string parameter)
    {
        var before = StoreSnapshot.Take(fixture.Server);

        var response = await fixture.Server.SendAsync(
            HttpMethod.Put, $"/v5/{{project_id}}/jobs/{jobId}", body.Replace("PROJECT_ID", fixture.Server.ProjectId), language);

        Assert.True(response.Status == 400, $"{name}: status {response.Status}, body {response.Body}");
        Assert.Equal(code, response.ErrorCode);
        Assert.Contains(parameter, response.ErrorMessage);
        AssertLanguage(language, response.ErrorMessage!);
        Assert.Equal(before, StoreSnapshot.Take(fixture.Server));
    }

    [Fact]
    public async Task UpdateJob_OtherType_SaysNotSupported()
    {
        var response = await fixture.Server.SendAsync(
            HttpMethod.Put, $"/v5/{{project_id}}/jobs/{Job}", """{"job":{"type":"description","params":{"description":"x"}}}""");

        Assert.Contains("the update type description is not supported by DrsNotify", response.ErrorMessage);
    }

    private static void AssertLanguage(string language, string message)
    {
        var hasChinese = message.Any(c => c is >= '\u4e00' and <= '\u9fff');
        Assert.True(language == "zh-cn" ? hasChinese : !hasChinese, $"error_msg not in {language}: {message}");
    }
}
