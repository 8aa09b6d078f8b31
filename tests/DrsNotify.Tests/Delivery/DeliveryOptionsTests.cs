using DrsNotify.Tests.Infrastructure;
using Microsoft.Extensions.Options;

namespace DrsNotify.Tests.Delivery;

/// <summary>Delivery, SMTP and SMS options are checked at start; a bad value stops the server.</summary>
public sealed class DeliveryOptionsTests
{
    [Theory]
    [InlineData("DrsNotify:Delivery:LeaseDuration", "00:00:10", "LeaseDuration")]
    [InlineData("DrsNotify:Delivery:MaxConcurrentSends", "0", "MaxConcurrentSends")]
    [InlineData("DrsNotify:Delivery:RetryDelays:0", "-00:00:01", "RetryDelays")]
    [InlineData("DrsNotify:Smtp:Host", "127.0.0.1", "From")]
    [InlineData("DrsNotify:Sms:GatewayUrl", "ftp://127.0.0.1/sms", "GatewayUrl")]
    [InlineData("DrsNotify:Webhooks:Secret", "short", "Secret")]
    public async Task InvalidOptionStopsStart(string key, string value, string expectedMember)
    {
        var settings = new Dictionary<string, string> { [key] = value };

        var error = await StartFailsAsync(settings);

        Assert.Contains(expectedMember, error.Message);
    }

    [Fact]
    public async Task SmsSecretIsRequired()
    {
        var settings = new Dictionary<string, string> { ["DrsNotify:Sms:GatewayUrl"] = "http://127.0.0.1:9/sms" };

        var error = await StartFailsAsync(settings);

        Assert.Contains("Secret", error.Message);
    }

    private static async Task<OptionsValidationException> StartFailsAsync(Dictionary<string, string> settings)
    {
        var dataDirectory = Directory.CreateTempSubdirectory("drsnotify-options-").FullName;
        try
        {
            return await Assert.ThrowsAsync<OptionsValidationException>(() => TestServer.StartAsync(settings, dataDirectory: dataDirectory));
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(dataDirectory, recursive: true);
        }
    }

    [Fact]
    public void RetryJitterStaysWithinTwentyPercent()
    {
        var delays = Enumerable.Range(0, 1000).Select(_ => DrsNotify.Server.Delivery.Dispatcher.Jitter(TimeSpan.FromSeconds(10))).ToList();

        Assert.All(delays, delay => Assert.InRange(delay, TimeSpan.FromSeconds(8), TimeSpan.FromSeconds(12)));
        Assert.True(delays.Distinct().Count() > 100, "The jitter should spread the delays.");
    }
}
