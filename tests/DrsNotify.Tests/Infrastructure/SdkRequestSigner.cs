using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;

namespace DrsNotify.Tests.Infrastructure;

/// <summary>
/// A client-side <c>SDK-HMAC-SHA256</c> signer written from the protocol description, separately
/// from the server's verifier, so that the integration tests do not check the server against itself.
/// Like the official SDKs, it sends <c>Host</c> without the port and signs host, user-agent,
/// x-project-id (when set) and x-sdk-date.
/// </summary>
public sealed class SdkRequestSigner(string accessKey, string secretKey)
{
    public const string UserAgent = "huaweicloud-usdk-net/3.0 drsnotify-tests";

    /// <summary>
    /// Adds <c>Host</c>, <c>User-Agent</c>, <c>X-Sdk-Date</c>, the unsigned <c>SDK_EXCHANGE</c>
    /// and <c>Authorization</c> to <paramref name="request"/>, whose content must be <paramref name="body"/>.
    /// </summary>
    public void Sign(HttpRequestMessage request, byte[] body, DateTimeOffset signedAt)
    {
        var uri = request.RequestUri!;
        request.Headers.Host = uri.Host;
        request.Headers.UserAgent.ParseAdd(UserAgent);
        var date = signedAt.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        request.Headers.Add("X-Sdk-Date", date);
        request.Headers.TryAddWithoutValidation("SDK_EXCHANGE", "4242");

        var signed = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            ["host"] = uri.Host,
            ["user-agent"] = string.Join(" ", request.Headers.GetValues("User-Agent")),
            ["x-sdk-date"] = date,
        };
        if (request.Headers.TryGetValues("X-Project-Id", out var projectIds))
        {
            signed["x-project-id"] = projectIds.Single();
        }

        var signedHeaders = string.Join(";", signed.Keys);
        var canonicalHeaders = string.Concat(signed.Select(header => header.Key + ":" + header.Value.Trim() + "\n"));

        var pathAndQuery = uri.PathAndQuery;
        var question = pathAndQuery.IndexOf('?');
        var path = question < 0 ? pathAndQuery : pathAndQuery[..question];
        var query = question < 0 ? "" : pathAndQuery[(question + 1)..];

        var canonicalRequest = string.Join("\n",
            request.Method.Method.ToUpperInvariant(),
            CanonicalPath(path),
            CanonicalQuery(query),
            canonicalHeaders,
            signedHeaders,
            Convert.ToHexStringLower(SHA256.HashData(body)));
        var stringToSign = "SDK-HMAC-SHA256\n" + date + "\n"
            + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonicalRequest)));
        var signature = Convert.ToHexStringLower(
            HMACSHA256.HashData(Encoding.UTF8.GetBytes(secretKey), Encoding.UTF8.GetBytes(stringToSign)));

        request.Headers.TryAddWithoutValidation(
            "Authorization", $"SDK-HMAC-SHA256 Access={accessKey}, SignedHeaders={signedHeaders}, Signature={signature}");
    }

    // Uri.EscapeDataString keeps exactly A-Z a-z 0-9 - _ . ~ and writes upper-case hex.
    private static string CanonicalPath(string rawPath)
    {
        var segments = Uri.UnescapeDataString(rawPath).Split('/').Select(Uri.EscapeDataString);
        var canonical = string.Join("/", segments);
        return canonical.EndsWith('/') ? canonical : canonical + "/";
    }

    private static string CanonicalQuery(string rawQuery)
    {
        var pairs = rawQuery.Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(piece =>
            {
                var parts = piece.Split('=', 2);
                return (Key: WebUtility.UrlDecode(parts[0]), Value: parts.Length == 2 ? WebUtility.UrlDecode(parts[1]) : "");
            })
            .OrderBy(pair => pair.Key, StringComparer.Ordinal)
            .ThenBy(pair => pair.Value, StringComparer.Ordinal);
        return string.Join("&", pairs.Select(pair => Uri.EscapeDataString(pair.Key) + "=" + Uri.EscapeDataString(pair.Value)));
    }
}
