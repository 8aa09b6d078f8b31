namespace DrsNotify.Server.Identity.Signing;

/// <summary>
/// The parsed <c>Authorization</c> header of a signed request:
/// <c>SDK-HMAC-SHA256 Access=&lt;AK&gt;, SignedHeaders=&lt;names&gt;, Signature=&lt;hex&gt;</c>.
/// </summary>
public sealed record SignatureHeader(string Algorithm, string AccessKey, IReadOnlyList<string> SignedHeaders, string SignedHeadersText, string Signature)
{
    /// <summary>Prefix shared by every Huawei Cloud SDK signing algorithm name.</summary>
    public const string AlgorithmPrefix = "SDK-";

    /// <summary>Returns true when <paramref name="authorization"/> names an SDK signing algorithm.</summary>
    public static bool IsSdkSignature(string? authorization) =>
        authorization is not null && authorization.TrimStart().StartsWith(AlgorithmPrefix, StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// Parses the header. Returns null when it does not have the three parameters, each exactly
    /// once and not empty. The algorithm is returned as sent, for the caller to check.
    /// </summary>
    public static SignatureHeader? TryParse(string authorization)
    {
        var text = authorization.Trim();
        var space = text.IndexOf(' ');
        if (space <= 0)
        {
            return null;
        }

        var algorithm = text[..space];
        string? accessKey = null, signedHeaders = null, signature = null;
        foreach (var part in text[(space + 1)..].Split(','))
        {
            var equals = part.IndexOf('=');
            if (equals <= 0)
            {
                return null;
            }

            var name = part[..equals].Trim();
            var value = part[(equals + 1)..].Trim();
            if (value.Length == 0)
            {
                return null;
            }

            switch (name)
            {
                case "Access" when accessKey is null:
                    accessKey = value;
                    break;
                case "SignedHeaders" when signedHeaders is null:
                    signedHeaders = value;
                    break;
                case "Signature" when signature is null:
                    signature = value;
                    break;
                default:
                    return null;
            }
        }

        if (accessKey is null || signedHeaders is null || signature is null)
        {
            return null;
        }

        var names = signedHeaders.Split(';');
        if (names.Any(headerName => headerName.Length == 0))
        {
            return null;
        }

        return new SignatureHeader(algorithm, accessKey, names, signedHeaders, signature);
    }
}
