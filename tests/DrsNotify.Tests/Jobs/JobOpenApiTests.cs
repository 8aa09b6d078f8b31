namespace DrsNotify.Tests.Jobs;

public sealed class JobOpenApiTests(JobServerFixture fixture) : IClassFixture<JobServerFixture>
{
    [Theory]
    [InlineData("BatchCreateJobs")]
    [InlineData("ListJobs")]
    [InlineData("BatchShowJobStatus")]
    [InlineData("BatchShowJobDetail")]
    [InlineData("BatchShowJobProgress")]
    [InlineData("BatchShowRpoAndRto")]
    [InlineData("BatchStartJobs")]
    [InlineData("BatchPauseJobs")]
    [InlineData("BatchRetryJobs")]
    [InlineData("BatchDeleteJobs")]
    [InlineData("BatchReportJobs")]
    public async Task OpenApi_JobOperation_IsDocumented(string operationId)
    {
        var response = await fixture.Server.SendAsync(HttpMethod.Get, "/openapi/v1.json", null, client: fixture.Server.Anonymous);

        Assert.Equal(200, response.Status);
        Assert.Contains($"\"operationId\": \"{operationId}\"", response.Body);
    }
}
