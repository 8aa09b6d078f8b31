using System.Collections.Concurrent;
using DrsNotify.Server.Storage;
using Microsoft.Data.Sqlite;

namespace DrsNotify.Server.Identity;

public sealed record Account(string Id, string Name);

public sealed record Project(string Id, string AccountId, string Name, string Region);

public sealed record User(string Id, string AccountId, string Name, string PasswordHash);

/// <summary>Reads and writes accounts, projects and users.</summary>
public sealed class IdentityStore(Database database, TimeProvider time)
{
    // Projects are never deleted or renamed, so a project once read stays valid in memory.
    // Unknown ids are not cached and go to the store each time.
    private readonly ConcurrentDictionary<string, Project> _projects = new(StringComparer.Ordinal);

    public bool IsEmpty() => database.Read(connection => (long)connection.Scalar("SELECT COUNT(*) FROM accounts", null)! == 0);

    public Account? FindAccount(string id) => database.Read(connection =>
    {
        using var command = connection.Command("SELECT id, name FROM accounts WHERE id = $id", null, ("$id", id));
        using var reader = command.ExecuteReader();
        return reader.Read() ? new Account(reader.GetString(0), reader.GetString(1)) : null;
    });

    public Project? FindProject(string id)
    {
        if (_projects.TryGetValue(id, out var cached))
        {
            return cached;
        }

        var project = database.Read(connection => ReadProject(connection, "id = $id", ("$id", id)));
        if (project is not null)
        {
            _projects[id] = project;
        }

        return project;
    }

    public Project? FindProjectByName(string accountId, string name) => database.Read(connection =>
        ReadProject(connection, "account_id = $account AND name = $name COLLATE NOCASE", ("$account", accountId), ("$name", name)));

    /// <summary>Returns the users named <paramref name="name"/>, in one account when <paramref name="accountName"/> is given.</summary>
    public IReadOnlyList<(User User, Account Account)> FindUsers(string name, string? accountName, string? accountId) => database.Read(connection =>
    {
        using var command = connection.Command(
            """
            SELECT u.id, u.account_id, u.name, u.password_hash, a.name
            FROM users u JOIN accounts a ON a.id = u.account_id
            WHERE u.name = $name COLLATE NOCASE
              AND ($accountName IS NULL OR a.name = $accountName COLLATE NOCASE)
              AND ($accountId IS NULL OR a.id = $accountId)
            """,
            null, ("$name", name), ("$accountName", accountName), ("$accountId", accountId));
        using var reader = command.ExecuteReader();
        var users = new List<(User, Account)>();
        while (reader.Read())
        {
            users.Add((new User(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3)),
                new Account(reader.GetString(1), reader.GetString(4))));
        }

        return users;
    });

    public bool UserMayUseProject(string userId, string projectId) => database.Read(connection =>
        connection.Scalar("SELECT 1 FROM user_projects WHERE user_id = $u AND project_id = $p", null, ("$u", userId), ("$p", projectId)) is not null);

    public static void InsertAccount(SqliteConnection connection, SqliteTransaction transaction, Account account, long now) =>
        connection.Exec("INSERT INTO accounts (id, name, created_at) VALUES ($id, $name, $now)", transaction,
            ("$id", account.Id), ("$name", account.Name), ("$now", now));

    public static void InsertProject(SqliteConnection connection, SqliteTransaction transaction, Project project, long now) =>
        connection.Exec(
            "INSERT INTO projects (id, account_id, name, region, created_at) VALUES ($id, $account, $name, $region, $now)", transaction,
            ("$id", project.Id), ("$account", project.AccountId), ("$name", project.Name), ("$region", project.Region), ("$now", now));

    public static void InsertUser(SqliteConnection connection, SqliteTransaction transaction, User user, long now) =>
        connection.Exec(
            "INSERT INTO users (id, account_id, name, password_hash, created_at) VALUES ($id, $account, $name, $hash, $now)", transaction,
            ("$id", user.Id), ("$account", user.AccountId), ("$name", user.Name), ("$hash", user.PasswordHash), ("$now", now));

    public static void GrantProject(SqliteConnection connection, SqliteTransaction transaction, string userId, string projectId) =>
        connection.Exec("INSERT OR IGNORE INTO user_projects (user_id, project_id) VALUES ($u, $p)", transaction,
            ("$u", userId), ("$p", projectId));

    public long Now() => time.GetUtcNow().ToUnixTimeMilliseconds();

    private static Project? ReadProject(SqliteConnection connection, string where, params (string, object?)[] parameters)
    {
        using var command = connection.Command($"SELECT id, account_id, name, region FROM projects WHERE {where}", null, parameters);
        using var reader = command.ExecuteReader();
        return reader.Read() ? new Project(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3)) : null;
    }
}
