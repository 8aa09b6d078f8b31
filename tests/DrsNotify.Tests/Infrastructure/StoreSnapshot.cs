using System.Text;
using Microsoft.Data.Sqlite;

namespace DrsNotify.Tests.Infrastructure;

/// <summary>
/// Every row of every table of a server's SQLite store, as one string: two snapshots are equal
/// exactly when the stored state is equal.
/// </summary>
public static class StoreSnapshot
{
    public static string Take(TestServer server)
    {
        var path = Path.Combine(server.DataDirectory, "drsnotify.db");
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadOnly,
            Pooling = false,
        }.ToString());
        connection.Open();

        var tables = new List<string>();
        using (var command = connection.CreateCommand())
        {
            command.CommandText = "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name";
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                tables.Add(reader.GetString(0));
            }
        }

        var snapshot = new StringBuilder();
        foreach (var table in tables)
        {
            snapshot.Append("## ").AppendLine(table);
            using var command = connection.CreateCommand();
            command.CommandText = $"SELECT * FROM \"{table}\"";
            using var reader = command.ExecuteReader();

            // Rows are sorted as text, because WITHOUT ROWID tables have no rowid to order by.
            var rows = new List<string>();
            while (reader.Read())
            {
                var row = new StringBuilder();
                for (var i = 0; i < reader.FieldCount; i++)
                {
                    row.Append(reader.IsDBNull(i) ? "NULL" : Convert.ToString(reader.GetValue(i), System.Globalization.CultureInfo.InvariantCulture)).Append('|');
                }

                rows.Add(row.ToString());
            }

            rows.Sort(StringComparer.Ordinal);
            foreach (var row in rows)
            {
                snapshot.AppendLine(row);
            }
        }

        return snapshot.ToString();
    }
}
