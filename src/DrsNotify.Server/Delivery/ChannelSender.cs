namespace DrsNotify.Server.Delivery;

/// <summary>The result of one send as the channel reported it.</summary>
public enum SendOutcome
{
    /// <summary>The channel took responsibility for the message (SMTP 250 after DATA, HTTP 2xx).</summary>
    Accepted,

    /// <summary>The send may succeed later: connection errors, timeouts, SMTP 4xx, HTTP 5xx, 408 and 429.</summary>
    TransientFailure,

    /// <summary>Retrying cannot help: SMTP 5xx for the recipient, HTTP 4xx other than 408 and 429, a bad recipient, a channel that is not configured.</summary>
    PermanentFailure,
}

/// <summary>The result of one send; <see cref="Error"/> is stored as <c>last_error</c> and must not contain a secret.</summary>
public readonly record struct SendResult(SendOutcome Outcome, string? Error)
{
    public static SendResult Accepted { get; } = new(SendOutcome.Accepted, null);

    public static SendResult Transient(string error) => new(SendOutcome.TransientFailure, error);

    public static SendResult Permanent(string error) => new(SendOutcome.PermanentFailure, error);
}

/// <summary>Sends outbox rows of one channel (<see cref="Channel"/> is a value of <see cref="Channels"/>).</summary>
public interface IChannelSender
{
    string Channel { get; }

    /// <summary>
    /// The reason every message of this channel is dead-lettered, such as "SMTP is not configured:
    /// set DrsNotify:Smtp:Host", or null when the channel can send.
    /// </summary>
    string? NotConfiguredReason { get; }

    /// <summary>
    /// Sends <paramref name="row"/> once. Returns a failure instead of throwing for every error of
    /// the remote side; throws <see cref="OperationCanceledException"/> when
    /// <paramref name="cancellationToken"/> is cancelled.
    /// </summary>
    Task<SendResult> SendAsync(OutboxRow row, CancellationToken cancellationToken);
}
