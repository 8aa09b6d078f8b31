using System.Globalization;
using DrsNotify.Server.Localization;

namespace DrsNotify.Server.Api;

/// <summary>Query-string parameters, parsed here so that a bad value gets the DRS error body.</summary>
public static class QueryParameters
{
    /// <summary>Returns the integer parameter <paramref name="name"/>, or <paramref name="fallback"/> when absent.</summary>
    public static int Integer(HttpContext context, string name, int min, int max, int fallback)
    {
        var values = context.Request.Query[name];
        if (values.Count == 0)
        {
            return fallback;
        }

        return values.Count == 1
               && int.TryParse(values[0], NumberStyles.None, CultureInfo.InvariantCulture, out var value)
               && value >= min && value <= max
            ? value
            : throw DrsException.Invalid(name, Messages.MustBeInteger, min, max);
    }
}
