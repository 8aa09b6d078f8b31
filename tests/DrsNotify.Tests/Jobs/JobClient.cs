using System.Text.Json.Nodes;
using DrsNotify.Tests.Infrastructure;

namespace DrsNotify.Tests.Jobs;

/// <summary>Shortcuts for the job API of a <see cref="TestServer"/>; each asserts the call succeeded.</summary>
public sealed class JobClient(TestServer server)
{
    private static int _counter;

    public TestServer Server { get; } = server;

    /// <summary>Returns a job name that no other test uses.</summary>
    public static string UniqueName(string prefix = "job") => $"{prefix}-{Interlocked.Increment(ref _counter)}-{Guid.NewGuid():N}"[..30];

    /// <summary>Creates one job in CONFIGURATION and returns its id.</summary>
    public async Task<string> CreateAsync(string? name = null, string engineType = "mysql", string dbUseType = "sync")
    {
        var item = JobItem(name ?? UniqueName(), engineType, dbUseType);
        var response = await Server.PostAsync("/v3/{project_id}/jobs/batch-creation", new JsonObject { ["jobs"] = new JsonArray(item) }.ToJsonString());
        Assert.Equal(202, response.Status);
        var id = (string?)response.Json!["results"]![0]!["id"];
        Assert.NotNull(id);
        return id;
    }

    public static JsonObject JobItem(string name, string engineType = "mysql", string dbUseType = "sync") => new()
    {
        ["name"] = name,
        ["engine_type"] = engineType,
        ["db_use_type"] = dbUseType,
        ["task_type"] = "FULL_INCR_TRANS",
        ["job_direction"] = "up",
    };

    /// <summary>Reports each status in turn through batch-report.</summary>
    public async Task ReportStatusesAsync(string id, params string[] statuses)
    {
        foreach (var status in statuses)
        {
            var response = await ReportAsync(new JsonObject { ["job_id"] = id, ["status"] = status });
            Assert.Equal(200, response.Status);
            Assert.Equal("success", (string?)response.Json!["results"]![0]!["status"]);
        }
    }

    public Task<ApiResponse> ReportAsync(params JsonObject[] reports) =>
        Server.PostAsync("/v3/{project_id}/jobs/batch-report", new JsonObject { ["reports"] = new JsonArray(reports) }.ToJsonString());

    /// <summary>Sends <c>{"jobs": [{"job_id": id, ...extra}]}</c> to an operation path.</summary>
    public Task<ApiResponse> OperateAsync(string path, string id, JsonObject? extra = null, string? language = null, HttpMethod? method = null)
    {
        var item = extra ?? new JsonObject();
        item["job_id"] = id;
        return Server.SendAsync(
            method ?? HttpMethod.Post, "/v3/{project_id}/jobs/" + path, new JsonObject { ["jobs"] = new JsonArray(item) }.ToJsonString(), language);
    }

    public Task<ApiResponse> QueryAsync(string path, params string[] ids) =>
        Server.PostAsync("/v3/{project_id}/jobs/" + path, new JsonObject { ["jobs"] = new JsonArray([.. ids.Select(id => (JsonNode)id)]) }.ToJsonString());

    public async Task<string?> StatusAsync(string id)
    {
        var response = await QueryAsync("batch-status", id);
        Assert.Equal(200, response.Status);
        return (string?)response.Json!["results"]![0]!["status"];
    }
}
