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
/// every request of the group. No write task completes before its data is on disk.
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

    // Writer thread only: see WriteEpoch.
    private long _writeEpoch;
    private object? _lastBatcher;
    private long _dataVersion = -1;

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
    /// A counter that changes whenever the store may have changed other than through the batcher
    /// that ran last: a plain write, another batcher, a rollback, or a commit by another process.
    /// A batcher may keep what it read across calls while the counter stays the same. Read it
    /// only on the writer thread, that is inside <see cref="IWriteBatcher{TItem,TResult}.Write"/>.
    /// </summary>
    public long WriteEpoch => _writeEpoch;

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

        var writer = new SqliteConnection(_connectionString);
        try
        {
            writer.Open();
            Execute(writer, "PRAGMA journal_mode=WAL;");
            Execute(writer, "PRAGMA synchronous=FULL;");
            Execute(writer, "PRAGMA foreign_keys=ON;");
            Migrations.Apply(writer, _time, _logger);
        }
        catch
        {
            // Close the connection now, so that SQLite removes its WAL and shared-memory files.
            writer.Dispose();
            SqliteConnection.ClearPool(writer);
            throw;
        }

        _writer = writer;

        var stopped = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() => RunWriterLoop(stopped)) { Name = "SQLite writer", IsBackground = true };
        thread.Start();
        _writerLoop = stopped.Task;
    }

    /// <summary>Runs <paramref name="read"/> on a pooled connection; it reads the state of the last commit.</summary>
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

    /// <summary>
    /// Runs on the writer's own thread, which blocks while the queue is empty and during each
    /// commit's fsync, so that no thread-pool thread is held.
    /// </summary>
    private void RunWriterLoop(TaskCompletionSource stopped)
    {
        try
        {
            var connection = _writer!;
            var group = new List<WriteRequest>(MaxGroupSize);
            while (WaitForWork())
            {
                while (group.Count < MaxGroupSize && _queue.Reader.TryRead(out var request))
                {
                    group.Add(request);
                }

                CommitGroup(connection, group);
                group.Clear();
            }

            stopped.SetResult();
        }
        catch (Exception exception)
        {
            stopped.SetException(exception);
        }
    }

    /// <summary>Blocks until a write request is queued; returns false once the queue is closed and empty.</summary>
    private bool WaitForWork()
    {
        var wait = _queue.Reader.WaitToReadAsync();
        return wait.IsCompleted ? wait.Result : wait.AsTask().GetAwaiter().GetResult();
    }

    /// <summary>
    /// Queues <paramref name="item"/> for <paramref name="batcher"/>. The writer hands every item
    /// of the same batcher that is queued at the same time to one <see cref="IWriteBatcher{TItem,TResult}.Write"/>
    /// call, so that a burst of small requests costs a few set-based statements instead of a few
    /// statements each. The task completes after the commit, like <see cref="WriteAsync{T}"/>.
    /// </summary>
    public Task<TResult> WriteBatchedAsync<TItem, TResult>(IWriteBatcher<TItem, TResult> batcher, TItem item)
    {
        var request = new BatchedWriteRequest<TItem, TResult>(batcher, item);
        if (!_queue.Writer.TryWrite(request))
        {
            throw new InvalidOperationException("The database is closed.");
        }

        return request.Task;
    }

    // Requests of one group run concurrently from their callers' point of view, because none
    // of them completes before the commit. So the writer may order them freely: plain writes
    // first, in arrival order, then each batcher's items together, in arrival order.
    private void CommitGroup(SqliteConnection connection, List<WriteRequest> group)
    {
        try
        {
            using var transaction = connection.BeginTransaction(deferred: false);
            NoteOtherProcesses(connection, transaction);
            List<WriteRequest>? batched = null;
            foreach (var request in group)
            {
                if (request.Batcher is not null)
                {
                    (batched ??= []).Add(request);
                    continue;
                }

                RunInSavepoint(connection, transaction, request, [request]);
            }

            foreach (var members in batched?.GroupBy(request => request.Batcher) ?? [])
            {
                var list = members.ToList();
                if (!RunInSavepoint(connection, transaction, list[0], list))
                {
                    // One bad item must not fail the others: run each alone.
                    foreach (var member in list)
                    {
                        RunInSavepoint(connection, transaction, member, [member]);
                    }
                }
            }

            transaction.Commit();
        }
        catch (Exception exception)
        {
            NoteForeignChange();
            _logger.LogError(exception, "Commit of {Count} write requests failed, so every one of them fails", group.Count);
            foreach (var request in group)
            {
                request.SetFailed(exception);
                request.Complete();
            }

            return;
        }

        foreach (var request in group)
        {
            request.Complete();
        }
    }

    /// <summary>Runs <paramref name="members"/> through <paramref name="runner"/>; on failure rolls them back and, for a single member, fails it.</summary>
    private bool RunInSavepoint(
        SqliteConnection connection, SqliteTransaction transaction, WriteRequest runner, List<WriteRequest> members)
    {
        if (runner.Batcher is null || runner.Batcher != _lastBatcher)
        {
            NoteForeignChange();
        }

        connection.Prepared("SAVEPOINT request", transaction).ExecuteNonQuery();
        try
        {
            runner.Run(connection, transaction, members);
            connection.Prepared("RELEASE request", transaction).ExecuteNonQuery();
            _lastBatcher = runner.Batcher;
            return true;
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            NoteForeignChange();
            connection.Prepared("ROLLBACK TO request", transaction).ExecuteNonQuery();
            connection.Prepared("RELEASE request", transaction).ExecuteNonQuery();
            if (members.Count == 1)
            {
                members[0].SetFailed(exception);
            }

            return false;
        }
    }

    /// <summary>Moves <see cref="WriteEpoch"/> on, so that no batcher trusts what it read before.</summary>
    private void NoteForeignChange()
    {
        _writeEpoch++;
        _lastBatcher = null;
    }

    /// <summary>
    /// Moves <see cref="WriteEpoch"/> on when another connection, such as the admin CLI, has
    /// committed since this writer last looked. Runs inside the write transaction, so nothing
    /// else can commit until this group does.
    /// </summary>
    private void NoteOtherProcesses(SqliteConnection connection, SqliteTransaction transaction)
    {
        var version = (long)connection.Prepared("PRAGMA data_version", transaction).ExecuteScalar()!;
        if (version != _dataVersion)
        {
            _dataVersion = version;
            NoteForeignChange();
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

        _writer?.ReleaseCompiled();
        _writer?.Dispose();
        SqliteConnection.ClearAllPools();
    }

    private abstract class WriteRequest
    {
        /// <summary>The batcher this request's item belongs to, or null for a plain write.</summary>
        public virtual object? Batcher => null;

        /// <summary>Runs this request, or for a batched one, <paramref name="members"/> of its batcher together.</summary>
        public abstract void Run(SqliteConnection connection, SqliteTransaction transaction, List<WriteRequest> members);

        public abstract void SetFailed(Exception exception);

        public abstract void Complete();
    }

    private abstract class WriteRequestBase<T> : WriteRequest
    {
        private readonly TaskCompletionSource<T> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private Exception? _failure;

        public Task<T> Task => _completion.Task;

        public T? Result { get; set; }

        public override void SetFailed(Exception exception) => _failure ??= exception;

        public override void Complete()
        {
            if (_failure is not null)
            {
                _completion.TrySetException(_failure);
            }
            else
            {
                _completion.TrySetResult(Result!);
            }
        }
    }

    private sealed class WriteRequest<T>(Func<SqliteConnection, SqliteTransaction, T> write) : WriteRequestBase<T>
    {
        public override void Run(SqliteConnection connection, SqliteTransaction transaction, List<WriteRequest> members) =>
            Result = write(connection, transaction);
    }

    private sealed class BatchedWriteRequest<TItem, TResult>(IWriteBatcher<TItem, TResult> batcher, TItem item)
        : WriteRequestBase<TResult>
    {
        public override object Batcher => batcher;

        public override void Run(SqliteConnection connection, SqliteTransaction transaction, List<WriteRequest> members)
        {
            var requests = members.ConvertAll(member => (BatchedWriteRequest<TItem, TResult>)member);
            var results = batcher.Write(connection, transaction, requests.ConvertAll(request => request._item));
            for (var i = 0; i < requests.Count; i++)
            {
                requests[i].Result = results[i];
            }
        }

        private readonly TItem _item = item;
    }
}

/// <summary>
/// Writes many items of one kind together. <see cref="Write"/> runs on the writer thread inside
/// the group's transaction, returns one result per item in the same order, and may be called
/// again with a single item if a call with several threw; it must only touch the database.
/// </summary>
public interface IWriteBatcher<TItem, TResult>
{
    IReadOnlyList<TResult> Write(SqliteConnection connection, SqliteTransaction transaction, IReadOnlyList<TItem> items);
}
