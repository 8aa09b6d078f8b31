using DrsNotify.Server.Api;
using DrsNotify.Server.Identity;
using DrsNotify.Server.Localization;
using DrsNotify.Server.Topics;

namespace DrsNotify.Server.Notifications;

/// <summary>
/// Checks that a well-formed topic URN names an existing topic of a project of the caller's
/// account, in that project's region. A project of another account is reported as not found.
/// </summary>
/// <remarks>
/// NOTE: the check reads before the settings are written. A topic deleted between the two
/// leaves settings that name a missing topic, and their alarms then have no recipients.
/// </remarks>
public sealed class TopicReferences(IdentityStore identity, TopicStore topics)
{
    public void Verify(string topicUrn, string path, Caller caller)
    {
        var (region, projectId, _) = AlarmSettingsParser.SplitTopicUrn(topicUrn);
        var project = identity.FindProject(projectId);
        if (project is null || project.AccountId != caller.AccountId)
        {
            throw DrsException.Invalid(path, Messages.TopicProjectNotFound, topicUrn);
        }

        if (!string.Equals(project.Region, region, StringComparison.Ordinal))
        {
            throw DrsException.Invalid(path, Messages.TopicRegionMismatch, topicUrn, region, project.Id, project.Region);
        }

        if (!topics.Exists(topicUrn))
        {
            throw DrsException.Invalid(path, Messages.TopicNotFoundForSettings, topicUrn, project.Id);
        }
    }
}
