using System.ComponentModel.DataAnnotations;
using MimeKit;

namespace DrsNotify.Server.Delivery;

/// <summary>The <c>DrsNotify:Delivery</c> section: how the dispatcher leases, sends and retries outbox rows.</summary>
public sealed class DeliveryOptions : IValidatableObject
{
    public const string Section = "DrsNotify:Delivery";

    /// <summary>The retry delays used when <see cref="RetryDelays"/> is not configured: 10 s, 30 s, 1 min, 5 min, 15 min, 1 h.</summary>
    public static readonly IReadOnlyList<TimeSpan> DefaultRetryDelays =
    [
        TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(1),
        TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(15), TimeSpan.FromHours(1),
    ];

    /// <summary>
    /// Capture mode: when true, no message leaves the machine. The dispatcher stores each one in
    /// the <c>captured_messages</c> table and marks it delivered. Default false.
    /// </summary>
    public bool Capture { get; set; }

    /// <summary>Maximum number of sends in flight at once, over all channels. Default 16.</summary>
    [Range(1, 1024)]
    public int MaxConcurrentSends { get; set; } = 16;

    /// <summary>
    /// How long a leased row belongs to this instance; another instance may send it after that.
    /// Must be longer than <see cref="SendTimeout"/>. Default 2 minutes.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "1.00:00:00")]
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>How often the dispatcher looks for due rows when it is idle. Default 1 second.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:10:00")]
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// The delay before each retry: the first failure waits the first delay, and so on. A row that
    /// fails once more after the last delay is dead-lettered. Each delay varies by ±20% jitter.
    /// Unset means <see cref="DefaultRetryDelays"/>. The default is kept apart because
    /// configuration binding appends to a list that already has items.
    /// </summary>
    public TimeSpan[]? RetryDelays { get; set; }

    /// <summary>Longest time one send may take before it counts as a transient failure. Default 30 seconds.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:10:00")]
    public TimeSpan SendTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long a graceful shutdown waits for sends in flight; the rest are cancelled and sent
    /// again after their lease expires. Default 10 seconds.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:10:00")]
    public TimeSpan ShutdownTimeout { get; set; } = TimeSpan.FromSeconds(10);

    public IReadOnlyList<TimeSpan> EffectiveRetryDelays => RetryDelays ?? DefaultRetryDelays;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (LeaseDuration <= SendTimeout)
        {
            yield return new ValidationResult(
                $"LeaseDuration ({LeaseDuration}) must be longer than SendTimeout ({SendTimeout}), or a row could be sent twice at once.",
                [nameof(LeaseDuration)]);
        }

        if (RetryDelays is not null && RetryDelays.Any(delay => delay < TimeSpan.Zero || delay > TimeSpan.FromDays(1)))
        {
            yield return new ValidationResult("Every RetryDelays entry must be from 00:00:00 to 1.00:00:00.", [nameof(RetryDelays)]);
        }
    }
}

/// <summary>How the e-mail channel connects to its SMTP server.</summary>
public enum SmtpSecurity
{
    /// <summary>Plain text, for a relay on the same host or network only.</summary>
    None,

    /// <summary>Plain connection upgraded with <c>STARTTLS</c>; fails if the server does not offer it.</summary>
    StartTls,

    /// <summary>TLS from the first byte (implicit TLS, usually port 465).</summary>
    SslOnConnect,
}

/// <summary>The <c>DrsNotify:Smtp</c> section. E-mail is sent only when <see cref="Host"/> is set.</summary>
public sealed class SmtpOptions : IValidatableObject
{
    public const string Section = "DrsNotify:Smtp";

    /// <summary>SMTP server host name or address; unset means e-mail is not configured.</summary>
    public string? Host { get; set; }

    /// <summary>SMTP port; unset means 25 for <c>None</c>, 587 for <c>StartTls</c> and 465 for <c>SslOnConnect</c>.</summary>
    [Range(1, 65535)]
    public int? Port { get; set; }

    /// <summary>Transport security. Default <c>StartTls</c>.</summary>
    public SmtpSecurity Security { get; set; } = SmtpSecurity.StartTls;

    /// <summary>User name for SMTP AUTH; unset means no authentication.</summary>
    public string? UserName { get; set; }

    /// <summary>Password for SMTP AUTH. Never logged.</summary>
    public string? Password { get; set; }

    /// <summary>Sender address, such as <c>DrsNotify &lt;drs@example.com&gt;</c>; required with <see cref="Host"/>.</summary>
    public string? From { get; set; }

    public bool IsConfigured => !string.IsNullOrWhiteSpace(Host);

    public int EffectivePort => Port ?? Security switch
    {
        SmtpSecurity.None => 25,
        SmtpSecurity.SslOnConnect => 465,
        _ => 587,
    };

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!IsConfigured)
        {
            yield break;
        }

        if (string.IsNullOrWhiteSpace(From) || !MailboxAddress.TryParse(From, out _))
        {
            yield return new ValidationResult(
                $"From must be a mail address such as drs@example.com when Host is set; it is '{From}'.", [nameof(From)]);
        }

        if (!string.IsNullOrEmpty(UserName) && string.IsNullOrEmpty(Password))
        {
            yield return new ValidationResult("Password is missing: UserName is set, so SMTP AUTH needs a password.", [nameof(Password)]);
        }
    }
}

/// <summary>The <c>DrsNotify:Sms</c> section: the HTTP gateway that SMS messages are posted to.</summary>
public sealed class SmsOptions : IValidatableObject
{
    public const string Section = "DrsNotify:Sms";

    /// <summary>Absolute http or https URL of the gateway; unset means SMS is not configured.</summary>
    public string? GatewayUrl { get; set; }

    /// <summary>Key of the HMAC-SHA256 body signature, at least 16 characters; required with <see cref="GatewayUrl"/>. Never logged.</summary>
    public string? Secret { get; set; }

    /// <summary>Longest time one gateway call may take; the shorter of this and the send timeout applies. Default 10 seconds.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:10:00")]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    public bool IsConfigured => !string.IsNullOrWhiteSpace(GatewayUrl);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!IsConfigured)
        {
            yield break;
        }

        if (!Uri.TryCreate(GatewayUrl, UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
        {
            yield return new ValidationResult($"GatewayUrl must be an absolute http or https URL; it is '{GatewayUrl}'.", [nameof(GatewayUrl)]);
        }

        if (string.IsNullOrEmpty(Secret) || Secret.Length < 16)
        {
            yield return new ValidationResult("Secret is missing or shorter than 16 characters; the gateway needs it to check signatures.", [nameof(Secret)]);
        }
    }
}

/// <summary>The <c>DrsNotify:Webhooks</c> section. Webhooks are sent only when <see cref="Secret"/> is set.</summary>
public sealed class WebhookOptions
{
    public const string Section = "DrsNotify:Webhooks";

    /// <summary>Key of the HMAC-SHA256 body signature, shared by every webhook URL; at least 16 characters. Never logged.</summary>
    [MinLength(16)]
    public string? Secret { get; set; }

    public bool IsConfigured => !string.IsNullOrEmpty(Secret);
}
