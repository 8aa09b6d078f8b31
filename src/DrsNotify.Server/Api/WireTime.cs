using System.Globalization;

namespace DrsNotify.Server.Api;

/// <summary>Formats stored times (Unix milliseconds) for responses.</summary>
public static class WireTime
{
    /// <summary>Formats as IAM does: <c>2026-12-05T10:00:00.000000Z</c> (UTC, microseconds).</summary>
    public static string Format(long unixMilliseconds) =>
        DateTimeOffset.FromUnixTimeMilliseconds(unixMilliseconds).UtcDateTime
            .ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);
}
