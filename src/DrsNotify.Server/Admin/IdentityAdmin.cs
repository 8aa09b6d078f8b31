using System.Text.RegularExpressions;
using DrsNotify.Server.Api;
using DrsNotify.Server.Identity;
using DrsNotify.Server.Identity.AccessKeys;
using DrsNotify.Server.Storage;
using Microsoft.Data.Sqlite;

namespace DrsNotify.Server.Admin;

/// <summary>A failed administration command; the message is shown to the operator as it is.</summary>
public sealed class AdminException(string message) : Exception(message);

public sealed record ProjectInfo(string Id, string Name, string Region, string Account, string CreatedAt);

public sealed record UserInfo(string Id, string Name, string Account, IReadOnlyList<string> Projects, int AccessKeys, string CreatedAt);

public sealed record AccessKeyInfo(string AccessKey, string User, string Account, bool Enabled, string CreatedAt, string? LastUsedAt);

/// <summary>
/// The operations of the administration commands on accounts, projects, users, access keys and
/// tokens. Every change is one write through <see cref="Database"/>, so it is safe while a
/// server runs on the same store.
/// </summary>
/// <remarks>
/// Users are named by user name. A name that exists in several accounts needs the account
/// name as well. Without one, commands use the bootstrap account, which is the oldest account.
/// </remarks>
public sealed partial class IdentityAdmin(
    Database database, IdentityStore identity, AccessKeyStore accessKeys, TokenService tokens, TimeProvider time)
{
    public const int MinPasswordLength = 8;
    public const int MaxPasswordLength = 256;

    /// <summary>
    /// Creates a project in <paramref name="accountName"/>, or in the bootstrap account when it
    /// is null. An account of that name is created when none exists. The region defaults to the
    /// name, as DRS names projects after regions, and the id to 32 random lowercase hex digits.
    /// </summary>
    public async Task<(ProjectInfo Project, bool AccountCreated)> CreateProjectAsync(
        string name, string? id, string? region, string? accountName, IReadOnlyList<string>? grantUsers = null)
    {
        if (!ProjectNamePattern().IsMatch(name))
        {
            throw new AdminException($"Invalid project name '{name}': use 1 to 64 letters, digits, '-' or '_'.");
        }

        region ??= name;
        if (!RegionPattern().IsMatch(region))
        {
            throw new AdminException(
                $"Invalid region '{region}': use 1 to 64 lowercase letters, digits or '-', starting with a letter or digit. "
                + "Give --region when the project name is not a region name.");
        }

        if (id is not null && !ProjectIdPattern().IsMatch(id))
        {
            throw new AdminException($"Invalid project id '{id}': use 32 lowercase hexadecimal digits.");
        }

        if (accountName is not null && !AccountNamePattern().IsMatch(accountName))
        {
            throw new AdminException($"Invalid account name '{accountName}': use 1 to 64 letters, digits, '-' or '_'.");
        }

        var projectId = id ?? Bootstrap.NewId();
        var now = Now();
        return await database.WriteAsync((connection, transaction) =>
        {
            var account = accountName is null
                ? BootstrapAccount(connection, transaction)
                : FindAccountByName(connection, transaction, accountName);
            var accountCreated = false;
            if (account is null)
            {
                account = new Account(Bootstrap.NewId(), accountName!);
                IdentityStore.InsertAccount(connection, transaction, account, now);
                accountCreated = true;
            }

            if (connection.Scalar("SELECT 1 FROM projects WHERE id = $id", transaction, ("$id", projectId)) is not null)
            {
                throw new AdminException($"A project with id {projectId} already exists.");
            }

            if (connection.Scalar(
                    "SELECT 1 FROM projects WHERE account_id = $account AND name = $name COLLATE NOCASE", transaction,
                    ("$account", account.Id), ("$name", name)) is not null)
            {
                throw new AdminException($"The account {account.Name} already has a project named {name}.");
            }

            IdentityStore.InsertProject(connection, transaction, new Project(projectId, account.Id, name, region), now);
            foreach (var userName in grantUsers ?? [])
            {
                var userId = connection.Scalar(
                    "SELECT id FROM users WHERE account_id = $account AND name = $name COLLATE NOCASE", transaction,
                    ("$account", account.Id), ("$name", userName)) as string
                    ?? throw new AdminException($"The account {account.Name} has no user named {userName} to grant the project to.");
                IdentityStore.GrantProject(connection, transaction, userId, projectId);
            }

            return (new ProjectInfo(projectId, name, region, account.Name, WireTime.Format(now)), accountCreated);
        });
    }

    public IReadOnlyList<ProjectInfo> ListProjects() => database.Read(connection =>
    {
        using var command = connection.Command(
            """
            SELECT p.id, p.name, p.region, a.name, p.created_at
            FROM projects p JOIN accounts a ON a.id = p.account_id
            ORDER BY a.created_at, a.name, p.created_at, p.id
            """,
            null);
        using var reader = command.ExecuteReader();
        var projects = new List<ProjectInfo>();
        while (reader.Read())
        {
            projects.Add(new ProjectInfo(
                reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), WireTime.Format(reader.GetInt64(4))));
        }

        return projects;
    });

    /// <summary>
    /// Creates a user with access to <paramref name="projectIds"/>, or to the oldest project of
    /// the account when none is given. Returns the password only when it was generated.
    /// </summary>
    public async Task<(UserInfo User, string? GeneratedPassword)> CreateUserAsync(
        string name, string? password, IReadOnlyList<string> projectIds, string? accountName)
    {
        if (!UserNamePattern().IsMatch(name))
        {
            throw new AdminException($"Invalid user name '{name}': use 1 to 64 letters, digits, '.', '-' or '_'.");
        }

        CheckPassword(password);
        var generated = password is null ? PasswordHasher.GeneratePassword() : null;
        var hash = PasswordHasher.Hash(password ?? generated!);
        var now = Now();
        var user = await database.WriteAsync((connection, transaction) =>
        {
            var account = accountName is null
                ? BootstrapAccount(connection, transaction) ?? throw new AdminException("The store has no account yet.")
                : FindAccountByName(connection, transaction, accountName) ?? throw new AdminException($"No account named {accountName} exists.");
            if (connection.Scalar(
                    "SELECT 1 FROM users WHERE account_id = $account AND name = $name COLLATE NOCASE", transaction,
                    ("$account", account.Id), ("$name", name)) is not null)
            {
                throw new AdminException($"The account {account.Name} already has a user named {name}.");
            }

            var grants = projectIds.Count > 0 ? projectIds.Distinct(StringComparer.Ordinal).ToList() : [OldestProject(connection, transaction, account)];
            foreach (var projectId in grants)
            {
                var accountOfProject = connection.Scalar("SELECT account_id FROM projects WHERE id = $id", transaction, ("$id", projectId)) as string;
                if (accountOfProject != account.Id)
                {
                    throw new AdminException($"The account {account.Name} has no project with id {projectId}; see 'projects list'.");
                }
            }

            var created = new User(Bootstrap.NewId(), account.Id, name, hash);
            IdentityStore.InsertUser(connection, transaction, created, now);
            foreach (var projectId in grants)
            {
                IdentityStore.GrantProject(connection, transaction, created.Id, projectId);
            }

            return new UserInfo(created.Id, name, account.Name, grants, 0, WireTime.Format(now));
        });
        return (user, generated);
    }

    public IReadOnlyList<UserInfo> ListUsers() => database.Read(connection =>
    {
        using var command = connection.Command(
            """
            SELECT u.id, u.name, a.name, u.created_at,
                   (SELECT json_group_array(project_id) FROM (SELECT project_id FROM user_projects WHERE user_id = u.id ORDER BY project_id)),
                   (SELECT COUNT(*) FROM access_keys k WHERE k.user_id = u.id)
            FROM users u JOIN accounts a ON a.id = u.account_id
            ORDER BY a.created_at, a.name, u.created_at, u.name
            """,
            null);
        using var reader = command.ExecuteReader();
        var users = new List<UserInfo>();
        while (reader.Read())
        {
            var projects = System.Text.Json.JsonSerializer.Deserialize(reader.GetString(4), AdminJsonContext.Default.ListString) ?? [];
            users.Add(new UserInfo(
                reader.GetString(0), reader.GetString(1), reader.GetString(2), projects, reader.GetInt32(5), WireTime.Format(reader.GetInt64(3))));
        }

        return users;
    });

    /// <summary>
    /// Deletes a user with its project grants and access keys, and rejects its tokens from now
    /// on (through a per-user cutoff that outlives the user row).
    /// </summary>
    public async Task<UserInfo> DeleteUserAsync(string name, string? accountName)
    {
        var (user, account) = FindUser(name, accountName);
        var now = Now();
        await database.WriteAsync((connection, transaction) =>
        {
            connection.Exec("DELETE FROM access_keys WHERE user_id = $id", transaction, ("$id", user.Id));
            connection.Exec("DELETE FROM user_projects WHERE user_id = $id", transaction, ("$id", user.Id));
            if (connection.Exec("DELETE FROM users WHERE id = $id", transaction, ("$id", user.Id)) == 0)
            {
                throw new AdminException($"The user {name} was deleted meanwhile.");
            }

            TokenService.WriteUserCutoff(connection, transaction, user.Id, now);
            return 0;
        });
        return new UserInfo(user.Id, user.Name, account.Name, [], 0, "");
    }

    /// <summary>Replaces a user's password; returns the password only when it was generated. Issued tokens stay valid.</summary>
    public async Task<(UserInfo User, string? GeneratedPassword)> SetPasswordAsync(string name, string? password, string? accountName)
    {
        CheckPassword(password);
        var (user, account) = FindUser(name, accountName);
        var generated = password is null ? PasswordHasher.GeneratePassword() : null;
        var hash = PasswordHasher.Hash(password ?? generated!);
        await database.WriteAsync((connection, transaction) => connection.Exec(
            "UPDATE users SET password_hash = $hash WHERE id = $id", transaction, ("$hash", hash), ("$id", user.Id)));
        return (new UserInfo(user.Id, user.Name, account.Name, [], 0, ""), generated);
    }

    /// <summary>Creates an access key for a user; the returned SK cannot be read again.</summary>
    public async Task<(AccessKeyInfo Key, string SecretKey)> CreateAccessKeyAsync(string userName, string? accountName)
    {
        var (user, account) = FindUser(userName, accountName);
        var (accessKey, secretKey) = await accessKeys.CreateAsync(user.Id);
        return (new AccessKeyInfo(accessKey, user.Name, account.Name, true, WireTime.Format(Now()), null), secretKey);
    }

    public IReadOnlyList<AccessKeyInfo> ListAccessKeys() => database.Read(connection =>
    {
        using var command = connection.Command(
            """
            SELECT k.access_key, u.name, a.name, k.enabled, k.created_at, k.last_used_at
            FROM access_keys k JOIN users u ON u.id = k.user_id JOIN accounts a ON a.id = u.account_id
            ORDER BY a.created_at, a.name, u.name, k.created_at, k.access_key
            """,
            null);
        using var reader = command.ExecuteReader();
        var keys = new List<AccessKeyInfo>();
        while (reader.Read())
        {
            var lastUsed = reader.GetNullableInt64(5);
            keys.Add(new AccessKeyInfo(
                reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetInt64(3) == 1,
                WireTime.Format(reader.GetInt64(4)), lastUsed is null ? null : WireTime.Format(lastUsed.Value)));
        }

        return keys;
    });

    /// <summary>Enables or disables an access key. Every instance reads keys from the store per request, so it applies at once.</summary>
    public async Task SetAccessKeyEnabledAsync(string accessKey, bool enabled)
    {
        if (!await accessKeys.SetEnabledAsync(accessKey, enabled))
        {
            throw AccessKeyNotFound(accessKey);
        }
    }

    public async Task DeleteAccessKeyAsync(string accessKey)
    {
        var deleted = await database.WriteAsync((connection, transaction) =>
            connection.Exec("DELETE FROM access_keys WHERE access_key = $ak", transaction, ("$ak", accessKey)));
        if (deleted == 0)
        {
            throw AccessKeyNotFound(accessKey);
        }
    }

    /// <summary>
    /// Revokes every token of a user issued so far; returns the cutoff time. Running servers
    /// apply it at their next revocation refresh (<c>DrsNotify:Tokens:RevocationRefreshInterval</c>).
    /// </summary>
    public async Task<string> RevokeTokensAsync(string userName, string? accountName)
    {
        var (user, _) = FindUser(userName, accountName);
        return WireTime.Format(await tokens.RevokeUserTokensAsync(user.Id));
    }

    private (User User, Account Account) FindUser(string name, string? accountName)
    {
        var matches = identity.FindUsers(name, accountName, null);
        return matches.Count switch
        {
            1 => matches[0],
            0 => throw new AdminException(accountName is null
                ? $"No user named {name} exists; see 'users list'."
                : $"The account {accountName} has no user named {name}; see 'users list'."),
            _ => throw new AdminException(
                $"Users named {name} exist in the accounts {string.Join(", ", matches.Select(match => match.Account.Name))}; give --account."),
        };
    }

    private static void CheckPassword(string? password)
    {
        if (password is not null && (password.Length < MinPasswordLength || password.Length > MaxPasswordLength))
        {
            throw new AdminException($"Invalid password: use {MinPasswordLength} to {MaxPasswordLength} characters.");
        }
    }

    private static AdminException AccessKeyNotFound(string accessKey) =>
        new($"No access key {accessKey} exists; see 'keys list'.");

    /// <summary>Returns the account created first, which the bootstrap created.</summary>
    private static Account? BootstrapAccount(SqliteConnection connection, SqliteTransaction transaction)
    {
        using var command = connection.Command("SELECT id, name FROM accounts ORDER BY created_at, rowid LIMIT 1", transaction);
        using var reader = command.ExecuteReader();
        return reader.Read() ? new Account(reader.GetString(0), reader.GetString(1)) : null;
    }

    private static Account? FindAccountByName(SqliteConnection connection, SqliteTransaction transaction, string name)
    {
        using var command = connection.Command("SELECT id, name FROM accounts WHERE name = $name COLLATE NOCASE", transaction, ("$name", name));
        using var reader = command.ExecuteReader();
        return reader.Read() ? new Account(reader.GetString(0), reader.GetString(1)) : null;
    }

    private static string OldestProject(SqliteConnection connection, SqliteTransaction transaction, Account account) =>
        connection.Scalar(
            "SELECT id FROM projects WHERE account_id = $account ORDER BY created_at, rowid LIMIT 1", transaction,
            ("$account", account.Id)) as string
        ?? throw new AdminException($"The account {account.Name} has no project; create one with 'projects create' first.");

    private long Now() => time.GetUtcNow().ToUnixTimeMilliseconds();

    [GeneratedRegex("^[A-Za-z0-9_-]{1,64}\\z")]
    private static partial Regex ProjectNamePattern();

    [GeneratedRegex("^[A-Za-z0-9_-]{1,64}\\z")]
    private static partial Regex AccountNamePattern();

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{0,63}\\z")]
    private static partial Regex RegionPattern();

    [GeneratedRegex("^[0-9a-f]{32}\\z")]
    private static partial Regex ProjectIdPattern();

    [GeneratedRegex("^[A-Za-z0-9_.-]{1,64}\\z")]
    private static partial Regex UserNamePattern();
}

[System.Text.Json.Serialization.JsonSerializable(typeof(List<string>))]
internal sealed partial class AdminJsonContext : System.Text.Json.Serialization.JsonSerializerContext;
