namespace DrsNotify.Tests.Infrastructure;

/// <summary>Registers jobs through the job registry API and drives them to a wanted status.</summary>
public static class JobSeeds
{
    /// <summary>The first example job of the batch-set-smn API page.</summary>
    public const string ConfigurationJobId = "c7296a3b-0d9f-424c-8d74-816ca62jb2a2";

    /// <summary>The second example job of the batch-set-smn API page.</summary>
    public const string IncrementalJobId = "2b36da5c-44a7-41af-8889-247b14djb2a2";

    private static int _counter;

    /// <summary>Returns a new DRS-shaped job id.</summary>
    public static string NewJobId()
    {
        var hex = Guid.NewGuid().ToString("N");
        var tail = Interlocked.Increment(ref _counter) % 1000;
        return $"{hex[..8]}-{hex[8..12]}-{hex[12..16]}-{hex[16..20]}-{hex[20..27]}jb{tail:D3}";
    }

    /// <summary>
    /// Creates a job with <paramref name="jobId"/> and moves it to <paramref name="status"/>:
    /// CONFIGURATION, INCRE_TRANSFER_STARTED, INCRE_TRANSFER_FAILED, PAUSING,
    /// RELEASE_RESOURCE_COMPLETE or DELETED.
    /// </summary>
    public static async Task CreateAsync(TestServer server, string jobId, string status = "CONFIGURATION", string engineType = "mysql")
    {
        var name = "job-" + jobId[..8] + "-" + jobId[^3..];
        var create = await server.PostAsync("/v3/{project_id}/jobs/batch-creation", $$"""
            {"jobs":[{"job_id":"{{jobId}}","name":"{{name}}","engine_type":"{{engineType}}","db_use_type":"sync",
                      "task_type":"FULL_INCR_TRANS","job_direction":"up"}]}
            """);
        Ensure(create.Status == 202 && (string?)create.Json!["results"]![0]!["status"] == "CONFIGURATION", "create", create);

        switch (status)
        {
            case "CONFIGURATION":
                return;
            case "INCRE_TRANSFER_STARTED":
                await ReportAsync(server, jobId, "STARTJOBING", "INCRE_TRANSFER_STARTED");
                return;
            case "INCRE_TRANSFER_FAILED":
                await ReportAsync(server, jobId, "STARTJOBING", "INCRE_TRANSFER_STARTED", "INCRE_TRANSFER_FAILED");
                return;
            case "PAUSING":
                await ReportAsync(server, jobId, "STARTJOBING", "INCRE_TRANSFER_STARTED", "PAUSING");
                return;
            case "RELEASE_RESOURCE_COMPLETE":
                await EndAsync(server, jobId, "terminate");
                return;
            case "DELETED":
                await EndAsync(server, jobId, "terminate");
                await EndAsync(server, jobId, "delete");
                return;
            default:
                throw new ArgumentException($"No seed path to {status}.", nameof(status));
        }
    }

    public static async Task ReportAsync(TestServer server, string jobId, params string[] statuses)
    {
        var reports = string.Join(",", statuses.Select(status => $$"""{"job_id":"{{jobId}}","status":"{{status}}"}"""));
        var response = await server.PostAsync("/v3/{project_id}/jobs/batch-report", $$"""{"reports":[{{reports}}]}""");
        Ensure(response.Status == 200 && response.Json!["results"]!.AsArray().All(r => (string?)r!["status"] == "success"), "report", response);
    }

    private static async Task EndAsync(TestServer server, string jobId, string deleteType)
    {
        var response = await server.SendAsync(
            HttpMethod.Delete, "/v3/{project_id}/jobs/batch-jobs", $$"""{"jobs":[{"job_id":"{{jobId}}","delete_type":"{{deleteType}}"}]}""");
        Ensure(response.Status == 202 && (string?)response.Json!["results"]![0]!["status"] == "success", deleteType, response);
    }

    private static void Ensure(bool condition, string step, ApiResponse response)
    {
        if (!condition)
        {
            throw new InvalidOperationException($"Seeding step {step} failed: {response.Status} {response.Body}");
        }
    }
}
