using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace DrsNotify.Tests.Identity.Signing;

/// <summary>
/// One request captured from the official Huawei Cloud .NET SDK (TestVectors/SdkSigning), which
/// tests can change and turn into an <see cref="HttpContext"/> as Kestrel would present it.
/// </summary>
public sealed record SigningVector(string Name, string Method, string RawTarget, IReadOnlyList<KeyValuePair<string, string>> Headers, byte[] Body)
{
    public const string AccessKey = "AKTESTEXAMPLE0000001";
    public const string SecretKey = "SKtestExampleSecretKey0000000000000000001";

    public static readonly string[] Names = ["batch-set-smn-topic", "batch-set-smn-subscriptions", "sig-edge-cases"];

    public static SigningVector Load(string name)
    {
        var path = Path.Combine(AppContext.BaseDirectory, "TestVectors", "SdkSigning", name + ".json");
        var json = JsonNode.Parse(File.ReadAllText(path))!;
        var headers = json["headers"]!.AsArray()
            .Select(pair => new KeyValuePair<string, string>((string)pair![0]!, (string)pair[1]!))
            .ToList();
        return new SigningVector(
            name, (string)json["method"]!, (string)json["raw_path"]!, headers, Convert.FromBase64String((string)json["body_b64"]!));
    }

    public string Header(string name) =>
        Headers.First(header => string.Equals(header.Key, name, StringComparison.OrdinalIgnoreCase)).Value;

    /// <summary>The time in <c>X-Sdk-Date</c>, when the SDK signed the request.</summary>
    public DateTimeOffset SignedAt => DateTimeOffset.ParseExact(
        Header("X-Sdk-Date"), "yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);

    /// <summary>The header names listed in <c>SignedHeaders</c> of the Authorization header.</summary>
    public IReadOnlyList<string> SignedHeaders
    {
        get
        {
            var authorization = Header("Authorization");
            var start = authorization.IndexOf("SignedHeaders=", StringComparison.Ordinal) + "SignedHeaders=".Length;
            return authorization[start..authorization.IndexOf(',', start)].Split(';');
        }
    }

    /// <summary>Returns a copy with header <paramref name="name"/> set to <paramref name="value"/>, or removed when null.</summary>
    public SigningVector WithHeader(string name, string? value)
    {
        var headers = new List<KeyValuePair<string, string>>();
        var replaced = false;
        foreach (var header in Headers)
        {
            if (!string.Equals(header.Key, name, StringComparison.OrdinalIgnoreCase))
            {
                headers.Add(header);
            }
            else if (value is not null && !replaced)
            {
                headers.Add(new(header.Key, value));
                replaced = true;
            }
        }

        if (value is not null && !replaced)
        {
            headers.Add(new(name, value));
        }

        return this with { Headers = headers };
    }

    /// <summary>Returns a copy with another body and a matching <c>Content-Length</c>.</summary>
    public SigningVector WithBody(byte[] body) =>
        (this with { Body = body }).WithHeader("Content-Length", body.Length.ToString(CultureInfo.InvariantCulture));

    public HttpContext ToHttpContext()
    {
        var context = new DefaultHttpContext();
        var request = context.Features.Get<IHttpRequestFeature>()!;
        request.Method = Method;
        request.RawTarget = RawTarget;
        var question = RawTarget.IndexOf('?');
        request.Path = Uri.UnescapeDataString(question < 0 ? RawTarget : RawTarget[..question]);
        request.QueryString = question < 0 ? "" : RawTarget[question..];
        foreach (var header in Headers)
        {
            context.Request.Headers.Append(header.Key, header.Value);
        }

        context.Request.Body = new MemoryStream(Body, writable: false);
        return context;
    }

    public override string ToString() => Name;

    public string BodyText => Encoding.UTF8.GetString(Body);
}
