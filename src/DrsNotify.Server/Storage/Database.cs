using System.Threading.Channels;
using Microsoft.Data.Sqlite;

namespace DrsNotify.Server.Storage;

/// <summary>
/// The SQLite store: pooled connections for reads, and one writer connection that groups
/// concurrent write requests into shared transactions (group commit).
/// </summary>
/// <remarks>
/// SQLite admits one writer at a time, and with <c>synchronous=FULL</c> every commit waits for
/// the disk. The writer therefore drains whatever write requests are queued, runs each inside
/// its own savepoint of one transaction, commits once, and only then completes the requests.
/// A request that throws is rolled back to its savepoint and fails alone; a failed commit fails
/// every request of the group. No caller is answered before its data is on disk.
/// </remarks>
public sealed class Database : IAsyncDisposable
{
    /// <summary>Maximum number of write requests committed in one transaction.</summary>
    private const int MaxGroupSize = 512;

    private readonly string _connectionString;
    private readonly ILogger<Database> _logger;
    private readonly Channel<WriteRequest> _queue = Channel.CreateUnbounded<WriteRequest>(
        new UnboundedChannelOptions { SingleReader = true });
    private SqliteConnection? _writer;
    private Task? _writerLoop;

    private readonly TimeProvider _time;

    public Database(string filePath, TimeProvider time, ILogger<Database> logger)
    {
        FilePath = filePath;
        _time = time;
        _logger = logger;
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = filePath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
            DefaultTimeout = 30,
        }.ToString();
    }

    public string FilePath { get; }

    /// <summary>
    /// Opens the writer connection, switches the file to WAL with <c>synchronous=FULL</c>,
    /// applies pending migrations and starts the writer loop.
    /// </summary>
    public void Open()
    {
        if (_writer is not null)
        {
            return;
        }

        _writer = new SqliteConnection(_connectionString);
        _writer.Open();
        Execute(_writer, "PRAGMA journal_mode=WAL;");
        Execute(_writer, "PRAGMA synchronous=FULL;");
        Execute(_writer, "PRAGMA foreign_keys=ON;");
        Migrations.Apply(_writer, _time, _logger);

        _writerLoop = Task.Factory.StartNew(
            RunWriterLoopAsync, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default).Unwrap();
    }

    /// <summary>Runs <paramref name="read"/> on a pooled connection that sees the last commit.</summary>
    public T Read<T>(Func<SqliteConnection, T> read)
    {
        using var connection = new SqliteConnection(_connectionString);
        connection.Open();
        return read(connection);
    }

    /// <summary>
    /// Queues <paramref name="write"/> for the writer; the task completes after the transaction
    /// that contains it has committed, or fails if the write or the commit failed.
    /// </summary>
    public Task<T> WriteAsync<T>(Func<SqliteConnection, SqliteTransaction, T> write)
    {
        var request = new WriteRequest<T>(write);
        if (!_queue.Writer.TryWrite(request))
        {
            throw new InvalidOperationException("The database is closed.");
        }

        return request.Task;
    }

    private async Task RunWriterLoopAsync()
    {
        var connection = _writer!;
        var group = new List<WriteRequest>(MaxGroupSize);

        while (await _queue.Reader.WaitToReadAsync().ConfigureAwait(false))
        {
            while (group.Count < MaxGroupSize && _queue.Reader.TryRead(out var request))
            {
                group.Add(request);
            }

            CommitGroup(connection, group);
            group.Clear();
        }
    }

    private void CommitGroup(SqliteConnection connection, List<WriteRequest> group)
    {
        try
        {
            using var transaction = connection.BeginTransaction(deferred: false);
            foreach (var request in group)
            {
                connection.Prepared("SAVEPOINT request", transaction).ExecuteNonQuery();
                try
                {
                    request.Run(connection, transaction);
                    connection.Prepared("RELEASE request", transaction).ExecuteNonQuery();
                }
                catch (Exception exception)
                {
                    connection.Prepared("ROLLBACK TO request", transaction).ExecuteNonQuery();
                    connection.Prepared("RELEASE request", transaction).ExecuteNonQuery();
                    request.SetFailed(exception);
                }
            }

            transaction.Commit();
        }
        catch (Exception exception)
        {
            _logger.LogError(exception, "Commit of {Count} write requests failed; all of them are failed", group.Count);
            foreach (var request in group)
            {
                request.SetFailed(exception);
            }

            return;
        }

        foreach (var request in group)
        {
            request.Complete();
        }
    }

    internal static void Execute(SqliteConnection connection, string sql, SqliteTransaction? transaction = null)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        if (_writerLoop is not null)
        {
            await _writerLoop.ConfigureAwait(false);
        }

        _writer?.Dispose();
        SqliteConnection.ClearAllPools();
    }

    private abstract class WriteRequest
    {
        public abstract void Run(SqliteConnection connection, SqliteTransaction transaction);

        public abstract void SetFailed(Exception exception);

        public abstract void Complete();
    }

    private sealed class WriteRequest<T>(Func<SqliteConnection, SqliteTransaction, T> write) : WriteRequest
    {
        private readonly TaskCompletionSource<T> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private T? _result;
        private Exception? _failure;

        public Task<T> Task => _completion.Task;

        public override void Run(SqliteConnection connection, SqliteTransaction transaction) =>
            _result = write(connection, transaction);

        public override void SetFailed(Exception exception) => _failure ??= exception;

        public override void Complete()
        {
            if (_failure is not null)
            {
                _completion.TrySetException(_failure);
            }
            else
            {
                _completion.TrySetResult(_result!);
            }
        }
    }
}
