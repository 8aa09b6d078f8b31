using DrsNotify.Server.Alarms;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace DrsNotify.Tests.Alarms;

public sealed class AlarmOptionsTests
{
    private static AlarmOptions Bind(string? key = null, string? value = null)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(key is null ? [] : [new("DrsNotify:Alarms:" + key, value)])
            .Build();
        using var services = new ServiceCollection().AddAlarms(configuration).BuildServiceProvider();
        return services.GetRequiredService<IOptions<AlarmOptions>>().Value;
    }

    [Fact]
    public void Defaults_MatchDocumentation()
    {
        var options = Bind();

        Assert.Equal(TimeSpan.FromMinutes(6), options.SustainWindow);
        Assert.Equal(TimeSpan.FromHours(4), options.RepeatInterval);
        Assert.Equal(TimeSpan.FromMinutes(1), options.GroupInterval);
        Assert.Equal(TimeSpan.FromSeconds(5), options.EvaluationInterval);
        Assert.Null(options.ReportMissingAfter);
    }

    [Theory]
    [InlineData("RepeatInterval", "00:00:30")]
    [InlineData("SustainWindow", "00:00:00")]
    [InlineData("GroupInterval", "02:00:00")]
    [InlineData("EvaluationInterval", "00:00:00.010")]
    [InlineData("ReportMissingAfter", "00:00:01")]
    public void InvalidValue_IsRejected(string key, string value)
    {
        var error = Assert.Throws<OptionsValidationException>(() => Bind(key, value));

        Assert.Contains(key, error.Message);
    }
}
