using System.Security.Cryptography;
using System.Text.RegularExpressions;

namespace DrsNotify.Server.Jobs;

/// <summary>
/// DRS job ids: a UUID-shaped 8-4-4-4-12 string of lowercase characters whose last group is
/// 7 or 8 hex digits, <c>jb</c>, then 3 or 2 lowercase letters or digits, such as
/// <c>c7296a3b-0d9f-424c-8d74-816ca62jb2a2</c> or <c>9a470239-2308-4bb5-a6bc-1040402fjb21</c>.
/// </summary>
public static partial class JobIds
{
    /// <summary>An example id, shown in error messages.</summary>
    public const string Example = "c7296a3b-0d9f-424c-8d74-816ca62jb2a2";

    private const string Hex = "0123456789abcdef";
    private const string Alphanumeric = "0123456789abcdefghijklmnopqrstuvwxyz";

    public static bool IsValid(string id) => IdPattern().IsMatch(id);

    /// <summary>Returns a new random id of the DRS shape, with 8 hex digits, <c>jb</c> and 2 characters in the last group.</summary>
    public static string NewId()
    {
        var hex = Guid.NewGuid().ToString("D");
        var suffix = string.Concat(
            RandomNumberGenerator.GetString(Hex, 8), "jb", RandomNumberGenerator.GetString(Alphanumeric, 2));
        return hex[..24] + suffix;
    }

    // The last group is 12 characters either way: 8 + "jb" + 2, or 7 + "jb" + 3.
    [GeneratedRegex(
        "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-(?:[0-9a-f]{8}jb[0-9a-z]{2}|[0-9a-f]{7}jb[0-9a-z]{3})\\z",
        RegexOptions.CultureInvariant)]
    private static partial Regex IdPattern();
}
