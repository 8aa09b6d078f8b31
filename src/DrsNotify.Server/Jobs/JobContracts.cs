using System.Text.Json;
using DrsNotify.Server.Notifications;

namespace DrsNotify.Server.Jobs;

// Wire shapes of the job API. Requests are parsed with JsonFields, and the request records exist
// only for the OpenAPI document. Times on the wire are Unix milliseconds as strings, as DRS sends them.

public sealed record CreateJobsRequest(IReadOnlyList<CreateJobItem> Jobs);

public sealed record CreateJobItem(
    string Name,
    string EngineType,
    string DbUseType,
    string TaskType,
    string JobDirection,
    string? Description,
    string? JobId,
    JsonElement? SourceEndpoint,
    JsonElement? TargetEndpoint);

/// <summary>One entry of the creation results: the new job, or the failure of that item.</summary>
public sealed record CreatedJob(string? Id, string Name, string Status, string? CreateTime, string? ErrorCode, string? ErrorMsg);

public sealed record CreateJobsResponse(int Count, IReadOnlyList<CreatedJob> Results);

public sealed record ListJobsRequest(int CurPage, int PerPage, string DbUseType, string? EngineType, string? Status, string? Name);

public sealed record JobSummary(
    string Id, string Name, string Status, string Description, string CreateTime,
    string TaskType, string EngineType, string JobDirection, string DbUseType);

public sealed record ListJobsResponse(long TotalRecord, IReadOnlyList<JobSummary> Jobs);

/// <summary>Request of <c>batch-status</c>, <c>batch-detail</c>, <c>batch-progress</c> and <c>batch-rpo-and-rto</c>.</summary>
public sealed record JobIdsRequest(IReadOnlyList<string> Jobs);

/// <summary>One entry of <c>batch-status</c>. An unknown job has <c>error_code</c> and <c>error_message</c> in place of <c>status</c>.</summary>
public sealed record JobStatusResult(string Id, string? Status, string? ErrorCode, string? ErrorMessage);

public sealed record JobStatusResponse(int Count, IReadOnlyList<JobStatusResult> Results);

/// <summary>One entry of <c>batch-detail</c>: the full record, or <c>id</c>, <c>error_code</c> and <c>error_message</c>.</summary>
public sealed record JobDetail(
    string Id,
    string? Name,
    string? Status,
    string? Description,
    string? CreateTime,
    string? UpdateTime,
    string? EngineType,
    string? DbUseType,
    string? TaskType,
    string? JobDirection,
    JsonElement? SourceEndpoint,
    JsonElement? TargetEndpoint,
    AlarmNotifyView? AlarmNotify,
    string? ErrorCode,
    string? ErrorMessage);

public sealed record JobDetailResponse(int Count, IReadOnlyList<JobDetail> Results);

/// <summary>One entry of <c>batch-progress</c>. The delay fields are absent until an agent reports a delay.</summary>
public sealed record JobProgress(
    string JobId, long? IncreTransDelay, long? IncreTransDelayMillis, string? Progress, string? ErrorCode, string? ErrorMsg);

public sealed record JobProgressResponse(int Count, IReadOnlyList<JobProgress> Results);

public sealed record RpoInfo(long RpoDelay, long RpoDelayMillis, string CurrentTime);

public sealed record RtoInfo(long RtoDelay, long RtoDelayMillis, string CurrentTime);

/// <summary>The latest RPO and RTO. Each part is absent until an agent reports it.</summary>
public sealed record RpoAndRtoInfo(RpoInfo? RpoInfo, RtoInfo? RtoInfo);

public sealed record JobRpoAndRto(string Id, RpoAndRtoInfo? RpoAndRtoInfo, string? ErrorCode, string? ErrorMsg);

public sealed record JobRpoAndRtoResponse(int Count, IReadOnlyList<JobRpoAndRto> Results);

public sealed record StartJobsRequest(IReadOnlyList<StartJobItem> Jobs);

/// <summary><c>start_time</c> is Unix milliseconds, as a string or an integer.</summary>
public sealed record StartJobItem(string JobId, string? StartTime);

public sealed record PauseJobsRequest(IReadOnlyList<PauseJobItem> Jobs);

public sealed record PauseJobItem(string JobId, string? PauseMode);

public sealed record RetryJobsRequest(IReadOnlyList<RetryJobItem> Jobs);

public sealed record RetryJobItem(string JobId);

public sealed record DeleteJobsRequest(IReadOnlyList<DeleteJobItem> Jobs);

/// <summary><c>delete_type</c> is <c>terminate</c>, <c>force_terminate</c> or <c>delete</c>.</summary>
public sealed record DeleteJobItem(string JobId, string DeleteType);

public sealed record ReportJobsRequest(IReadOnlyList<JobReportItem> Reports);

/// <summary>An agent's report: delay, RPO and RTO in seconds, <c>observed_at</c> in ISO 8601 with an offset.</summary>
public sealed record JobReportItem(string JobId, string? Status, double? Delay, double? Rpo, double? Rto, string? ObservedAt);

/// <summary>One entry of the operation results: <c>status</c> is <c>success</c> or <c>failed</c>.</summary>
public sealed record OperationResult(string Id, string Status, string? ErrorCode, string? ErrorMsg);

public sealed record OperationResponse(int Count, IReadOnlyList<OperationResult> Results);
