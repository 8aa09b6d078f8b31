using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace DrsNotify.Server.Delivery;

/// <summary>
/// Sends due outbox rows. It leases rows in batches no larger than the free send slots and runs
/// every send as its own task with its own timeout, so a slow recipient holds one slot and never
/// delays the others. Each result is recorded as delivered, retry or dead letter.
/// </summary>
/// <remarks>
/// A row is marked delivered only after its channel accepted it, so a crash between the send and
/// the mark sends it again, with the same dedup key, once its lease expires. On shutdown the
/// dispatcher stops leasing, waits up to <see cref="DeliveryOptions.ShutdownTimeout"/> for sends
/// in flight and cancels the rest; their leases expire and a later start sends them.
/// </remarks>
public sealed class Dispatcher : BackgroundService
{
    private readonly OutboxStore _store;
    private readonly Dictionary<string, IChannelSender> _senders;
    private readonly DeliveryOptions _options;
    private readonly DeliveryMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly ILogger<Dispatcher> _logger;

    private readonly ConcurrentDictionary<Task, byte> _inFlight = new();
    private readonly CancellationTokenSource _abortSends = new();
    private TaskCompletionSource _wake = NewWakeSource();
    private int _inFlightCount;

    public Dispatcher(
        OutboxStore store, IEnumerable<IChannelSender> senders, IOptions<DeliveryOptions> options, DeliveryMetrics metrics,
        TimeProvider time, ILogger<Dispatcher> logger)
    {
        _store = store;
        _senders = senders.ToDictionary(sender => sender.Channel, StringComparer.Ordinal);
        _options = options.Value;
        _metrics = metrics;
        _time = time;
        _logger = logger;
    }

    /// <summary>This instance's <c>lease_owner</c>: host, process and a random part, new on every start.</summary>
    public string InstanceId { get; } = $"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid().ToString("N")[..8]}";

    /// <summary>Makes the dispatcher look for due rows now instead of after the poll interval. Call it after committing new rows.</summary>
    public void Wake() => Volatile.Read(ref _wake).TrySetResult();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        LogConfiguration();
        while (!stoppingToken.IsCancellationRequested)
        {
            // Reset before leasing, so that a wake during the lease ends the wait below at once.
            var wake = NewWakeSource();
            Volatile.Write(ref _wake, wake);

            var free = _options.MaxConcurrentSends - Volatile.Read(ref _inFlightCount);
            var leased = 0;
            if (free > 0)
            {
                leased = await LeaseAndStartAsync(free);
                if (leased < 0)
                {
                    await Task.Delay(_options.PollInterval, _time, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                    continue;
                }
            }

            // A full batch means more rows may be due: lease again once a slot is free.
            if (free > 0 && leased == free)
            {
                continue;
            }

            await Task.WhenAny(wake.Task, Task.Delay(_options.PollInterval, _time, stoppingToken));
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        // Stops the leasing loop first, so that nothing new starts.
        await base.StopAsync(cancellationToken);

        var sends = _inFlight.Keys.ToArray();
        DeliveryLog.Stopping(_logger, InstanceId, _options.ShutdownTimeout, sends.Length);
        try
        {
            await Task.WhenAll(sends).WaitAsync(_options.ShutdownTimeout, _time, cancellationToken);
        }
        catch (Exception error) when (error is TimeoutException or OperationCanceledException)
        {
            DeliveryLog.SendsAbandoned(_logger, InstanceId, _inFlight.Count);
            await _abortSends.CancelAsync();
            await Task.WhenAll(sends).WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    public override void Dispose()
    {
        _abortSends.Dispose();
        base.Dispose();
    }

    private void LogConfiguration()
    {
        DeliveryLog.Started(_logger, InstanceId, _options.MaxConcurrentSends, _options.LeaseDuration);
        if (_options.Capture)
        {
            DeliveryLog.CaptureModeOn(_logger);
            return;
        }

        foreach (var sender in _senders.Values)
        {
            if (sender.NotConfiguredReason is { } reason)
            {
                DeliveryLog.ChannelNotConfigured(_logger, sender.Channel, reason);
            }
        }
    }

    /// <summary>Leases up to <paramref name="free"/> rows and starts a send for each; returns how many, or -1 when leasing failed.</summary>
    private async Task<int> LeaseAndStartAsync(int free)
    {
        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        List<OutboxRow> rows;
        try
        {
            rows = await _store.LeaseAsync(InstanceId, now, now + (long)_options.LeaseDuration.TotalMilliseconds, free);
        }
        catch (Exception error) when (error is not OperationCanceledException)
        {
            DeliveryLog.LeaseFailed(_logger, error, InstanceId, _options.PollInterval);
            return -1;
        }

        foreach (var row in rows)
        {
            Interlocked.Increment(ref _inFlightCount);
            var send = Task.Run(() => SendAndRecordAsync(row));
            _inFlight.TryAdd(send, 0);
            _ = send.ContinueWith(
                finished =>
                {
                    _inFlight.TryRemove(finished, out _);
                    Interlocked.Decrement(ref _inFlightCount);
                    Wake();
                },
                CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }

        return rows.Count;
    }

    private async Task SendAndRecordAsync(OutboxRow row)
    {
        try
        {
            if (_options.Capture)
            {
                if (await _store.CaptureAsync(row, _time.GetUtcNow().ToUnixTimeMilliseconds()))
                {
                    _metrics.RecordSent(row.Channel);
                    DeliveryLog.Delivered(_logger, row.Id, row.Channel, row.DedupKey, row.EventKey, row.Attempts + 1);
                }

                return;
            }

            var result = await SendAsync(row);
            if (result is { } finished)
            {
                await RecordAsync(row, finished);
            }
        }
        catch (Exception error) when (error is not OutOfMemoryException)
        {
            DeliveryLog.RecordFailed(_logger, error, row.Id, row.Channel);
        }
    }

    /// <summary>Sends <paramref name="row"/> with the send timeout; returns null when shutdown cancelled it.</summary>
    private async Task<SendResult?> SendAsync(OutboxRow row)
    {
        if (!_senders.TryGetValue(row.Channel, out var sender))
        {
            DeliveryLog.UnknownChannel(_logger, row.Id, row.Channel);
            return SendResult.Permanent($"The channel '{row.Channel}' is not one of: {string.Join(", ", _senders.Keys)}.");
        }

        if (sender.NotConfiguredReason is { } reason)
        {
            return SendResult.Permanent(reason);
        }

        using var timeout = new CancellationTokenSource(_options.SendTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, _abortSends.Token);
        try
        {
            return await sender.SendAsync(row, linked.Token);
        }
        catch (OperationCanceledException) when (_abortSends.IsCancellationRequested)
        {
            return null;
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            return SendResult.Transient($"The send timed out after {_options.SendTimeout.TotalSeconds:0.###} s.");
        }
        catch (Exception error) when (error is not OutOfMemoryException and not OperationCanceledException)
        {
            DeliveryLog.SendThrew(_logger, error, row.Id, row.Channel);
            return SendResult.Transient($"{error.GetType().Name}: {error.Message}");
        }
    }

    private async Task RecordAsync(OutboxRow row, SendResult result)
    {
        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        var attempt = row.Attempts + 1;
        if (result.Outcome == SendOutcome.Accepted)
        {
            if (await _store.MarkDeliveredAsync(row.Id, now))
            {
                _metrics.RecordSent(row.Channel);
                DeliveryLog.Delivered(_logger, row.Id, row.Channel, row.DedupKey, row.EventKey, attempt);
            }

            return;
        }

        var error = result.Error ?? "unknown error";
        var delays = _options.EffectiveRetryDelays;
        if (result.Outcome == SendOutcome.PermanentFailure || attempt > delays.Count)
        {
            if (await _store.MarkFailedAsync(row.Id, InstanceId, error, nextAttemptAt: null))
            {
                _metrics.RecordDeadLettered(row.Channel);
                DeliveryLog.DeadLettered(_logger, row.Id, row.Channel, row.DedupKey, attempt, error);
            }

            return;
        }

        var delay = Jitter(delays[attempt - 1]);
        if (await _store.MarkFailedAsync(row.Id, InstanceId, error, now + (long)delay.TotalMilliseconds))
        {
            _metrics.RecordRetried(row.Channel);
            DeliveryLog.Retrying(_logger, row.Id, row.Channel, row.DedupKey, attempt, delay, error);
        }
    }

    /// <summary>Returns <paramref name="delay"/> varied by up to ±20%, so that rows that failed together do not retry together.</summary>
    internal static TimeSpan Jitter(TimeSpan delay) => delay * (0.8 + 0.4 * Random.Shared.NextDouble());

    private static TaskCompletionSource NewWakeSource() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
