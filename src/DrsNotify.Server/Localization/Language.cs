namespace DrsNotify.Server.Localization;

/// <summary>The languages DRS localizes into; chosen per request by <c>X-Language</c>.</summary>
public enum Language
{
    EnUs,
    ZhCn,
}

public static class Languages
{
    /// <summary>Parses an <c>X-Language</c> value; anything but <c>zh-cn</c> falls back to <c>en-us</c>.</summary>
    public static Language Parse(string? value) =>
        string.Equals(value?.Trim(), "zh-cn", StringComparison.OrdinalIgnoreCase) ? Language.ZhCn : Language.EnUs;

    public static string ToCode(this Language language) => language == Language.ZhCn ? "zh-cn" : "en-us";
}
