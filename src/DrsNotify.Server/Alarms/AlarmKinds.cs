namespace DrsNotify.Server.Alarms;

/// <summary>The alarm kinds, as stored in <c>alarm_episodes.kind</c> and shown by the alarms API.</summary>
public static class AlarmKinds
{
    public const string JobException = "job_exception";
    public const string SyncDelay = "sync_delay";
    public const string RpoDelay = "rpo_delay";
    public const string RtoDelay = "rto_delay";

    /// <summary>An addition of this server: a running job whose agent stopped reporting. Off by default.</summary>
    public const string ReportMissing = "report_missing";

    /// <summary>Every kind, in the order the evaluator checks them.</summary>
    public static readonly string[] All = [JobException, SyncDelay, RpoDelay, RtoDelay, ReportMissing];

    public static readonly IReadOnlySet<string> Set = new HashSet<string>(All, StringComparer.Ordinal);
}

/// <summary>The states of an alarm episode, as stored in <c>alarm_episodes.state</c>.</summary>
public static class AlarmStates
{
    public const string Firing = "firing";
    public const string Resolved = "resolved";

    /// <summary>Ended without a notice: the job ended or was deleted, or the kind was turned off.</summary>
    public const string Closed = "closed";

    public static readonly string[] All = [Firing, Resolved, Closed];

    public static readonly IReadOnlySet<string> Set = new HashSet<string>(All, StringComparer.Ordinal);
}

/// <summary>The <c>event_key</c> of the outbox rows of an episode.</summary>
public static class AlarmEvents
{
    public const string Firing = "firing";
    public const string Resolved = "resolved";

    /// <summary>Returns the event key of reminder <paramref name="number"/>, counted from 1.</summary>
    public static string Repeat(int number) => $"repeat-{number}";
}

/// <summary>Where an episode's recipients come from, as stored in <c>alarm_episodes.recipients_from</c>.</summary>
public static class RecipientSources
{
    /// <summary>The <c>email</c> and <c>sms</c> endpoints of the settings' subscriptions.</summary>
    public const string Subscriptions = "subscriptions";

    /// <summary>The subscribers of the settings' SMN topic.</summary>
    public const string Topic = "topic";
}
