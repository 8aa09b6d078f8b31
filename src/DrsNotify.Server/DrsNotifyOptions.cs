using System.ComponentModel.DataAnnotations;

namespace DrsNotify.Server;

/// <summary>The <c>DrsNotify</c> configuration section.</summary>
public sealed class DrsNotifyOptions : IValidatableObject
{
    public const string Section = "DrsNotify";

    /// <summary>
    /// Absolute http or https URL under which users reach this server; the confirmation links
    /// of topic subscriptions start with it. Default <c>http://127.0.0.1:8080</c>.
    /// </summary>
    public string PublicBaseUrl { get; set; } = "http://127.0.0.1:8080";

    /// <summary>Folder of the SQLite database, the server key and the initial credentials; relative to the working directory. Default <c>data</c>.</summary>
    [Required]
    public string DataDirectory { get; set; } = "data";

    // The subsections (Api, Bootstrap, Tokens, Auth, ...) are options classes of their own,
    // bound and validated separately: inject IOptions<ApiOptions> and so on.

    public string ResolveDataDirectory() => System.IO.Path.GetFullPath(DataDirectory);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!Uri.TryCreate(PublicBaseUrl, UriKind.Absolute, out var url)
            || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps)
            || !string.IsNullOrEmpty(url.Query) || !string.IsNullOrEmpty(url.Fragment))
        {
            yield return new ValidationResult(
                $"PublicBaseUrl must be an absolute http or https URL without query or fragment, such as https://drs.example.com; it is '{PublicBaseUrl}'.",
                [nameof(PublicBaseUrl)]);
        }
    }
}

public sealed class ApiOptions
{
    /// <summary>Largest accepted request body, in bytes. Default 1 MiB.</summary>
    [Range(1024, 64 * 1024 * 1024)]
    public long MaxBodyBytes { get; set; } = 1024 * 1024;

    /// <summary>Most jobs (or reports) in one batch request. Default 100.</summary>
    [Range(1, 10_000)]
    public int MaxJobsPerRequest { get; set; } = 100;
}

/// <summary>Values used by the first start on an empty store; random ones where left empty.</summary>
public sealed class BootstrapOptions
{
    /// <summary>Name of the account (IAM domain). Default <c>drsnotify</c>.</summary>
    [RegularExpression("^[A-Za-z0-9_-]{1,64}$")]
    public string AccountName { get; set; } = "drsnotify";

    /// <summary>Project id: 32 lowercase hex characters, random when empty.</summary>
    [RegularExpression("^[0-9a-f]{32}$")]
    public string? ProjectId { get; set; }

    /// <summary>Project name; defaults to the region, as DRS names projects.</summary>
    [RegularExpression("^[A-Za-z0-9_-]{1,64}$")]
    public string? ProjectName { get; set; }

    /// <summary>Region of the project. Default <c>local-1</c>.</summary>
    [RegularExpression("^[a-z0-9][a-z0-9-]{0,63}$")]
    public string Region { get; set; } = "local-1";

    /// <summary>Name of the administrator. Default <c>admin</c>.</summary>
    [RegularExpression("^[A-Za-z0-9_.-]{1,64}$")]
    public string UserName { get; set; } = "admin";

    /// <summary>Password of the administrator, random when empty; at least 8 characters.</summary>
    [MinLength(8)]
    public string? Password { get; set; }

    /// <summary>
    /// Access key (AK) of the administrator: 20 characters A-Z and 0-9, random when empty.
    /// </summary>
    [RegularExpression("^[A-Z0-9]{20}$")]
    public string? AccessKey { get; set; }

    /// <summary>
    /// Secret key (SK) of the administrator's access key: 20 to 128 printable ASCII characters
    /// without spaces, so that keys of other tools (the official SDK's test SK has 41) can be
    /// replayed. Random when empty, and generated keys have 40 characters A-Z, a-z and 0-9.
    /// </summary>
    [RegularExpression("^[\\x21-\\x7E]{20,128}$")]
    public string? SecretKey { get; set; }
}

public sealed class TokenOptions
{
    /// <summary>How long an issued token is valid. Default 24 hours.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "30.00:00:00")]
    public TimeSpan Lifetime { get; set; } = TimeSpan.FromHours(24);

    /// <summary>How often each server instance reloads the revoked tokens and the per-user cutoffs. Default 2 seconds.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:05:00")]
    public TimeSpan RevocationRefreshInterval { get; set; } = TimeSpan.FromSeconds(2);
}

/// <summary>Throttling of failed authentications per client address.</summary>
public sealed class AuthOptions
{
    /// <summary>
    /// Failed authentications (token, password or signature) from one client address within
    /// <see cref="FailureWindow"/> after which that address gets 429 until the oldest of them
    /// leaves the window. Default 10.
    /// </summary>
    [Range(1, 10_000)]
    public int MaxFailures { get; set; } = 10;

    /// <summary>Length of the sliding window in which failures are counted. Default 1 minute.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan FailureWindow { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// Maximum number of client addresses tracked at once. When it is reached, addresses without
    /// a failure inside the window are dropped first. Default 100000.
    /// </summary>
    [Range(100, 10_000_000)]
    public int MaxTrackedAddresses { get; set; } = 100_000;
}
