using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using DrsNotify.Server.Api;
using DrsNotify.Server.Identity.AccessKeys;
using DrsNotify.Server.Localization;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;

namespace DrsNotify.Server.Identity.Signing;

/// <summary>
/// Verifies <c>SDK-HMAC-SHA256</c> request signatures, the AK/SK authentication of the
/// official Huawei Cloud SDKs.
/// </summary>
/// <remarks>
/// Every rejection is a <see cref="DrsException"/>: <c>401 APIGW.0303</c> for an
/// <c>X-Sdk-Date</c> more than 15 minutes from the server time, <c>413</c> for a body above
/// <see cref="ApiOptions.MaxBodyBytes"/>, and <c>401 APIGW.0301</c> with the reason otherwise.
/// An unknown access key costs the same HMAC as a known one, so timing does not reveal which
/// access keys exist.
/// </remarks>
public sealed class SignatureVerifier(IAccessKeyLookup accessKeys, TimeProvider time, IOptions<ApiOptions> options)
{
    public const string Algorithm = "SDK-HMAC-SHA256";
    public const string DateFormat = "yyyyMMdd'T'HHmmss'Z'";

    /// <summary>Maximum difference between <c>X-Sdk-Date</c> and the server time, either way.</summary>
    public static readonly TimeSpan MaxClockSkew = TimeSpan.FromMinutes(15);

    private const string UnsignedPayload = "UNSIGNED-PAYLOAD";

    // The HMAC key used when the access key does not exist; the result is never accepted.
    private static readonly byte[] DummySecretKey = Encoding.UTF8.GetBytes(AccessKeyStore.GenerateSecretKey());

    /// <summary>
    /// Verifies the signature of the request and returns its enabled access key. Reads and hashes
    /// the body, then rewinds it so that the endpoint can read it again.
    /// </summary>
    public async Task<AccessKeyCredential> VerifyAsync(HttpContext context)
    {
        var request = context.Request;
        var header = SignatureHeader.TryParse(request.Headers.Authorization.ToString())
            ?? throw Reject(Messages.AuthorizationMalformed);
        if (!string.Equals(header.Algorithm, Algorithm, StringComparison.Ordinal))
        {
            throw Reject(Messages.SigningAlgorithmUnsupported, header.Algorithm);
        }

        if (header.Signature.Length != 64 || !header.Signature.All(char.IsAsciiHexDigit))
        {
            throw Reject(Messages.AuthorizationMalformed);
        }

        if (!header.SignedHeaders.Contains("host", StringComparer.OrdinalIgnoreCase)
            || !header.SignedHeaders.Contains("x-sdk-date", StringComparer.OrdinalIgnoreCase))
        {
            throw Reject(Messages.SignedHeadersIncomplete, header.SignedHeadersText);
        }

        // Temporary AK/SK (from IAM's security token API) carry this header.
        if (request.Headers.ContainsKey("X-Security-Token"))
        {
            throw Reject(Messages.SecurityTokenUnsupported);
        }

        var date = request.Headers["X-Sdk-Date"];
        CheckDate(date);

        var bodyHash = await HashBodyAsync(context, options.Value.MaxBodyBytes);
        var declaredHash = request.Headers["X-Sdk-Content-Sha256"].ToString();
        if (declaredHash.Length > 0)
        {
            // The header replaces the body hash in the canonical request, so it must match the
            // body, or the body would not be covered by the signature.
            if (string.Equals(declaredHash, UnsignedPayload, StringComparison.OrdinalIgnoreCase))
            {
                throw Reject(Messages.UnsignedPayloadRejected);
            }

            if (!string.Equals(declaredHash, bodyHash, StringComparison.OrdinalIgnoreCase))
            {
                throw Reject(Messages.ContentHashMismatch);
            }

            bodyHash = declaredHash;
        }

        var canonical = CanonicalRequest.Build(
            request.Method, RawTarget(context), header.SignedHeaders, header.SignedHeadersText,
            name => request.Headers[name], bodyHash);
        var stringToSign = Algorithm + "\n" + date.ToString() + "\n"
            + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)));

        var credential = accessKeys.Find(header.AccessKey);
        var expected = HMACSHA256.HashData(credential?.SecretKey ?? DummySecretKey, Encoding.UTF8.GetBytes(stringToSign));
        var matches = CryptographicOperations.FixedTimeEquals(expected, Convert.FromHexString(header.Signature));

        if (credential is null)
        {
            throw Reject(Messages.AccessKeyUnknown, header.AccessKey);
        }

        if (!matches)
        {
            throw Reject(Messages.SignatureMismatch);
        }

        // Only a caller who has the SK learns that the key is disabled.
        if (!credential.Enabled)
        {
            throw Reject(Messages.AccessKeyDisabled, header.AccessKey);
        }

        return credential;
    }

    private void CheckDate(Microsoft.Extensions.Primitives.StringValues date)
    {
        if (date.Count != 1
            || !DateTimeOffset.TryParseExact(
                date[0], DateFormat, CultureInfo.InvariantCulture,
                DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var signedAt))
        {
            throw Reject(Messages.SdkDateInvalid, date.ToString());
        }

        var now = time.GetUtcNow();
        if ((now - signedAt).Duration() > MaxClockSkew)
        {
            throw new DrsException(
                StatusCodes.Status401Unauthorized, ErrorCodes.SignatureExpired, Messages.AuthenticationFailed,
                new LocalizedArgument(Messages.SdkDateSkewed, [date[0], now.UtcDateTime.ToString(DateFormat, CultureInfo.InvariantCulture)]));
        }
    }

    /// <summary>
    /// Returns the lower-case hex SHA-256 of the body. Reads at most one byte more than
    /// <paramref name="maxBytes"/>, so that an oversized body is rejected with 413 without being
    /// buffered whole.
    /// </summary>
    private static async Task<string> HashBodyAsync(HttpContext context, long maxBytes)
    {
        var request = context.Request;
        if (request.ContentLength > maxBytes)
        {
            throw BodyTooLarge(maxBytes);
        }

        request.EnableBuffering();
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = ArrayPool<byte>.Shared.Rent(16 * 1024);
        try
        {
            long total = 0;
            while (true)
            {
                var chunk = (int)Math.Min(buffer.Length, maxBytes + 1 - total);
                var read = await request.Body.ReadAsync(buffer.AsMemory(0, chunk), context.RequestAborted);
                if (read == 0)
                {
                    break;
                }

                total += read;
                if (total > maxBytes)
                {
                    throw BodyTooLarge(maxBytes);
                }

                hash.AppendData(buffer, 0, read);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        request.Body.Position = 0;
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    /// <summary>
    /// Returns the path and query as they appeared in the request line. Kestrel keeps them in
    /// <see cref="IHttpRequestFeature.RawTarget"/>; an absolute-form target loses its scheme and authority.
    /// </summary>
    private static string RawTarget(HttpContext context)
    {
        var raw = context.Features.Get<IHttpRequestFeature>()?.RawTarget;
        if (string.IsNullOrEmpty(raw))
        {
            // Servers without a raw target (for example in-memory test hosts) give the escaped path.
            return context.Request.PathBase.Add(context.Request.Path).ToUriComponent() + context.Request.QueryString.ToUriComponent();
        }

        if (raw[0] == '/')
        {
            return raw;
        }

        var scheme = raw.IndexOf("://", StringComparison.Ordinal);
        if (scheme < 0)
        {
            return raw;
        }

        var afterAuthority = raw.AsSpan(scheme + 3).IndexOfAny('/', '?');
        if (afterAuthority < 0)
        {
            return "/";
        }

        var target = raw[(scheme + 3 + afterAuthority)..];
        return target[0] == '?' ? "/" + target : target;
    }

    private static DrsException Reject(Message reason, params object?[] arguments) =>
        new(StatusCodes.Status401Unauthorized, ErrorCodes.AuthenticationFailed, Messages.AuthenticationFailed,
            new LocalizedArgument(reason, arguments));

    private static DrsException BodyTooLarge(long maxBytes) =>
        new(StatusCodes.Status413PayloadTooLarge, ErrorCodes.BadBody, Messages.BodyTooLarge, maxBytes);
}
