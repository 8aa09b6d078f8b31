using DrsNotify.Tests.Infrastructure;

namespace DrsNotify.Tests.Jobs;

/// <summary>One real server shared by the tests of a class. Each test creates jobs with unique names.</summary>
public sealed class JobServerFixture : IAsyncLifetime
{
    public TestServer Server { get; private set; } = null!;

    public JobClient Jobs { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Server = await TestServer.StartAsync();
        Jobs = new JobClient(Server);
    }

    public async Task DisposeAsync() => await Server.DisposeAsync();
}
