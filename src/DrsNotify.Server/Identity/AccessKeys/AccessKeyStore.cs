using System.Collections.Concurrent;
using System.Security.Cryptography;
using DrsNotify.Server.Storage;
using Microsoft.Data.Sqlite;

namespace DrsNotify.Server.Identity.AccessKeys;

/// <summary>
/// Store of the <c>access_keys</c> table: AK, owner, encrypted SK, creation and last use
/// times (Unix milliseconds) and the enabled flag.
/// </summary>
public sealed partial class AccessKeyStore : IAccessKeyLookup
{
    public const int AccessKeyLength = 20;
    public const int SecretKeyLength = 40;

    private const string AccessKeyAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    private const string SecretKeyAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

    /// <summary>Minimum time between two writes of <c>last_used_at</c> for the same key.</summary>
    private static readonly TimeSpan LastUseWriteInterval = TimeSpan.FromMinutes(1);

    private readonly Database _database;
    private readonly SecretKeyProtector _protector;
    private readonly TimeProvider _time;
    private readonly ILogger<AccessKeyStore> _logger;

    // Last use time per access key as last written (or being written) by this instance.
    private readonly ConcurrentDictionary<string, long> _lastUseWritten = new(StringComparer.Ordinal);

    // Decrypted when an access key does not exist, so that a lookup costs the same either way.
    private readonly string _dummyAccessKey;
    private readonly string _dummySealedSecret;

    public AccessKeyStore(Database database, SecretKeyProtector protector, TimeProvider time, ILogger<AccessKeyStore> logger)
    {
        _database = database;
        _protector = protector;
        _time = time;
        _logger = logger;
        _dummyAccessKey = GenerateAccessKey();
        _dummySealedSecret = protector.Protect(_dummyAccessKey, GenerateSecretKey());
    }

    /// <summary>Creates a random access key: 20 characters A-Z and 0-9.</summary>
    public static string GenerateAccessKey() => RandomNumberGenerator.GetString(AccessKeyAlphabet, AccessKeyLength);

    /// <summary>Creates a random secret key: 40 characters A-Z, a-z and 0-9.</summary>
    public static string GenerateSecretKey() => RandomNumberGenerator.GetString(SecretKeyAlphabet, SecretKeyLength);

    public AccessKeyCredential? Find(string accessKey)
    {
        var row = _database.Read(connection =>
        {
            using var command = connection.Command(
                """
                SELECT k.user_id, u.name, u.account_id, k.secret_key, k.enabled
                FROM access_keys k JOIN users u ON u.id = k.user_id
                WHERE k.access_key = $accessKey
                """,
                null, ("$accessKey", accessKey));
            using var reader = command.ExecuteReader();
            return reader.Read()
                ? new StoredKey(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetInt64(4) == 1)
                : null;
        });

        if (row is null)
        {
            _protector.Unprotect(_dummyAccessKey, _dummySealedSecret);
            return null;
        }

        byte[] secretKey;
        try
        {
            secretKey = _protector.Unprotect(accessKey, row.SealedSecret);
        }
        catch (Exception error) when (error is CryptographicException or FormatException)
        {
            // The usual cause is a server.key that is not the one the store was created with.
            throw new InvalidOperationException(
                $"The secret key of access key {accessKey} cannot be decrypted; check that server.key belongs to this database.", error);
        }

        return new AccessKeyCredential(accessKey, row.UserId, row.UserName, row.AccountId, secretKey, row.Enabled);
    }

    /// <summary>Inserts an enabled access key inside <paramref name="transaction"/>, with its SK encrypted.</summary>
    public void Insert(SqliteConnection connection, SqliteTransaction transaction, string accessKey, string userId, string secretKey, long now) =>
        connection.Exec(
            "INSERT INTO access_keys (access_key, user_id, secret_key, created_at, enabled) VALUES ($accessKey, $user, $secret, $now, 1)",
            transaction,
            ("$accessKey", accessKey), ("$user", userId), ("$secret", _protector.Protect(accessKey, secretKey)), ("$now", now));

    /// <summary>
    /// Creates a random access key for <paramref name="userId"/> and returns it with its secret
    /// key, which is not readable in clear afterwards.
    /// </summary>
    public async Task<(string AccessKey, string SecretKey)> CreateAsync(string userId)
    {
        var accessKey = GenerateAccessKey();
        var secretKey = GenerateSecretKey();
        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        await _database.WriteAsync((connection, transaction) =>
        {
            Insert(connection, transaction, accessKey, userId, secretKey, now);
            return 0;
        });
        return (accessKey, secretKey);
    }

    /// <summary>Enables or disables an access key; returns false when it does not exist.</summary>
    public async Task<bool> SetEnabledAsync(string accessKey, bool enabled)
    {
        var changed = await _database.WriteAsync((connection, transaction) => connection.Exec(
            "UPDATE access_keys SET enabled = $enabled WHERE access_key = $accessKey", transaction,
            ("$enabled", enabled ? 1 : 0), ("$accessKey", accessKey)));
        return changed > 0;
    }

    /// <summary>Returns the stored last use time of an access key (Unix milliseconds), or null.</summary>
    public long? LastUsedAt(string accessKey) => _database.Read(connection =>
        connection.Scalar("SELECT last_used_at FROM access_keys WHERE access_key = $accessKey", null, ("$accessKey", accessKey)) as long?);

    /// <summary>
    /// Records that an access key signed a request. Writes <c>last_used_at</c> in the background,
    /// so that the request does not wait for a commit, and about once a minute per key and instance.
    /// </summary>
    public void RecordUse(string accessKey)
    {
        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        if (_lastUseWritten.TryGetValue(accessKey, out var written) && now - written < (long)LastUseWriteInterval.TotalMilliseconds)
        {
            return;
        }

        // Two requests racing past the check both write; the later time wins and nothing breaks.
        _lastUseWritten[accessKey] = now;
        _ = WriteLastUseAsync(accessKey, now);
    }

    private async Task WriteLastUseAsync(string accessKey, long now)
    {
        try
        {
            await _database.WriteAsync((connection, transaction) => connection.Exec(
                "UPDATE access_keys SET last_used_at = max(coalesce(last_used_at, 0), $now) WHERE access_key = $accessKey",
                transaction, ("$now", now), ("$accessKey", accessKey)));
        }
        catch (Exception error) when (error is SqliteException or InvalidOperationException)
        {
            // The next request after the interval tries again.
            _lastUseWritten.TryRemove(accessKey, out _);
            LogLastUseFailed(_logger, error, accessKey);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Recording the last use of access key {AccessKey} failed; the next request retries")]
    private static partial void LogLastUseFailed(ILogger logger, Exception error, string accessKey);

    private sealed record StoredKey(string UserId, string UserName, string AccountId, string SealedSecret, bool Enabled);
}
