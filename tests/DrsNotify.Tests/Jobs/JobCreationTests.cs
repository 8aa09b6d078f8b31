using System.Text.Json.Nodes;
using DrsNotify.Server.Jobs;

namespace DrsNotify.Tests.Jobs;

public sealed class JobCreationTests(JobServerFixture fixture) : IClassFixture<JobServerFixture>
{
    private const string CreatePath = "/v3/{project_id}/jobs/batch-creation";

    private readonly JobClient _jobs = fixture.Jobs;

    private Task<Infrastructure.ApiResponse> CreateAsync(params JsonObject[] items) =>
        fixture.Server.PostAsync(CreatePath, new JsonObject { ["jobs"] = new JsonArray(items) }.ToJsonString());

    [Fact]
    public async Task Create_ValidItems_Returns202InConfiguration()
    {
        var first = JobClient.JobItem(JobClient.UniqueName());
        first["description"] = "orders to the replica";
        var second = JobClient.JobItem(JobClient.UniqueName(), "postgresql", "migration");

        var response = await CreateAsync(first, second);

        Assert.Equal(202, response.Status);
        Assert.Equal(2, (int?)response.Json!["count"]);
        var results = response.Json["results"]!.AsArray();
        Assert.Equal((string?)first["name"], (string?)results[0]!["name"]);
        Assert.Equal((string?)second["name"], (string?)results[1]!["name"]);
        foreach (var result in results)
        {
            Assert.Equal("CONFIGURATION", (string?)result!["status"]);
            Assert.True(JobIds.IsValid((string)result["id"]!));
            Assert.Matches("^[0-9]{13}$", (string)result["create_time"]!);
            Assert.Null(result["error_code"]);
        }
    }

    [Fact]
    public async Task Create_GivenJobId_KeepsIt()
    {
        var item = JobClient.JobItem(JobClient.UniqueName());
        var id = JobIds.NewId();
        item["job_id"] = id;

        var response = await CreateAsync(item);

        Assert.Equal(202, response.Status);
        Assert.Equal(id, (string?)response.Json!["results"]![0]!["id"]);
        Assert.Equal("CONFIGURATION", await _jobs.StatusAsync(id));
    }

    [Theory]
    [InlineData("name", "abc")]
    [InlineData("name", "has space")]
    [InlineData("name", "this-name-is-fifty-one-characters-long-xxxxxxxxxxxx")]
    [InlineData("engine_type", "sqlserver")]
    [InlineData("db_use_type", "backup")]
    [InlineData("task_type", "FULL")]
    [InlineData("job_direction", "sideways")]
    [InlineData("job_id", "c7296a3b-0d9f-424c-8d74-816ca62xx2a2")]
    public async Task Create_InvalidField_Returns400AndCreatesNothing(string field, string value)
    {
        var valid = JobClient.JobItem(JobClient.UniqueName());
        var invalid = JobClient.JobItem(JobClient.UniqueName());
        invalid[field] = value;

        var response = await CreateAsync(valid, invalid);

        Assert.Equal(400, response.Status);
        Assert.Equal("DRS.M00202", response.ErrorCode);
        Assert.Contains($"jobs[1].{field}", response.ErrorMessage);
        var list = await ListAsync(new JsonObject { ["name"] = (string?)valid["name"] });
        Assert.Equal(0, (long?)list["total_record"]);
    }

    [Fact]
    public async Task Create_MissingName_Returns400M00201()
    {
        var item = JobClient.JobItem(JobClient.UniqueName());
        item.Remove("name");

        var response = await CreateAsync(item);

        Assert.Equal(400, response.Status);
        Assert.Equal("DRS.M00201", response.ErrorCode);
        Assert.Contains("jobs[0].name", response.ErrorMessage);
    }

    [Fact]
    public async Task Create_DescriptionTooLong_Returns400()
    {
        var item = JobClient.JobItem(JobClient.UniqueName());
        item["description"] = new string('d', 257);

        var response = await CreateAsync(item);

        Assert.Equal(400, response.Status);
        Assert.Equal("DRS.M00202", response.ErrorCode);
        Assert.Contains("jobs[0].description", response.ErrorMessage);
    }

    [Fact]
    public async Task Create_NameTakenIgnoringCase_FailsThatItem()
    {
        var name = JobClient.UniqueName("taken");
        await _jobs.CreateAsync(name);
        var other = JobClient.JobItem(JobClient.UniqueName());

        var response = await CreateAsync(JobClient.JobItem(name.ToUpperInvariant()), other);

        Assert.Equal(202, response.Status);
        var failed = response.Json!["results"]![0]!;
        Assert.Equal("failed", (string?)failed["status"]);
        Assert.Equal("DRS.M00202", (string?)failed["error_code"]);
        Assert.Contains(name.ToUpperInvariant(), (string?)failed["error_msg"]);
        Assert.Null(failed["id"]);
        Assert.Equal("CONFIGURATION", (string?)response.Json["results"]![1]!["status"]);
    }

    [Fact]
    public async Task Create_JobIdTaken_FailsWithM00301()
    {
        var id = JobIds.NewId();
        var first = JobClient.JobItem(JobClient.UniqueName());
        first["job_id"] = id;
        await CreateAsync(first);
        var second = JobClient.JobItem(JobClient.UniqueName());
        second["job_id"] = id;

        var response = await CreateAsync(second);

        Assert.Equal(202, response.Status);
        Assert.Equal("failed", (string?)response.Json!["results"]![0]!["status"]);
        Assert.Equal("DRS.M00301", (string?)response.Json["results"]![0]!["error_code"]);
    }

    [Fact]
    public async Task Create_DuplicatesInRequest_FailSecondItems()
    {
        var name = JobClient.UniqueName();
        var id = JobIds.NewId();
        var first = JobClient.JobItem(name);
        first["job_id"] = id;
        var sameName = JobClient.JobItem(name.ToLowerInvariant() == name ? name.ToUpperInvariant() : name.ToLowerInvariant());
        var sameId = JobClient.JobItem(JobClient.UniqueName());
        sameId["job_id"] = id;

        var response = await CreateAsync(first, sameName, sameId);

        Assert.Equal(202, response.Status);
        var results = response.Json!["results"]!.AsArray();
        Assert.Equal(3, results.Count);
        Assert.Equal("CONFIGURATION", (string?)results[0]!["status"]);
        Assert.Equal("DRS.M00202", (string?)results[1]!["error_code"]);
        Assert.Equal("DRS.M00301", (string?)results[2]!["error_code"]);
    }

    [Fact]
    public async Task Create_DeletedJobName_CanBeReused()
    {
        var name = JobClient.UniqueName("reuse");
        var id = await _jobs.CreateAsync(name);
        await _jobs.OperateAsync("batch-jobs", id, new JsonObject { ["delete_type"] = "terminate" }, method: HttpMethod.Delete);
        await _jobs.OperateAsync("batch-jobs", id, new JsonObject { ["delete_type"] = "delete" }, method: HttpMethod.Delete);

        var response = await CreateAsync(JobClient.JobItem(name));

        Assert.Equal("CONFIGURATION", (string?)response.Json!["results"]![0]!["status"]);
        Assert.NotEqual(id, (string?)response.Json["results"]![0]!["id"]);
    }

    [Fact]
    public async Task Create_Endpoints_StoredWithoutPasswords()
    {
        var item = JobClient.JobItem(JobClient.UniqueName());
        item["source_endpoint"] = JsonNode.Parse("""
            {"ip": "10.0.0.5", "db_port": "3306", "db_user": "root", "db_password": "secret-one",
             "ssl": {"ssl_cert_password": "secret-two", "ssl_link": true},
             "nodes": [{"host": "a", "PWD": "secret-three"}]}
            """);
        item["target_endpoint"] = JsonNode.Parse("""{"instance_id": "rds-1", "Password": "secret-four"}""");

        var created = await CreateAsync(item);
        var id = (string)created.Json!["results"]![0]!["id"]!;
        var detail = await _jobs.QueryAsync("batch-detail", id);

        Assert.Equal(200, detail.Status);
        var job = detail.Json!["results"]![0]!;
        Assert.Equal("10.0.0.5", (string?)job["source_endpoint"]!["ip"]);
        Assert.Equal("root", (string?)job["source_endpoint"]!["db_user"]);
        Assert.Null(job["source_endpoint"]!["db_password"]);
        Assert.Null(job["source_endpoint"]!["ssl"]!["ssl_cert_password"]);
        Assert.Equal(true, (bool?)job["source_endpoint"]!["ssl"]!["ssl_link"]);
        Assert.Null(job["source_endpoint"]!["nodes"]![0]!["PWD"]);
        Assert.Equal("rds-1", (string?)job["target_endpoint"]!["instance_id"]);
        Assert.DoesNotContain("secret", detail.Body);
        Assert.DoesNotContain("secret", created.Body);
    }

    [Fact]
    public async Task Create_EndpointNotObject_Returns400()
    {
        var item = JobClient.JobItem(JobClient.UniqueName());
        item["source_endpoint"] = "10.0.0.5";

        var response = await CreateAsync(item);

        Assert.Equal(400, response.Status);
        Assert.Contains("jobs[0].source_endpoint", response.ErrorMessage);
    }

    private async Task<JsonNode> ListAsync(JsonObject filters)
    {
        filters["cur_page"] = 1;
        filters["per_page"] = 100;
        filters["db_use_type"] ??= "sync";
        var response = await fixture.Server.PostAsync("/v3/{project_id}/jobs", filters.ToJsonString());
        Assert.Equal(200, response.Status);
        return response.Json!;
    }
}
