using DrsNotify.Server.Api;
using DrsNotify.Server.Identity;
using DrsNotify.Server.Localization;

namespace DrsNotify.Server.Notifications;

/// <summary>
/// Checks that a well-formed topic URN names a project of the caller's account, in that
/// project's region. A project of another account is reported as not found. Whether the topic
/// itself exists is checked by <see cref="SettingsStore"/>, in the transaction that stores the
/// settings, so that a topic cannot be deleted between the check and the write.
/// </summary>
public sealed class TopicReferences(IdentityStore identity)
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
    }
}
