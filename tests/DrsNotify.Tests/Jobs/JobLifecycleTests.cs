using DrsNotify.Server.Jobs;

namespace DrsNotify.Tests.Jobs;

public sealed class JobLifecycleTests
{
    // The lifecycle as the job registry contract states it, written independently of the code's table.
    // "RETURN" stands for the job's stored return_status.
    private static readonly string[] FixedEdges =
    [
        "CREATING>CONFIGURATION", "CREATING>CREATE_FAILED",
        "CONFIGURATION>STARTJOBING", "CONFIGURATION>WAITING_FOR_START",
        "WAITING_FOR_START>STARTJOBING",
        "STARTJOBING>FULL_TRANSFER_STARTED", "STARTJOBING>INCRE_TRANSFER_STARTED", "STARTJOBING>START_JOB_FAILED",
        "FULL_TRANSFER_STARTED>FULL_TRANSFER_COMPLETE", "FULL_TRANSFER_STARTED>FULL_TRANSFER_FAILED",
        "FULL_TRANSFER_COMPLETE>INCRE_TRANSFER_STARTED",
        "INCRE_TRANSFER_STARTED>INCRE_TRANSFER_FAILED",
        "FULL_TRANSFER_STARTED>PAUSING", "FULL_TRANSFER_COMPLETE>PAUSING", "INCRE_TRANSFER_STARTED>PAUSING",
        "PAUSING>RETURN",
        "CREATE_FAILED>CREATING", "START_JOB_FAILED>STARTJOBING", "FULL_TRANSFER_FAILED>FULL_TRANSFER_STARTED",
        "INCRE_TRANSFER_FAILED>INCRE_TRANSFER_STARTED", "RELEASE_RESOURCE_FAILED>RELEASE_RESOURCE_STARTED",
        "REBUILD_NODE_FAILED>REBUILD_NODE_STARTED", "CHANGE_JOB_FAILED>CHANGE_JOB_STARTED",
        "CHILD_TRANSFER_FAILED>CHILD_TRANSFER_STARTED", "NODE_UPGRADE_FAILED>NODE_UPGRADE_START",
        "FULL_TRANSFER_STARTED>CHANGE_JOB_STARTED", "FULL_TRANSFER_COMPLETE>CHANGE_JOB_STARTED",
        "INCRE_TRANSFER_STARTED>CHANGE_JOB_STARTED", "PAUSING>CHANGE_JOB_STARTED",
        "CHANGE_JOB_STARTED>CHANGE_JOB_FAILED", "CHANGE_JOB_STARTED>RETURN",
        "FULL_TRANSFER_STARTED>REBUILD_NODE_STARTED", "FULL_TRANSFER_COMPLETE>REBUILD_NODE_STARTED",
        "INCRE_TRANSFER_STARTED>REBUILD_NODE_STARTED", "PAUSING>REBUILD_NODE_STARTED",
        "FULL_TRANSFER_FAILED>REBUILD_NODE_STARTED", "INCRE_TRANSFER_FAILED>REBUILD_NODE_STARTED",
        "REBUILD_NODE_STARTED>REBUILD_NODE_FAILED", "REBUILD_NODE_STARTED>RETURN",
        "FULL_TRANSFER_STARTED>NODE_UPGRADE_START", "FULL_TRANSFER_COMPLETE>NODE_UPGRADE_START",
        "INCRE_TRANSFER_STARTED>NODE_UPGRADE_START", "PAUSING>NODE_UPGRADE_START",
        "NODE_UPGRADE_START>NODE_UPGRADE_COMPLETE", "NODE_UPGRADE_START>NODE_UPGRADE_FAILED",
        "NODE_UPGRADE_COMPLETE>RETURN",
        "CONFIGURATION>CHILD_TRANSFER_STARTING", "CHILD_TRANSFER_STARTING>CHILD_TRANSFER_STARTED",
        "CHILD_TRANSFER_STARTED>CHILD_TRANSFER_COMPLETE", "CHILD_TRANSFER_STARTED>CHILD_TRANSFER_FAILED",
        "CHILD_TRANSFER_STARTING>RELEASE_CHILD_TRANSFER_STARTED", "CHILD_TRANSFER_STARTED>RELEASE_CHILD_TRANSFER_STARTED",
        "CHILD_TRANSFER_COMPLETE>RELEASE_CHILD_TRANSFER_STARTED", "CHILD_TRANSFER_FAILED>RELEASE_CHILD_TRANSFER_STARTED",
        "RELEASE_CHILD_TRANSFER_STARTED>RELEASE_CHILD_TRANSFER_COMPLETE",
        "RELEASE_RESOURCE_STARTED>RELEASE_RESOURCE_COMPLETE", "RELEASE_RESOURCE_STARTED>RELEASE_RESOURCE_FAILED",
        "CREATE_FAILED>DELETED", "RELEASE_RESOURCE_COMPLETE>DELETED", "RELEASE_CHILD_TRANSFER_COMPLETE>DELETED",
    ];

    private static readonly string[] NotReleasable =
        ["DELETED", "RELEASE_RESOURCE_STARTED", "RELEASE_RESOURCE_COMPLETE", "RELEASE_CHILD_TRANSFER_COMPLETE"];

    private static IEnumerable<(string From, string To)> ExpectedEdges() =>
        FixedEdges.Select(edge => edge.Split('>'))
            .Select(parts => (parts[0], parts[1] == "RETURN" ? JobLifecycle.ReturnStatus : parts[1]))
            .Concat(JobCatalog.StatusList.Except(NotReleasable).Select(status => (status, "RELEASE_RESOURCE_STARTED")))
            .Distinct();

    public static TheoryData<string, string> FixedEdgeData()
    {
        var data = new TheoryData<string, string>();
        foreach (var (from, to) in ExpectedEdges().Where(edge => edge.To != JobLifecycle.ReturnStatus))
        {
            data.Add(from, to);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(FixedEdgeData))]
    public void IsAllowed_ContractEdge_ReturnsTrue(string from, string to)
    {
        Assert.True(JobLifecycle.IsAllowed(from, to, returnStatus: null));
    }

    [Theory]
    [InlineData("PAUSING", "INCRE_TRANSFER_STARTED")]
    [InlineData("PAUSING", "FULL_TRANSFER_COMPLETE")]
    [InlineData("CHANGE_JOB_STARTED", "FULL_TRANSFER_STARTED")]
    [InlineData("REBUILD_NODE_STARTED", "INCRE_TRANSFER_FAILED")]
    [InlineData("NODE_UPGRADE_COMPLETE", "INCRE_TRANSFER_STARTED")]
    public void IsAllowed_BackToReturnStatus_ReturnsTrue(string from, string returnStatus)
    {
        Assert.True(JobLifecycle.IsAllowed(from, returnStatus, returnStatus));
    }

    [Theory]
    [InlineData("PAUSING", "INCRE_TRANSFER_STARTED", "FULL_TRANSFER_STARTED")]
    [InlineData("PAUSING", "INCRE_TRANSFER_STARTED", null)]
    [InlineData("NODE_UPGRADE_COMPLETE", "FULL_TRANSFER_COMPLETE", "INCRE_TRANSFER_STARTED")]
    public void IsAllowed_OtherThanReturnStatus_ReturnsFalse(string from, string to, string? returnStatus)
    {
        Assert.False(JobLifecycle.IsAllowed(from, to, returnStatus));
    }

    [Fact]
    public void Edges_MatchContract_Exactly()
    {
        var expected = ExpectedEdges().Select(edge => $"{edge.From}>{edge.To}").Order(StringComparer.Ordinal).ToList();
        var actual = JobLifecycle.Edges.Select(edge => $"{edge.From}>{edge.To}").Order(StringComparer.Ordinal).ToList();

        Assert.Equal(expected, actual);
    }

    [Theory]
    [InlineData("CONFIGURATION", "FULL_TRANSFER_STARTED")]
    [InlineData("CONFIGURATION", "CONFIGURATION")]
    [InlineData("CREATING", "STARTJOBING")]
    [InlineData("INCRE_TRANSFER_STARTED", "FULL_TRANSFER_STARTED")]
    [InlineData("INCRE_TRANSFER_STARTED", "DELETED")]
    [InlineData("STARTJOBING", "PAUSING")]
    [InlineData("PAUSING", "PAUSING")]
    [InlineData("DELETED", "CONFIGURATION")]
    [InlineData("DELETED", "RELEASE_RESOURCE_STARTED")]
    [InlineData("RELEASE_RESOURCE_COMPLETE", "RELEASE_RESOURCE_STARTED")]
    [InlineData("RELEASE_RESOURCE_STARTED", "RELEASE_RESOURCE_STARTED")]
    [InlineData("RELEASE_CHILD_TRANSFER_COMPLETE", "RELEASE_RESOURCE_STARTED")]
    [InlineData("CHANGE_JOB_FAILED", "CHANGE_JOB_FAILED")]
    [InlineData("CHILD_TRANSFER_COMPLETE", "CHILD_TRANSFER_STARTED")]
    [InlineData("FULL_TRANSFER_FAILED", "INCRE_TRANSFER_STARTED")]
    [InlineData("CHANGE_JOB_FAILED", "REBUILD_NODE_STARTED")]
    [InlineData("START_JOB_FAILED", "DELETED")]
    [InlineData("NODE_UPGRADE_START", "NODE_UPGRADE_FAILED_X")]
    public void IsAllowed_NonEdge_ReturnsFalse(string from, string to)
    {
        Assert.False(JobLifecycle.IsAllowed(from, to, returnStatus: "FULL_TRANSFER_STARTED"));
    }

    [Fact]
    public void AllowedNext_Pausing_IncludesReturnStatus()
    {
        var next = JobLifecycle.AllowedNext("PAUSING", "INCRE_TRANSFER_STARTED");

        Assert.Equal(
            ["INCRE_TRANSFER_STARTED", "RELEASE_RESOURCE_STARTED", "REBUILD_NODE_STARTED", "CHANGE_JOB_STARTED", "NODE_UPGRADE_START"],
            next);
    }

    [Fact]
    public void AllowedNext_Deleted_IsEmpty()
    {
        Assert.Empty(JobLifecycle.AllowedNext("DELETED", null));
    }

    [Theory]
    [InlineData("INCRE_TRANSFER_STARTED", "PAUSING", null, "INCRE_TRANSFER_STARTED")]
    [InlineData("PAUSING", "INCRE_TRANSFER_STARTED", "INCRE_TRANSFER_STARTED", null)]
    [InlineData("FULL_TRANSFER_COMPLETE", "CHANGE_JOB_STARTED", null, "FULL_TRANSFER_COMPLETE")]
    [InlineData("PAUSING", "CHANGE_JOB_STARTED", "FULL_TRANSFER_STARTED", "FULL_TRANSFER_STARTED")]
    [InlineData("CHANGE_JOB_STARTED", "CHANGE_JOB_FAILED", "FULL_TRANSFER_STARTED", "FULL_TRANSFER_STARTED")]
    [InlineData("CHANGE_JOB_FAILED", "CHANGE_JOB_STARTED", "FULL_TRANSFER_STARTED", "FULL_TRANSFER_STARTED")]
    [InlineData("INCRE_TRANSFER_FAILED", "REBUILD_NODE_STARTED", null, "INCRE_TRANSFER_FAILED")]
    [InlineData("NODE_UPGRADE_START", "NODE_UPGRADE_COMPLETE", "INCRE_TRANSFER_STARTED", "INCRE_TRANSFER_STARTED")]
    [InlineData("NODE_UPGRADE_COMPLETE", "INCRE_TRANSFER_STARTED", "INCRE_TRANSFER_STARTED", null)]
    [InlineData("STARTJOBING", "FULL_TRANSFER_STARTED", null, null)]
    public void ReturnStatusAfter_Move_StoresExpectedStatus(string from, string to, string? before, string? expected)
    {
        Assert.Equal(expected, JobLifecycle.ReturnStatusAfter(from, to, before));
    }

    [Theory]
    [InlineData("c7296a3b-0d9f-424c-8d74-816ca62jb2a2", true)]
    [InlineData("9a470239-2308-4bb5-a6bc-1040402fjb21", true)]
    [InlineData("2b36da5c-44a7-41af-8889-247b14djb2a2", true)]
    [InlineData("2B36DA5C-44a7-41af-8889-247b14djb2a2", false)]
    [InlineData("2b36da5c-44a7-41af-8889-247b14d1b2a2", false)]
    [InlineData("2b36da5c-44a7-41af-8889-247b14dajb2a2", false)]
    [InlineData("2b36da5c-44a7-41af-8889-247b14djb2", false)]
    [InlineData("2b36da5c44a741af8889247b14djb2a2", false)]
    [InlineData("", false)]
    public void JobIdsIsValid_Example_MatchesDrsShape(string id, bool expected)
    {
        Assert.Equal(expected, JobIds.IsValid(id));
    }

    [Fact]
    public void JobIdsNewId_Generated_HasDrsShape()
    {
        for (var i = 0; i < 100; i++)
        {
            var id = JobIds.NewId();
            Assert.True(JobIds.IsValid(id), id);
        }
    }
}
