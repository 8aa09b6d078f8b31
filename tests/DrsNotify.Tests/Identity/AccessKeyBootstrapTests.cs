using System.Text;
using DrsNotify.Tests.Infrastructure;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;

namespace DrsNotify.Tests.Identity;

/// <summary>The administrator's access key from the first start, and how its SK is stored.</summary>
public sealed class AccessKeyBootstrapTests
{
    private const string FixedAccessKey = "AKFIXEDBOOTSTRAP0001";
    private const string FixedSecretKey = "SKfixedBootstrapSecret000000000000000001";

    private static string StoredSecretKey(TestServer server, string accessKey)
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = Path.Combine(server.DataDirectory, "drsnotify.db"),
            Mode = SqliteOpenMode.ReadOnly,
            Pooling = false,
        }.ToString());
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT secret_key FROM access_keys WHERE access_key = $accessKey";
        command.Parameters.AddWithValue("$accessKey", accessKey);
        return (string)command.ExecuteScalar()!;
    }

    private static async Task<int> SignedStatusAsync(TestServer server, string accessKey, string secretKey)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(server.BaseAddress, $"/v3/{server.ProjectId}/jobs/unknown-job/notification-history"));
        request.Headers.Add("X-Project-Id", server.ProjectId);
        new SdkRequestSigner(accessKey, secretKey).Sign(request, [], DateTimeOffset.UtcNow);
        using var client = new HttpClient();
        using var response = await client.SendAsync(request);
        return (int)response.StatusCode;
    }

    [Fact]
    public async Task Bootstrap_RandomKey_HasSdkShapes()
    {
        await using var server = await TestServer.StartAsync();

        Assert.Matches("^[A-Z0-9]{20}$", (string?)server.Credentials["access_key"]);
        Assert.Matches("^[A-Za-z0-9]{40}$", (string?)server.Credentials["secret_key"]);
    }

    [Fact]
    public async Task Bootstrap_SecretKey_StoredEncrypted()
    {
        await using var server = await TestServer.StartAsync();
        var accessKey = (string)server.Credentials["access_key"]!;
        var secretKey = (string)server.Credentials["secret_key"]!;

        var stored = StoredSecretKey(server, accessKey);

        Assert.StartsWith("v1.", stored);
        Assert.DoesNotContain(secretKey, stored);
        Assert.DoesNotContain(Convert.ToBase64String(Encoding.UTF8.GetBytes(secretKey)), stored);
        var database = await File.ReadAllBytesAsync(Path.Combine(server.DataDirectory, "drsnotify.db"));
        Assert.Equal(-1, database.AsSpan().IndexOf(Encoding.UTF8.GetBytes(secretKey)));
    }

    [Fact]
    public async Task Bootstrap_ConfiguredPair_IsUsed()
    {
        await using var server = await TestServer.StartAsync(new Dictionary<string, string>
        {
            ["DrsNotify:Bootstrap:AccessKey"] = FixedAccessKey,
            ["DrsNotify:Bootstrap:SecretKey"] = FixedSecretKey,
        });

        Assert.Equal(FixedAccessKey, (string?)server.Credentials["access_key"]);
        Assert.Equal(FixedSecretKey, (string?)server.Credentials["secret_key"]);
        Assert.Equal(400, await SignedStatusAsync(server, FixedAccessKey, FixedSecretKey));
    }

    [Theory]
    [InlineData("DrsNotify:Bootstrap:AccessKey", "akfixedbootstrap0001")]
    [InlineData("DrsNotify:Bootstrap:AccessKey", "AKTOOSHORT")]
    [InlineData("DrsNotify:Bootstrap:SecretKey", "SKnineteenChars0001")]
    [InlineData("DrsNotify:Bootstrap:SecretKey", "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk")]
    [InlineData("DrsNotify:Bootstrap:SecretKey", "secret with spaces 000000000000000000001")]
    [InlineData("DrsNotify:Bootstrap:SecretKey", "SKnonAsciiSecretKeyé0000000000000000001")]
    public async Task Bootstrap_MalformedKey_StopsStart(string setting, string value)
    {
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() =>
            TestServer.StartAsync(new Dictionary<string, string> { [setting] = value }));

        Assert.Contains(setting.Split(':')[^1], error.Message);
    }

    [Theory]
    [InlineData("SKtestExampleSecretKey0000000000000000001")]
    [InlineData("SK+/=!~punctuation_0001")]
    public async Task Bootstrap_SecretKeyOtherThan40Characters_Signs(string secretKey)
    {
        var longest = new string('k', 128);
        foreach (var value in new[] { secretKey, longest })
        {
            await using var server = await TestServer.StartAsync(new Dictionary<string, string>
            {
                ["DrsNotify:Bootstrap:AccessKey"] = FixedAccessKey,
                ["DrsNotify:Bootstrap:SecretKey"] = value,
            });

            Assert.Equal(value, (string?)server.Credentials["secret_key"]);
            Assert.Equal(400, await SignedStatusAsync(server, FixedAccessKey, value));
            Assert.Equal(401, await SignedStatusAsync(server, FixedAccessKey, value + "x"));
        }
    }

    [Fact]
    public async Task Restart_KeepsKeyUsable()
    {
        await using var server = await TestServer.StartAsync();
        var accessKey = (string)server.Credentials["access_key"]!;
        var secretKey = (string)server.Credentials["secret_key"]!;

        await server.RestartAsync();

        Assert.Equal(400, await SignedStatusAsync(server, accessKey, secretKey));
    }
}
