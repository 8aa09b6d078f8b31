using System.Text;
using Microsoft.Extensions.Primitives;

namespace DrsNotify.Server.Identity.Signing;

/// <summary>
/// Builds the canonical request of <c>SDK-HMAC-SHA256</c>, the text that the Huawei Cloud SDKs
/// hash and sign. It is built from the request target as received, because the decoded path
/// of ASP.NET Core has lost the difference between, for example, <c>%2F</c> and <c>/</c>.
/// </summary>
public static class CanonicalRequest
{
    /// <summary>
    /// Joins the six parts with <c>\n</c>: method, canonical URI, canonical query, one
    /// <c>name:value\n</c> line per signed header, the <c>SignedHeaders</c> value and the body hash.
    /// </summary>
    /// <param name="rawTarget">The request target from the request line, path and query, still percent-encoded.</param>
    /// <param name="headerValues">Returns the received values of a header, by case-insensitive name.</param>
    public static string Build(
        string method, string rawTarget, IReadOnlyList<string> signedHeaders, string signedHeadersText,
        Func<string, StringValues> headerValues, string bodyHash)
    {
        var question = rawTarget.IndexOf('?');
        var rawPath = question < 0 ? rawTarget : rawTarget[..question];
        var rawQuery = question < 0 ? "" : rawTarget[(question + 1)..];

        var canonical = new StringBuilder(256);
        canonical.Append(method.ToUpperInvariant()).Append('\n');
        canonical.Append(CanonicalUri(rawPath)).Append('\n');
        canonical.Append(CanonicalQuery(rawQuery)).Append('\n');
        AppendCanonicalHeaders(canonical, signedHeaders, headerValues);
        canonical.Append('\n');
        canonical.Append(signedHeadersText).Append('\n');
        canonical.Append(bodyHash);
        return canonical.ToString();
    }

    /// <summary>
    /// Percent-decodes the whole raw path, splits it on <c>/</c>, re-encodes each segment and
    /// makes it end with <c>/</c>. An encoded slash (<c>%2F</c>) therefore separates segments too:
    /// the official .NET SDK 3.1.207 signs it so, as the sig-edge-cases test vector shows.
    /// </summary>
    public static string CanonicalUri(string rawPath)
    {
        var decoded = PercentDecode(rawPath, plusIsSpace: false);
        var canonical = new StringBuilder(decoded.Length + 16);
        var segmentStart = 0;
        for (var i = 0; i <= decoded.Length; i++)
        {
            if (i == decoded.Length || decoded[i] == (byte)'/')
            {
                AppendEncoded(canonical, decoded.AsSpan(segmentStart, i - segmentStart));
                if (i < decoded.Length)
                {
                    canonical.Append('/');
                }

                segmentStart = i + 1;
            }
        }

        if (canonical.Length == 0 || canonical[^1] != '/')
        {
            canonical.Append('/');
        }

        return canonical.ToString();
    }

    /// <summary>
    /// Splits the raw query on <c>&amp;</c> and each piece at its first <c>=</c>, form-decodes
    /// both sides (<c>+</c> is a space), sorts by key and then value, and re-encodes them.
    /// </summary>
    /// <remarks>
    /// Empty pieces (<c>a=1&amp;&amp;b=2</c>) are skipped. Keys and values are compared as UTF-8
    /// bytes, which is the order of code points.
    /// </remarks>
    public static string CanonicalQuery(string rawQuery)
    {
        if (rawQuery.Length == 0)
        {
            return "";
        }

        var pairs = new List<(byte[] Key, byte[] Value)>();
        foreach (var piece in rawQuery.Split('&'))
        {
            if (piece.Length == 0)
            {
                continue;
            }

            var equals = piece.IndexOf('=');
            var key = equals < 0 ? piece : piece[..equals];
            var value = equals < 0 ? "" : piece[(equals + 1)..];
            pairs.Add((PercentDecode(key, plusIsSpace: true), PercentDecode(value, plusIsSpace: true)));
        }

        pairs.Sort((left, right) =>
        {
            var byKey = left.Key.AsSpan().SequenceCompareTo(right.Key);
            return byKey != 0 ? byKey : left.Value.AsSpan().SequenceCompareTo(right.Value);
        });

        var canonical = new StringBuilder(rawQuery.Length + 16);
        foreach (var (key, value) in pairs)
        {
            if (canonical.Length > 0)
            {
                canonical.Append('&');
            }

            AppendEncoded(canonical, key);
            canonical.Append('=');
            AppendEncoded(canonical, value);
        }

        return canonical.ToString();
    }

    /// <summary>
    /// Appends one <c>name:value\n</c> line per signed header and received value, the value
    /// trimmed. Several values of one header are sorted (ordinal). A signed header that was not
    /// received gives no line, so the signature cannot match.
    /// </summary>
    private static void AppendCanonicalHeaders(StringBuilder canonical, IReadOnlyList<string> signedHeaders, Func<string, StringValues> headerValues)
    {
        foreach (var name in signedHeaders)
        {
            var values = headerValues(name).Select(value => (value ?? "").Trim()).ToArray();
            Array.Sort(values, StringComparer.Ordinal);
            foreach (var value in values)
            {
                canonical.Append(name).Append(':').Append(value).Append('\n');
            }
        }
    }

    /// <summary>
    /// Percent-encodes every byte except the unreserved characters <c>A-Z a-z 0-9 - _ . ~</c>,
    /// with upper-case hex digits.
    /// </summary>
    public static void AppendEncoded(StringBuilder output, ReadOnlySpan<byte> bytes)
    {
        foreach (var b in bytes)
        {
            if (IsUnreserved(b))
            {
                output.Append((char)b);
            }
            else
            {
                output.Append('%').Append(HexDigits[b >> 4]).Append(HexDigits[b & 0xF]);
            }
        }
    }

    /// <summary>
    /// Decodes <c>%XX</c> escapes into bytes; other characters become their UTF-8 bytes. A
    /// <c>%</c> that is not followed by two hex digits stays a literal <c>%</c>.
    /// </summary>
    public static byte[] PercentDecode(string text, bool plusIsSpace)
    {
        var output = new List<byte>(text.Length);
        Span<byte> utf8 = stackalloc byte[4];
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '%' && i + 2 < text.Length && IsHex(text[i + 1]) && IsHex(text[i + 2]))
            {
                output.Add((byte)((HexValue(text[i + 1]) << 4) | HexValue(text[i + 2])));
                i += 2;
            }
            else if (c == '+' && plusIsSpace)
            {
                output.Add((byte)' ');
            }
            else if (c < 0x80)
            {
                output.Add((byte)c);
            }
            else
            {
                var charCount = i + 1 < text.Length && char.IsSurrogatePair(c, text[i + 1]) ? 2 : 1;
                var length = Encoding.UTF8.GetBytes(text.AsSpan(i, charCount), utf8);
                i += charCount - 1;
                for (var j = 0; j < length; j++)
                {
                    output.Add(utf8[j]);
                }
            }
        }

        return [.. output];
    }

    private const string HexDigits = "0123456789ABCDEF";

    private static bool IsUnreserved(byte b) =>
        b is >= (byte)'A' and <= (byte)'Z' or >= (byte)'a' and <= (byte)'z' or >= (byte)'0' and <= (byte)'9'
            or (byte)'-' or (byte)'_' or (byte)'.' or (byte)'~';

    private static bool IsHex(char c) => char.IsAsciiHexDigit(c);

    private static int HexValue(char c) => c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
}
