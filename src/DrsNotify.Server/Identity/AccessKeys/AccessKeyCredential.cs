namespace DrsNotify.Server.Identity.AccessKeys;

/// <summary>
/// An access key with its owner and its decrypted secret key, as the signature verifier needs it.
/// </summary>
/// <remarks>
/// A class and not a record, so that the generated <c>ToString</c> cannot put the secret key
/// into a log line.
/// </remarks>
public sealed class AccessKeyCredential(
    string accessKey, string userId, string userName, string accountId, byte[] secretKey, bool enabled)
{
    public string AccessKey { get; } = accessKey;

    public string UserId { get; } = userId;

    public string UserName { get; } = userName;

    public string AccountId { get; } = accountId;

    /// <summary>UTF-8 bytes of the secret key, the HMAC-SHA256 key of request signatures.</summary>
    public byte[] SecretKey { get; } = secretKey;

    public bool Enabled { get; } = enabled;

    public override string ToString() => $"access key {AccessKey} of user {UserName} ({UserId})";
}

/// <summary>Source of access keys for the signature verifier. Tests supply keys without a store.</summary>
public interface IAccessKeyLookup
{
    /// <summary>
    /// Returns the access key <paramref name="accessKey"/>, disabled ones included, or null when it
    /// does not exist.
    /// </summary>
    AccessKeyCredential? Find(string accessKey);
}
