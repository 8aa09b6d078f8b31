using DrsNotify.Server.Api;

namespace DrsNotify.Server.Jobs;

/// <summary>The job registry under <c>/v3/{project_id}/jobs</c>, with DRS v3 paths and shapes.</summary>
public static class JobsApi
{
    public static IServiceCollection AddJobs(this IServiceCollection services) =>
        services.AddHostedService<ScheduledStartService>();

    public static void MapJobsApi(this RouteGroupBuilder v3)
    {
        var jobs = v3.MapGroup("/jobs").WithTags("Jobs");

        jobs.MapPost("/batch-creation", JobCreation.CreateAsync)
            .WithName("BatchCreateJobs")
            .WithSummary("Register jobs in CONFIGURATION; an item that conflicts with an existing job fails alone")
            .Accepts<CreateJobsRequest>("application/json")
            .Produces<CreateJobsResponse>(StatusCodes.Status202Accepted)
            .Produces<ErrorBody>(StatusCodes.Status400BadRequest);

        jobs.MapPost("", JobQueries.ListAsync)
            .WithName("ListJobs")
            .WithSummary("List one page of the project's jobs, newest first")
            .Accepts<ListJobsRequest>("application/json")
            .Produces<ListJobsResponse>()
            .Produces<ErrorBody>(StatusCodes.Status400BadRequest);

        jobs.MapPost("/batch-status", JobQueries.StatusAsync)
            .WithName("BatchShowJobStatus")
            .WithSummary("Query the status of jobs")
            .Accepts<JobIdsRequest>("application/json")
            .Produces<JobStatusResponse>()
            .Produces<ErrorBody>(StatusCodes.Status400BadRequest);

        jobs.MapPost("/batch-detail", JobQueries.DetailAsync)
            .WithName("BatchShowJobDetail")
            .WithSummary("Query the full records of jobs; any unknown job makes the response 400")
            .Accepts<JobIdsRequest>("application/json")
            .Produces<JobDetailResponse>()
            .Produces<JobDetailResponse>(StatusCodes.Status400BadRequest)
            .Produces<ErrorBody>(StatusCodes.Status400BadRequest);

        jobs.MapPost("/batch-progress", JobQueries.ProgressAsync)
            .WithName("BatchShowJobProgress")
            .WithSummary("Query the latest replication delay of jobs")
            .Accepts<JobIdsRequest>("application/json")
            .Produces<JobProgressResponse>()
            .Produces<ErrorBody>(StatusCodes.Status400BadRequest);

        jobs.MapPost("/batch-rpo-and-rto", JobQueries.RpoAndRtoAsync)
            .WithName("BatchShowRpoAndRto")
            .WithSummary("Query the latest RPO and RTO of jobs")
            .Accepts<JobIdsRequest>("application/json")
            .Produces<JobRpoAndRtoResponse>()
            .Produces<ErrorBody>(StatusCodes.Status400BadRequest);

        jobs.MapPost("/batch-starting", JobOperations.StartAsync)
            .WithName("BatchStartJobs")
            .WithSummary("Start jobs now, or at start_time (Unix milliseconds)")
            .Accepts<StartJobsRequest>("application/json")
            .Produces<OperationResponse>()
            .Produces<ErrorBody>(StatusCodes.Status400BadRequest);

        jobs.MapPost("/batch-pause-task", JobOperations.PauseAsync)
            .WithName("BatchPauseJobs")
            .WithSummary("Pause running jobs")
            .Accepts<PauseJobsRequest>("application/json")
            .Produces<OperationResponse>()
            .Produces<ErrorBody>(StatusCodes.Status400BadRequest);

        jobs.MapPost("/batch-retry-task", JobOperations.RetryAsync)
            .WithName("BatchRetryJobs")
            .WithSummary("Resume paused jobs or retry failed ones")
            .Accepts<RetryJobsRequest>("application/json")
            .Produces<OperationResponse>()
            .Produces<ErrorBody>(StatusCodes.Status400BadRequest);

        jobs.MapDelete("/batch-jobs", JobOperations.DeleteAsync)
            .WithName("BatchDeleteJobs")
            .WithSummary("End jobs (terminate, force_terminate) or delete ended jobs")
            .Accepts<DeleteJobsRequest>("application/json")
            .Produces<OperationResponse>(StatusCodes.Status202Accepted)
            .Produces<ErrorBody>(StatusCodes.Status400BadRequest);

        jobs.MapPost("/batch-report", JobReports.ReportAsync)
            .WithName("BatchReportJobs")
            .WithSummary("Record agent reports of job status, delay, RPO and RTO (extension of this server)")
            .Accepts<ReportJobsRequest>("application/json")
            .Produces<OperationResponse>()
            .Produces<ErrorBody>(StatusCodes.Status400BadRequest);
    }
}
