using System.ComponentModel.DataAnnotations;

namespace DrsNotify.Server.Alarms;

/// <summary>The <c>DrsNotify:Alarms</c> section: windows and intervals of the alarm engine.</summary>
/// <remarks>Values are TimeSpans in configuration form (<c>00:06:00</c> is 6 minutes).</remarks>
public sealed class AlarmOptions : IValidatableObject
{
    public const string Section = "DrsNotify:Alarms";

    /// <summary>
    /// How long a delay, RPO or RTO must stay above its threshold before its alarm fires.
    /// Default 6 minutes, the window that DRS documents. From 1 second to 1 day.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan SustainWindow { get; set; } = TimeSpan.FromMinutes(6);

    /// <summary>
    /// How often a firing alarm is notified again. Default 4 hours. 0 turns reminders off, and
    /// other values must be from 1 minute to 30 days.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "30.00:00:00")]
    public TimeSpan RepeatInterval { get; set; } = TimeSpan.FromHours(4);

    /// <summary>
    /// How long the notice of a resolved alarm is held back. An alarm that fires again within
    /// this time sends no notice at all, so a flapping alarm sends one message with its latest
    /// state. Default 1 minute, at most 1 hour. 0 sends resolved notices at once.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan GroupInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// How often the evaluator checks every job. Default 5 seconds, from 100 milliseconds to 5
    /// minutes. Reports and settings changes also wake it early, at most once a second.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:05:00")]
    public TimeSpan EvaluationInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How long a running job may go without an agent report before <c>report_missing</c>
    /// fires. Unset (the default) turns the alarm off. Set values must be from 10 seconds to 30 days.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:10", "30.00:00:00")]
    public TimeSpan? ReportMissingAfter { get; set; }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (RepeatInterval > TimeSpan.Zero && RepeatInterval < TimeSpan.FromMinutes(1))
        {
            yield return new ValidationResult(
                $"RepeatInterval is {RepeatInterval}; use 00:00:00 to turn reminders off or at least 00:01:00.",
                [nameof(RepeatInterval)]);
        }
    }
}
