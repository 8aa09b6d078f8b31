using System.Buffers.Text;
using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using DrsNotify.Server.Localization;
using DrsNotify.Server.Storage;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;

namespace DrsNotify.Server.Identity;

/// <summary>The claims carried inside a token; times are Unix milliseconds.</summary>
public sealed record TokenClaims(
    [property: JsonPropertyName("tid")] string TokenId,
    [property: JsonPropertyName("uid")] string UserId,
    [property: JsonPropertyName("unm")] string UserName,
    [property: JsonPropertyName("aid")] string AccountId,
    [property: JsonPropertyName("anm")] string AccountName,
    [property: JsonPropertyName("pid")] string ProjectId,
    [property: JsonPropertyName("pnm")] string ProjectName,
    [property: JsonPropertyName("rgn")] string Region,
    [property: JsonPropertyName("iat")] long IssuedAt,
    [property: JsonPropertyName("exp")] long ExpiresAt);

[JsonSerializable(typeof(TokenClaims))]
internal sealed partial class TokenJsonContext : JsonSerializerContext;

/// <summary>
/// Issues and validates self-contained tokens: <c>DRS1.{claims}.{HMAC-SHA256}</c> in base64url,
/// signed with a key derived from the server key. Validation needs no database round trip, so
/// every instance that shares the store (and so the key) accepts every instance's tokens.
/// Revocations of single tokens and per-user cutoffs (every token of a user issued at or
/// before a time) are loaded into memory and refreshed periodically.
/// </summary>
public sealed class TokenService
{
    private const string Prefix = "DRS1.";

    private readonly byte[] _signingKey;
    private readonly Database _database;
    private readonly TimeProvider _time;
    private readonly TokenOptions _options;
    private readonly ConcurrentDictionary<string, long> _revoked = new(StringComparer.Ordinal);

    // User id to the time (Unix milliseconds) at or before which the user's tokens are rejected.
    private readonly ConcurrentDictionary<string, long> _userCutoffs = new(StringComparer.Ordinal);

    // Tokens whose signature has been checked, so that a client sending the same token on every
    // request pays for the HMAC and the JSON decoding once. Expiry and revocation are still
    // checked on every request.
    private readonly ConcurrentDictionary<string, TokenClaims> _verified = new(StringComparer.Ordinal);
    private const int MaxVerifiedTokens = 10_000;

    public TokenService(ServerKey key, Database database, TimeProvider time, IOptions<TokenOptions> options)
    {
        _signingKey = key.Derive("token-signing");
        _database = database;
        _time = time;
        _options = options.Value;
    }

    public (string Token, TokenClaims Claims) Issue(User user, Account account, Project project)
    {
        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        var claims = new TokenClaims(
            Bootstrap.NewId(), user.Id, user.Name, account.Id, account.Name, project.Id, project.Name, project.Region,
            now, now + (long)_options.Lifetime.TotalMilliseconds);
        var payload = JsonSerializer.SerializeToUtf8Bytes(claims, TokenJsonContext.Default.TokenClaims);
        var signature = HMACSHA256.HashData(_signingKey, payload);
        return (Prefix + Base64Url.EncodeToString(payload) + "." + Base64Url.EncodeToString(signature), claims);
    }

    /// <summary>Validates <paramref name="token"/>; on failure returns null and the reason.</summary>
    public TokenClaims? Validate(string? token, out Message? failure)
    {
        failure = null;
        if (string.IsNullOrEmpty(token))
        {
            failure = Messages.TokenMissing;
            return null;
        }

        if (!_verified.TryGetValue(token, out var claims))
        {
            claims = Decode(token);
            if (claims is null)
            {
                failure = Messages.TokenMalformed;
                return null;
            }

            if (_verified.Count >= MaxVerifiedTokens)
            {
                _verified.Clear();
            }

            _verified[token] = claims;
        }

        if (claims.ExpiresAt <= _time.GetUtcNow().ToUnixTimeMilliseconds())
        {
            failure = Messages.TokenExpired;
            return null;
        }

        if (_revoked.ContainsKey(claims.TokenId)
            || (_userCutoffs.TryGetValue(claims.UserId, out var cutoff) && claims.IssuedAt <= cutoff))
        {
            failure = Messages.TokenRevoked;
            return null;
        }

        return claims;
    }

    public async Task RevokeAsync(TokenClaims claims)
    {
        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        await _database.WriteAsync((connection, transaction) => connection.Exec(
            "INSERT OR IGNORE INTO revoked_tokens (token_id, expires_at, revoked_at) VALUES ($id, $exp, $now)", transaction,
            ("$id", claims.TokenId), ("$exp", claims.ExpiresAt), ("$now", now)));
        _revoked[claims.TokenId] = claims.ExpiresAt;
    }

    /// <summary>
    /// Revokes every token of <paramref name="userId"/> issued so far, on this instance at once
    /// and on the others at their next refresh. Returns the cutoff time (Unix milliseconds).
    /// </summary>
    public async Task<long> RevokeUserTokensAsync(string userId)
    {
        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        await _database.WriteAsync((connection, transaction) => WriteUserCutoff(connection, transaction, userId, now));
        _userCutoffs.AddOrUpdate(userId, now, (_, existing) => Math.Max(existing, now));
        return now;
    }

    /// <summary>Stores a cutoff for <paramref name="userId"/>. A later cutoff already stored is kept.</summary>
    public static int WriteUserCutoff(SqliteConnection connection, SqliteTransaction transaction, string userId, long validAfter) =>
        connection.Exec(
            """
            INSERT INTO token_cutoffs (user_id, valid_after) VALUES ($user, $validAfter)
            ON CONFLICT (user_id) DO UPDATE SET valid_after = max(valid_after, excluded.valid_after)
            """,
            transaction, ("$user", userId), ("$validAfter", validAfter));

    /// <summary>
    /// Reloads the revocations that have not yet expired and the per-user cutoffs, including
    /// those written by other instances and by the administration commands.
    /// </summary>
    public void RefreshRevocations()
    {
        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        var current = _database.Read(connection =>
        {
            using var command = connection.Command("SELECT token_id, expires_at FROM revoked_tokens WHERE expires_at > $now", null, ("$now", now));
            using var reader = command.ExecuteReader();
            var rows = new List<(string, long)>();
            while (reader.Read())
            {
                rows.Add((reader.GetString(0), reader.GetInt64(1)));
            }

            return rows;
        });

        foreach (var (id, expiresAt) in current)
        {
            _revoked[id] = expiresAt;
        }

        // One row per user whose tokens were ever revoked as a whole, so the table stays small.
        var cutoffs = _database.Read(connection =>
        {
            using var command = connection.Command("SELECT user_id, valid_after FROM token_cutoffs", null);
            using var reader = command.ExecuteReader();
            var rows = new List<(string, long)>();
            while (reader.Read())
            {
                rows.Add((reader.GetString(0), reader.GetInt64(1)));
            }

            return rows;
        });

        foreach (var (userId, validAfter) in cutoffs)
        {
            _userCutoffs.AddOrUpdate(userId, validAfter, (_, existing) => Math.Max(existing, validAfter));
        }

        foreach (var entry in _revoked)
        {
            if (entry.Value <= now)
            {
                _revoked.TryRemove(entry.Key, out _);
            }
        }
    }

    private TokenClaims? Decode(string token)
    {
        if (!token.StartsWith(Prefix, StringComparison.Ordinal) || token.Length > 4096)
        {
            return null;
        }

        var body = token.AsSpan(Prefix.Length);
        var dot = body.IndexOf('.');
        if (dot <= 0)
        {
            return null;
        }

        try
        {
            var payload = Base64Url.DecodeFromChars(body[..dot]);
            var signature = Base64Url.DecodeFromChars(body[(dot + 1)..]);
            var expected = HMACSHA256.HashData(_signingKey, payload);
            if (!CryptographicOperations.FixedTimeEquals(expected, signature))
            {
                return null;
            }

            return JsonSerializer.Deserialize(payload, TokenJsonContext.Default.TokenClaims);
        }
        catch (Exception error) when (error is FormatException or JsonException)
        {
            return null;
        }
    }
}

/// <summary>Keeps the in-memory revocation list of this instance current.</summary>
public sealed class RevocationRefresher(TokenService tokens, TimeProvider time, IOptions<TokenOptions> options, ILogger<RevocationRefresher> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.RevocationRefreshInterval, time);
        do
        {
            try
            {
                tokens.RefreshRevocations();
            }
            catch (Exception error) when (error is not OperationCanceledException)
            {
                logger.LogError(error, "Reloading the revoked tokens failed; retrying at the next interval");
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}
