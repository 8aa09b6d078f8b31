namespace DrsNotify.Server.Delivery;

/// <summary>The dispatcher's log messages. None of them contains a secret or a message body.</summary>
internal static partial class DeliveryLog
{
    [LoggerMessage(1, LogLevel.Information, "Delivery dispatcher {InstanceId} started: at most {MaxConcurrentSends} concurrent sends, lease {LeaseDuration}")]
    public static partial void Started(ILogger logger, string instanceId, int maxConcurrentSends, TimeSpan leaseDuration);

    [LoggerMessage(2, LogLevel.Warning, "Capture mode is ON: no message leaves this machine. Every message is stored in captured_messages and listed at GET /_drsnotify/messages. Set DrsNotify:Delivery:Capture=false to send for real")]
    public static partial void CaptureModeOn(ILogger logger);

    [LoggerMessage(3, LogLevel.Warning, "Channel {Channel} is not configured, so its messages are dead-lettered: {Reason}")]
    public static partial void ChannelNotConfigured(ILogger logger, string channel, string reason);

    [LoggerMessage(4, LogLevel.Information, "Delivered message {DeliveryId} ({Channel}, dedup key {DedupKey}, event {EventKey}) on attempt {Attempt}")]
    public static partial void Delivered(ILogger logger, long deliveryId, string channel, string dedupKey, string eventKey, int attempt);

    [LoggerMessage(5, LogLevel.Warning, "Send of message {DeliveryId} ({Channel}, dedup key {DedupKey}) failed on attempt {Attempt}; retrying in {Delay}: {Error}")]
    public static partial void Retrying(ILogger logger, long deliveryId, string channel, string dedupKey, int attempt, TimeSpan delay, string error);

    [LoggerMessage(6, LogLevel.Error, "Message {DeliveryId} ({Channel}, dedup key {DedupKey}) dead-lettered after {Attempts} attempts: {Error}")]
    public static partial void DeadLettered(ILogger logger, long deliveryId, string channel, string dedupKey, int attempts, string error);

    [LoggerMessage(7, LogLevel.Error, "Dispatcher {InstanceId} failed to lease due messages; trying again in {PollInterval}")]
    public static partial void LeaseFailed(ILogger logger, Exception error, string instanceId, TimeSpan pollInterval);

    [LoggerMessage(8, LogLevel.Error, "Failed to record the result of message {DeliveryId} ({Channel}); it is sent again when its lease expires")]
    public static partial void RecordFailed(ILogger logger, Exception error, long deliveryId, string channel);

    [LoggerMessage(9, LogLevel.Error, "Send of message {DeliveryId} ({Channel}) threw an unexpected error; counted as a transient failure")]
    public static partial void SendThrew(ILogger logger, Exception error, long deliveryId, string channel);

    [LoggerMessage(10, LogLevel.Information, "Delivery dispatcher {InstanceId} stopping: waiting up to {ShutdownTimeout} for {InFlight} sends in flight")]
    public static partial void Stopping(ILogger logger, string instanceId, TimeSpan shutdownTimeout, int inFlight);

    [LoggerMessage(11, LogLevel.Warning, "Delivery dispatcher {InstanceId} cancelled {Count} sends at shutdown; they are sent again after their lease expires")]
    public static partial void SendsAbandoned(ILogger logger, string instanceId, int count);

    [LoggerMessage(12, LogLevel.Warning, "Message {DeliveryId} has channel {Channel}, which no sender handles; dead-lettered")]
    public static partial void UnknownChannel(ILogger logger, long deliveryId, string channel);
}
