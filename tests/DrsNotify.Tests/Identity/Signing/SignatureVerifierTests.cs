using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using DrsNotify.Server;
using DrsNotify.Server.Api;
using DrsNotify.Server.Identity.AccessKeys;
using DrsNotify.Server.Identity.Signing;
using DrsNotify.Server.Localization;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace DrsNotify.Tests.Identity.Signing;

/// <summary>
/// The verifier against requests signed by the official .NET SDK, with the SDK's test keys and
/// the clock set to each request's <c>X-Sdk-Date</c>.
/// </summary>
public sealed class SignatureVerifierTests
{
    private sealed class KeyTable(params AccessKeyCredential[] keys) : IAccessKeyLookup
    {
        public AccessKeyCredential? Find(string accessKey) => keys.FirstOrDefault(key => key.AccessKey == accessKey);
    }

    private static AccessKeyCredential TestKey(string secretKey = SigningVector.SecretKey, bool enabled = true) =>
        new(SigningVector.AccessKey, "user-1", "admin", "account-1", Encoding.UTF8.GetBytes(secretKey), enabled);

    private static SignatureVerifier Verifier(DateTimeOffset now, IAccessKeyLookup? keys = null, long maxBodyBytes = 1024 * 1024) =>
        new(keys ?? new KeyTable(TestKey()), new FakeTimeProvider(now),
            Options.Create(new ApiOptions { MaxBodyBytes = maxBodyBytes }));

    private static async Task<DrsException> RejectionAsync(SigningVector vector, SignatureVerifier? verifier = null) =>
        await Assert.ThrowsAsync<DrsException>(() => (verifier ?? Verifier(vector.SignedAt)).VerifyAsync(vector.ToHttpContext()));

    private static string Reason(DrsException error) => error.Localize(Language.EnUs);

    public static TheoryData<string> VectorNames() => [.. SigningVector.Names];

    [Theory]
    [MemberData(nameof(VectorNames))]
    public async Task Vector_AtItsDate_Verifies(string name)
    {
        var vector = SigningVector.Load(name);

        var key = await Verifier(vector.SignedAt).VerifyAsync(vector.ToHttpContext());

        Assert.Equal(SigningVector.AccessKey, key.AccessKey);
        Assert.Equal("user-1", key.UserId);
    }

    [Theory]
    [MemberData(nameof(VectorNames))]
    public async Task Vector_BodyReadableAfterVerify(string name)
    {
        var vector = SigningVector.Load(name);
        var context = vector.ToHttpContext();

        await Verifier(vector.SignedAt).VerifyAsync(context);

        using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
        Assert.Equal(vector.BodyText, await reader.ReadToEndAsync());
    }

    /// <summary>Each vector with one signed part changed: (vector, part).</summary>
    public static TheoryData<string, string> TamperedParts()
    {
        var data = new TheoryData<string, string>();
        foreach (var name in SigningVector.Names)
        {
            foreach (var part in new[] { "method", "path", "query", "body", "secret key" })
            {
                data.Add(name, part);
            }

            foreach (var header in SigningVector.Load(name).SignedHeaders)
            {
                data.Add(name, "header " + header);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(TamperedParts))]
    public async Task Vector_SignedPartChanged_Rejected(string name, string part)
    {
        var vector = SigningVector.Load(name);
        var keys = new KeyTable(TestKey());
        switch (part)
        {
            case "method":
                vector = vector with { Method = vector.Method == "GET" ? "HEAD" : "PUT" };
                break;
            case "path":
                vector = vector with { RawTarget = vector.RawTarget.Replace("/jobs/", "/jobz/", StringComparison.Ordinal) };
                break;
            case "query":
                vector = vector with
                {
                    RawTarget = vector.RawTarget.Contains('?')
                        ? vector.RawTarget.Replace("limit=10", "limit=11", StringComparison.Ordinal)
                        : vector.RawTarget + "?limit=10",
                };
                break;
            case "body":
                vector = vector.WithBody(vector.Body.Length == 0 ? "{}"u8.ToArray() : [.. vector.Body[..^1], (byte)' ']);
                break;
            case "secret key":
                keys = new KeyTable(TestKey(SigningVector.SecretKey[..^1] + "2"));
                break;
            case "header x-sdk-date":
                // One second later stays inside the allowed clock skew, so only the signature fails.
                var later = vector.SignedAt.AddSeconds(1).UtcDateTime.ToString(SignatureVerifier.DateFormat, CultureInfo.InvariantCulture);
                vector = vector.WithHeader("X-Sdk-Date", later);
                break;
            default:
                var headerName = part["header ".Length..];
                vector = vector.WithHeader(headerName, vector.Header(headerName) + "x");
                break;
        }

        var error = await RejectionAsync(vector, Verifier(SigningVector.Load(name).SignedAt, keys));

        Assert.Equal(401, error.Status);
        Assert.Equal(ErrorCodes.AuthenticationFailed, error.Code);
        Assert.Contains("signature mismatch", Reason(error));
    }

    [Theory]
    [MemberData(nameof(VectorNames))]
    public async Task Vector_SignedHeaderRemoved_Rejected(string name)
    {
        var vector = SigningVector.Load(name).WithHeader("User-Agent", null);

        var error = await RejectionAsync(vector);

        Assert.Equal(401, error.Status);
        Assert.Contains("signature mismatch", Reason(error));
    }

    [Theory]
    [MemberData(nameof(VectorNames))]
    public async Task Vector_UnsignedHeaderChanged_Verifies(string name)
    {
        var vector = SigningVector.Load(name).WithHeader("SDK_EXCHANGE", "1").WithHeader("X-Request-Note", "unsigned");

        var key = await Verifier(vector.SignedAt).VerifyAsync(vector.ToHttpContext());

        Assert.Equal(SigningVector.AccessKey, key.AccessKey);
    }

    [Theory]
    [InlineData(-15 * 60)]
    [InlineData(15 * 60)]
    public async Task ClockSkew_FifteenMinutes_Verifies(int seconds)
    {
        var vector = SigningVector.Load("batch-set-smn-topic");

        var key = await Verifier(vector.SignedAt.AddSeconds(seconds)).VerifyAsync(vector.ToHttpContext());

        Assert.Equal(SigningVector.AccessKey, key.AccessKey);
    }

    [Theory]
    [InlineData(-15 * 60 - 1)]
    [InlineData(15 * 60 + 1)]
    public async Task ClockSkew_OverFifteenMinutes_Returns0303(int seconds)
    {
        var vector = SigningVector.Load("batch-set-smn-topic");

        var error = await RejectionAsync(vector, Verifier(vector.SignedAt.AddSeconds(seconds)));

        Assert.Equal(401, error.Status);
        Assert.Equal(ErrorCodes.SignatureExpired, error.Code);
        Assert.Contains(vector.Header("X-Sdk-Date"), Reason(error));
    }

    [Theory]
    [InlineData("host")]
    [InlineData("x-sdk-date")]
    public async Task SignedHeaders_WithoutRequiredName_Rejected(string omitted)
    {
        var vector = SigningVector.Load("batch-set-smn-topic");
        var authorization = vector.Header("Authorization")
            .Replace(omitted + ";", "", StringComparison.Ordinal)
            .Replace(";" + omitted, "", StringComparison.Ordinal);
        Assert.DoesNotContain(omitted, authorization);

        var error = await RejectionAsync(vector.WithHeader("Authorization", authorization));

        Assert.Equal(401, error.Status);
        Assert.Equal(ErrorCodes.AuthenticationFailed, error.Code);
        Assert.Contains("SignedHeaders must include host and x-sdk-date", Reason(error));
    }

    [Theory]
    [InlineData("SDK-HMAC-SM3")]
    [InlineData("SDK-ECDSA-P256-SHA256")]
    public async Task Algorithm_Other_RejectedByName(string algorithm)
    {
        var vector = SigningVector.Load("batch-set-smn-topic");
        var authorization = vector.Header("Authorization").Replace("SDK-HMAC-SHA256", algorithm, StringComparison.Ordinal);

        var error = await RejectionAsync(vector.WithHeader("Authorization", authorization));

        Assert.Equal(401, error.Status);
        Assert.Contains($"the signing algorithm {algorithm} is not supported", Reason(error));
    }

    [Theory]
    [InlineData("SDK-HMAC-SHA256")]
    [InlineData("SDK-HMAC-SHA256 Access=AKTESTEXAMPLE0000001")]
    [InlineData("SDK-HMAC-SHA256 Access=AKTESTEXAMPLE0000001, SignedHeaders=host;x-sdk-date")]
    [InlineData("SDK-HMAC-SHA256 Access=AKTESTEXAMPLE0000001, SignedHeaders=host;x-sdk-date, Signature=zz")]
    [InlineData("SDK-HMAC-SHA256 Access=AKTESTEXAMPLE0000001, Access=AKTESTEXAMPLE0000001, SignedHeaders=host;x-sdk-date, Signature=00")]
    [InlineData("SDK-HMAC-SHA256 Access=AKTESTEXAMPLE0000001, SignedHeaders=host;;x-sdk-date, Signature=5bd1dc4f92193733ebedc83d512409a882652afd22711efb26f097479aaea871")]
    public async Task Authorization_Malformed_Rejected(string authorization)
    {
        var vector = SigningVector.Load("batch-set-smn-topic").WithHeader("Authorization", authorization);

        var error = await RejectionAsync(vector);

        Assert.Equal(401, error.Status);
        Assert.Contains("the Authorization header is malformed", Reason(error));
    }

    [Fact]
    public async Task SecurityToken_Present_RejectedAsUnsupported()
    {
        var vector = SigningVector.Load("batch-set-smn-topic").WithHeader("X-Security-Token", "temporary-token");

        var error = await RejectionAsync(vector);

        Assert.Equal(401, error.Status);
        Assert.Contains("temporary access keys (X-Security-Token) are not issued", Reason(error));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("2026-12-04T19:25:10Z")]
    public async Task SdkDate_MissingOrMalformed_Rejected(string? date)
    {
        var vector = SigningVector.Load("batch-set-smn-topic");

        var error = await RejectionAsync(vector.WithHeader("X-Sdk-Date", date), Verifier(vector.SignedAt));

        Assert.Equal(401, error.Status);
        Assert.Equal(ErrorCodes.AuthenticationFailed, error.Code);
        Assert.Contains("X-Sdk-Date header is missing or not in the format", Reason(error));
    }

    [Fact]
    public async Task AccessKey_Unknown_Rejected()
    {
        var vector = SigningVector.Load("batch-set-smn-topic");

        var error = await RejectionAsync(vector, Verifier(vector.SignedAt, new KeyTable()));

        Assert.Equal(401, error.Status);
        Assert.Equal(ErrorCodes.AuthenticationFailed, error.Code);
        Assert.Contains("unknown access key AKTESTEXAMPLE0000001", Reason(error));
    }

    [Fact]
    public async Task AccessKey_Disabled_Rejected()
    {
        var vector = SigningVector.Load("batch-set-smn-topic");

        var error = await RejectionAsync(vector, Verifier(vector.SignedAt, new KeyTable(TestKey(enabled: false))));

        Assert.Equal(401, error.Status);
        Assert.Contains("the access key AKTESTEXAMPLE0000001 is disabled", Reason(error));
    }

    [Fact]
    public async Task AccessKey_DisabledAndWrongSecret_ReportsMismatch()
    {
        var vector = SigningVector.Load("batch-set-smn-topic");
        var keys = new KeyTable(TestKey(SigningVector.SecretKey + "x", enabled: false));

        var error = await RejectionAsync(vector, Verifier(vector.SignedAt, keys));

        Assert.Contains("signature mismatch", Reason(error));
        Assert.DoesNotContain("disabled", Reason(error));
    }

    [Fact]
    public async Task Body_OverLimitWithLength_Returns413()
    {
        var vector = SigningVector.Load("batch-set-smn-topic");

        var error = await RejectionAsync(vector, Verifier(vector.SignedAt, maxBodyBytes: vector.Body.Length - 1));

        Assert.Equal(413, error.Status);
        Assert.Equal(ErrorCodes.BadBody, error.Code);
    }

    [Fact]
    public async Task Body_OverLimitWithoutLength_Returns413()
    {
        var vector = SigningVector.Load("batch-set-smn-topic").WithHeader("Content-Length", null);

        var error = await RejectionAsync(vector, Verifier(vector.SignedAt, maxBodyBytes: vector.Body.Length - 1));

        Assert.Equal(413, error.Status);
    }

    [Fact]
    public async Task Body_AtLimit_Verifies()
    {
        var vector = SigningVector.Load("batch-set-smn-topic").WithHeader("Content-Length", null);

        var key = await Verifier(vector.SignedAt, maxBodyBytes: vector.Body.Length).VerifyAsync(vector.ToHttpContext());

        Assert.Equal(SigningVector.AccessKey, key.AccessKey);
    }

    [Fact]
    public async Task ContentSha256_MatchingBody_Verifies()
    {
        var vector = SigningVector.Load("batch-set-smn-topic");
        var hash = Convert.ToHexStringLower(SHA256.HashData(vector.Body));

        var key = await Verifier(vector.SignedAt).VerifyAsync(vector.WithHeader("X-Sdk-Content-Sha256", hash).ToHttpContext());

        Assert.Equal(SigningVector.AccessKey, key.AccessKey);
    }

    [Theory]
    [InlineData("UNSIGNED-PAYLOAD", "UNSIGNED-PAYLOAD is not accepted")]
    [InlineData("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", "does not match the X-Sdk-Content-Sha256 header")]
    public async Task ContentSha256_NotBodyHash_Rejected(string declared, string reason)
    {
        var vector = SigningVector.Load("batch-set-smn-topic").WithHeader("X-Sdk-Content-Sha256", declared);

        var error = await RejectionAsync(vector);

        Assert.Equal(401, error.Status);
        Assert.Contains(reason, Reason(error));
    }

    [Fact]
    public async Task Rejection_ZhCn_IsLocalized()
    {
        var vector = SigningVector.Load("batch-set-smn-topic");

        var error = await RejectionAsync(vector, Verifier(vector.SignedAt, new KeyTable()));

        Assert.Equal("IAM 认证信息错误：访问密钥 AKTESTEXAMPLE0000001 不存在", error.Localize(Language.ZhCn));
    }
}
