namespace DrsNotify.Server.Jobs;

/// <summary>
/// The job lifecycle: which status may follow which. The edges are written once, as data, and
/// every status change (API operations, agent reports, the start scheduler) is checked here.
/// </summary>
/// <remarks>
/// Some edges lead "back" to the status stored in <c>jobs.return_status</c> rather than to a
/// fixed status: leaving <c>PAUSING</c>, ending <c>CHANGE_JOB_STARTED</c> or
/// <c>REBUILD_NODE_STARTED</c> (DRS has no <c>_COMPLETE</c> status for those two) and leaving
/// <c>NODE_UPGRADE_COMPLETE</c>. Reporting the current status again is not a transition, so
/// <see cref="IsAllowed"/> returns false for it and callers treat it as a no-op.
/// </remarks>
public static class JobLifecycle
{
    /// <summary>Edge target that is the job's stored <c>return_status</c>.</summary>
    public const string ReturnStatus = "<return_status>";

    /// <summary>Statuses from which a job can be paused or an operation (change, rebuild, upgrade) started.</summary>
    public static readonly IReadOnlySet<string> Running = new HashSet<string>(StringComparer.Ordinal)
    {
        "FULL_TRANSFER_STARTED", "FULL_TRANSFER_COMPLETE", "INCRE_TRANSFER_STARTED",
    };

    /// <summary>Each failure status and the status it failed from, which a retry returns to.</summary>
    public static readonly IReadOnlyDictionary<string, string> FailedFrom = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["CREATE_FAILED"] = "CREATING",
        ["START_JOB_FAILED"] = "STARTJOBING",
        ["FULL_TRANSFER_FAILED"] = "FULL_TRANSFER_STARTED",
        ["INCRE_TRANSFER_FAILED"] = "INCRE_TRANSFER_STARTED",
        ["RELEASE_RESOURCE_FAILED"] = "RELEASE_RESOURCE_STARTED",
        ["REBUILD_NODE_FAILED"] = "REBUILD_NODE_STARTED",
        ["CHANGE_JOB_FAILED"] = "CHANGE_JOB_STARTED",
        ["CHILD_TRANSFER_FAILED"] = "CHILD_TRANSFER_STARTED",
        ["NODE_UPGRADE_FAILED"] = "NODE_UPGRADE_START",
    };

    /// <summary>Statuses that start an operation (change, rebuild, upgrade). Entering one stores the status to return to.</summary>
    public static readonly IReadOnlySet<string> OperationStarts = new HashSet<string>(StringComparer.Ordinal)
    {
        "CHANGE_JOB_STARTED", "REBUILD_NODE_STARTED", "NODE_UPGRADE_START",
    };

    /// <summary>Statuses from which a job can be deleted.</summary>
    public static readonly IReadOnlySet<string> Deletable = new HashSet<string>(StringComparer.Ordinal)
    {
        "CREATE_FAILED", "RELEASE_RESOURCE_COMPLETE", "RELEASE_CHILD_TRANSFER_COMPLETE",
    };

    public const string Pausing = "PAUSING";
    public const string ReleaseStarted = "RELEASE_RESOURCE_STARTED";
    public const string ReleaseComplete = "RELEASE_RESOURCE_COMPLETE";

    // Statuses that cannot move to RELEASE_RESOURCE_STARTED: already released, releasing, or deleted.
    private static readonly string[] NotReleasable =
    [
        JobCatalog.Deleted, ReleaseStarted, ReleaseComplete, "RELEASE_CHILD_TRANSFER_COMPLETE",
    ];

    private static readonly (string From, string To)[] FixedEdges =
    [
        ("CREATING", "CONFIGURATION"),
        ("CREATING", "CREATE_FAILED"),
        ("CONFIGURATION", "STARTJOBING"),
        ("CONFIGURATION", "WAITING_FOR_START"),
        ("WAITING_FOR_START", "STARTJOBING"),
        ("STARTJOBING", "FULL_TRANSFER_STARTED"),
        ("STARTJOBING", "INCRE_TRANSFER_STARTED"),
        ("STARTJOBING", "START_JOB_FAILED"),
        ("FULL_TRANSFER_STARTED", "FULL_TRANSFER_COMPLETE"),
        ("FULL_TRANSFER_STARTED", "FULL_TRANSFER_FAILED"),
        ("FULL_TRANSFER_COMPLETE", "INCRE_TRANSFER_STARTED"),
        ("INCRE_TRANSFER_STARTED", "INCRE_TRANSFER_FAILED"),

        ("FULL_TRANSFER_STARTED", Pausing),
        ("FULL_TRANSFER_COMPLETE", Pausing),
        ("INCRE_TRANSFER_STARTED", Pausing),
        (Pausing, ReturnStatus),

        // Operations on a running or paused job; rebuild also repairs a failed transfer.
        ("FULL_TRANSFER_STARTED", "CHANGE_JOB_STARTED"),
        ("FULL_TRANSFER_COMPLETE", "CHANGE_JOB_STARTED"),
        ("INCRE_TRANSFER_STARTED", "CHANGE_JOB_STARTED"),
        (Pausing, "CHANGE_JOB_STARTED"),
        ("CHANGE_JOB_STARTED", "CHANGE_JOB_FAILED"),
        ("CHANGE_JOB_STARTED", ReturnStatus),

        ("FULL_TRANSFER_STARTED", "REBUILD_NODE_STARTED"),
        ("FULL_TRANSFER_COMPLETE", "REBUILD_NODE_STARTED"),
        ("INCRE_TRANSFER_STARTED", "REBUILD_NODE_STARTED"),
        (Pausing, "REBUILD_NODE_STARTED"),
        ("FULL_TRANSFER_FAILED", "REBUILD_NODE_STARTED"),
        ("INCRE_TRANSFER_FAILED", "REBUILD_NODE_STARTED"),
        ("REBUILD_NODE_STARTED", "REBUILD_NODE_FAILED"),
        ("REBUILD_NODE_STARTED", ReturnStatus),

        ("FULL_TRANSFER_STARTED", "NODE_UPGRADE_START"),
        ("FULL_TRANSFER_COMPLETE", "NODE_UPGRADE_START"),
        ("INCRE_TRANSFER_STARTED", "NODE_UPGRADE_START"),
        (Pausing, "NODE_UPGRADE_START"),
        ("NODE_UPGRADE_START", "NODE_UPGRADE_COMPLETE"),
        ("NODE_UPGRADE_START", "NODE_UPGRADE_FAILED"),
        ("NODE_UPGRADE_COMPLETE", ReturnStatus),

        // Subtasks.
        ("CONFIGURATION", "CHILD_TRANSFER_STARTING"),
        ("CHILD_TRANSFER_STARTING", "CHILD_TRANSFER_STARTED"),
        ("CHILD_TRANSFER_STARTED", "CHILD_TRANSFER_COMPLETE"),
        ("CHILD_TRANSFER_STARTED", "CHILD_TRANSFER_FAILED"),
        ("CHILD_TRANSFER_STARTING", "RELEASE_CHILD_TRANSFER_STARTED"),
        ("CHILD_TRANSFER_STARTED", "RELEASE_CHILD_TRANSFER_STARTED"),
        ("CHILD_TRANSFER_COMPLETE", "RELEASE_CHILD_TRANSFER_STARTED"),
        ("CHILD_TRANSFER_FAILED", "RELEASE_CHILD_TRANSFER_STARTED"),
        ("RELEASE_CHILD_TRANSFER_STARTED", "RELEASE_CHILD_TRANSFER_COMPLETE"),

        // Ending.
        (ReleaseStarted, ReleaseComplete),
        (ReleaseStarted, "RELEASE_RESOURCE_FAILED"),
        ("CREATE_FAILED", JobCatalog.Deleted),
        (ReleaseComplete, JobCatalog.Deleted),
        ("RELEASE_CHILD_TRANSFER_COMPLETE", JobCatalog.Deleted),
    ];

    /// <summary>Every edge: the fixed ones, a retry from each failure status, and release from any status that allows it.</summary>
    public static readonly IReadOnlyList<(string From, string To)> Edges = BuildEdges();

    private static readonly ILookup<string, string> Targets = Edges.ToLookup(edge => edge.From, edge => edge.To, StringComparer.Ordinal);

    private static (string From, string To)[] BuildEdges()
    {
        var edges = new List<(string From, string To)>(FixedEdges);
        edges.AddRange(FailedFrom.Select(pair => (pair.Key, pair.Value)));
        edges.AddRange(JobCatalog.StatusList.Except(NotReleasable).Select(status => (status, ReleaseStarted)));
        return [.. edges.Distinct()];
    }

    /// <summary>
    /// Returns whether a job in <paramref name="from"/> may move to <paramref name="to"/>.
    /// <paramref name="returnStatus"/> is the job's stored <c>return_status</c>, null when none.
    /// </summary>
    public static bool IsAllowed(string from, string to, string? returnStatus) =>
        Targets[from].Any(target => Resolve(target, returnStatus) == to);

    /// <summary>Returns the statuses a job in <paramref name="from"/> may move to, in catalog order.</summary>
    public static IReadOnlyList<string> AllowedNext(string from, string? returnStatus)
    {
        var next = Targets[from].Select(target => Resolve(target, returnStatus)).OfType<string>().ToHashSet(StringComparer.Ordinal);
        return [.. JobCatalog.StatusList.Where(next.Contains)];
    }

    /// <summary>
    /// Returns the <c>return_status</c> a job has after moving from <paramref name="from"/> to
    /// <paramref name="to"/>: entering <c>PAUSING</c> or starting an operation stores the status
    /// left (an operation started from <c>PAUSING</c> keeps the status the pause left, so that
    /// the operation ends by resuming the job), going back clears it, and any other move keeps it.
    /// </summary>
    public static string? ReturnStatusAfter(string from, string to, string? returnStatus)
    {
        if (to == Pausing)
        {
            return from;
        }

        var isRetry = FailedFrom.TryGetValue(from, out var origin) && origin == to;
        if (OperationStarts.Contains(to) && !isRetry)
        {
            return from == Pausing ? returnStatus : from;
        }

        var goesBack = returnStatus == to && Targets[from].Contains(ReturnStatus, StringComparer.Ordinal);
        return goesBack ? null : returnStatus;
    }

    private static string? Resolve(string target, string? returnStatus) => target == ReturnStatus ? returnStatus : target;
}
