using System.Runtime.CompilerServices;
using Microsoft.Data.Sqlite;

namespace DrsNotify.Server.Storage;

/// <summary>Short forms for the parameterized commands that the feature folders run.</summary>
public static class SqlExtensions
{
    private static readonly ConditionalWeakTable<SqliteConnection, Dictionary<string, SqliteCommand>> PreparedCommands = new();

    /// <summary>
    /// Returns a command for <paramref name="sql"/> that stays prepared on this connection and is
    /// reused by the next call with the same text, saving SQLite a compile per statement. Use it
    /// only inside <see cref="Database.WriteAsync"/>, whose single writer thread owns the
    /// connection, and do not dispose the command.
    /// </summary>
    public static SqliteCommand Prepared(
        this SqliteConnection connection, string sql, SqliteTransaction transaction, params (string Name, object? Value)[] parameters)
    {
        var commands = PreparedCommands.GetOrCreateValue(connection);
        if (!commands.TryGetValue(sql, out var command))
        {
            command = connection.CreateCommand();
            command.CommandText = sql;
            commands[sql] = command;
        }

        command.Transaction = transaction;
        command.Parameters.Clear();
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        }

        return command;
    }

    private static readonly ConditionalWeakTable<SqliteConnection, Dictionary<string, CompiledStatement>> CompiledStatements = new();

    /// <summary>
    /// Returns a <see cref="CompiledStatement"/> for <paramref name="sql"/>, compiled on the first
    /// call and kept for the next ones on this connection. Same rules as <see cref="Prepared"/>.
    /// </summary>
    public static CompiledStatement Compiled(this SqliteConnection connection, string sql)
    {
        var statements = CompiledStatements.GetOrCreateValue(connection);
        if (!statements.TryGetValue(sql, out var statement))
        {
            statement = new CompiledStatement(connection, sql);
            statements[sql] = statement;
        }

        return statement;
    }

    /// <summary>Finalizes the connection's compiled statements, so that it can close.</summary>
    public static void ReleaseCompiled(this SqliteConnection connection)
    {
        if (CompiledStatements.TryGetValue(connection, out var statements))
        {
            foreach (var statement in statements.Values)
            {
                statement.Dispose();
            }

            CompiledStatements.Remove(connection);
        }
    }

    public static SqliteCommand Command(
        this SqliteConnection connection, string sql, SqliteTransaction? transaction, params (string Name, object? Value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = transaction;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        }

        return command;
    }

    public static int Exec(
        this SqliteConnection connection, string sql, SqliteTransaction? transaction, params (string Name, object? Value)[] parameters)
    {
        using var command = connection.Command(sql, transaction, parameters);
        return command.ExecuteNonQuery();
    }

    public static object? Scalar(
        this SqliteConnection connection, string sql, SqliteTransaction? transaction, params (string Name, object? Value)[] parameters)
    {
        using var command = connection.Command(sql, transaction, parameters);
        var value = command.ExecuteScalar();
        return value is DBNull ? null : value;
    }

    public static string? GetNullableString(this SqliteDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    public static long? GetNullableInt64(this SqliteDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : reader.GetInt64(ordinal);
}
