namespace DrsNotify.Server.Jobs;

/// <summary>The DRS job statuses and engine types, as the DRS v3 API lists them.</summary>
public static class JobCatalog
{
    public static readonly string[] StatusList =
    [
        "CREATING", "CREATE_FAILED", "CONFIGURATION", "STARTJOBING", "WAITING_FOR_START", "START_JOB_FAILED",
        "PAUSING", "FULL_TRANSFER_STARTED", "FULL_TRANSFER_FAILED", "FULL_TRANSFER_COMPLETE",
        "INCRE_TRANSFER_STARTED", "INCRE_TRANSFER_FAILED", "RELEASE_RESOURCE_STARTED", "RELEASE_RESOURCE_FAILED",
        "RELEASE_RESOURCE_COMPLETE", "REBUILD_NODE_STARTED", "REBUILD_NODE_FAILED", "CHANGE_JOB_STARTED",
        "CHANGE_JOB_FAILED", "DELETED", "CHILD_TRANSFER_STARTING", "CHILD_TRANSFER_STARTED",
        "CHILD_TRANSFER_COMPLETE", "CHILD_TRANSFER_FAILED", "RELEASE_CHILD_TRANSFER_STARTED",
        "RELEASE_CHILD_TRANSFER_COMPLETE", "NODE_UPGRADE_START", "NODE_UPGRADE_COMPLETE", "NODE_UPGRADE_FAILED",
    ];

    public static readonly IReadOnlySet<string> Statuses = new HashSet<string>(StatusList, StringComparer.Ordinal);

    public static readonly string StatusListText = string.Join(", ", StatusList);

    public static readonly string[] EngineTypeList =
    [
        "mysql", "mongodb", "cloudDataGuard-mysql", "gaussdbv5", "mysql-to-kafka", "taurus-to-kafka",
        "gaussdbv5ha-to-kafka", "postgresql", "oracle-to-gaussdbv5", "oracle-to-gaussdbv5ha",
        "gaussdbv5-to-oracle", "gaussdbv5ha-to-oracle", "gaussdbv5-to-kafka",
    ];

    public static readonly IReadOnlySet<string> EngineTypes = new HashSet<string>(EngineTypeList, StringComparer.Ordinal);

    public static readonly string EngineTypeListText = string.Join(", ", EngineTypeList);

    /// <summary>Statuses of a job that has ended or is ending; its notifications cannot be set.</summary>
    public static readonly IReadOnlySet<string> Stopped = new HashSet<string>(StringComparer.Ordinal)
    {
        "RELEASE_RESOURCE_STARTED", "RELEASE_RESOURCE_FAILED", "RELEASE_RESOURCE_COMPLETE",
        "RELEASE_CHILD_TRANSFER_STARTED", "RELEASE_CHILD_TRANSFER_COMPLETE",
    };

    public const string Deleted = "DELETED";
}
