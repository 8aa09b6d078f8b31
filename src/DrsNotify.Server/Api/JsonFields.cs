using System.Text.Json;
using DrsNotify.Server.Localization;

namespace DrsNotify.Server.Api;

/// <summary>
/// Typed access to request fields with the DRS rules: an absent required field or an empty
/// string or array is <c>DRS.M00201</c>; a wrong JSON type, an explicit <c>null</c>, a fraction
/// where an integer is expected or a value out of range is <c>DRS.M00202</c>. Every error names
/// the parameter by its full path, such as <c>jobs[3].engine_type</c>.
/// </summary>
public static class JsonFields
{
    public static string Path(string parent, string name) => parent.Length == 0 ? name : parent + "." + name;

    public static string Path(string parent, int index) => $"{parent}[{index}]";

    public static bool Has(JsonElement obj, string name) => obj.TryGetProperty(name, out _);

    public static JsonElement RequireObject(JsonElement obj, string name, string parent)
    {
        var path = Path(parent, name);
        if (!obj.TryGetProperty(name, out var value))
        {
            throw DrsException.Missing(path);
        }

        return ExpectObject(value, path);
    }

    public static JsonElement ExpectObject(JsonElement value, string path) =>
        value.ValueKind == JsonValueKind.Object ? value : throw DrsException.Invalid(path, Messages.MustBeObject);

    /// <summary>Returns a required non-empty array of at most <paramref name="maxItems"/> items.</summary>
    public static JsonElement RequireArray(JsonElement obj, string name, string parent, int maxItems)
    {
        var path = Path(parent, name);
        if (!obj.TryGetProperty(name, out var value))
        {
            throw DrsException.Missing(path);
        }

        return ExpectArray(value, path, maxItems);
    }

    public static JsonElement ExpectArray(JsonElement value, string path, int maxItems)
    {
        if (value.ValueKind != JsonValueKind.Array)
        {
            throw DrsException.Invalid(path, Messages.MustBeArray);
        }

        var count = value.GetArrayLength();
        if (count == 0)
        {
            throw DrsException.Missing(path);
        }

        if (count > maxItems)
        {
            throw DrsException.Invalid(path, Messages.TooManyItems, count, maxItems);
        }

        return value;
    }

    public static string RequireString(JsonElement obj, string name, string parent, int maxLength = 1024)
    {
        var path = Path(parent, name);
        if (!obj.TryGetProperty(name, out var value))
        {
            throw DrsException.Missing(path);
        }

        var text = ExpectString(value, path, maxLength);
        return text.Length == 0 ? throw DrsException.Missing(path) : text;
    }

    public static string? OptionalString(JsonElement obj, string name, string parent, int maxLength = 1024) =>
        obj.TryGetProperty(name, out var value) ? ExpectString(value, Path(parent, name), maxLength) : null;

    public static string ExpectString(JsonElement value, string path, int maxLength = 1024)
    {
        if (value.ValueKind != JsonValueKind.String)
        {
            throw DrsException.Invalid(path, Messages.MustBeString);
        }

        string text;
        try
        {
            text = value.GetString()!;
        }
        catch (InvalidOperationException)
        {
            // A lone UTF-16 surrogate escape such as "\udc00" has no Unicode value.
            throw DrsException.Invalid(path, Messages.InvalidText);
        }

        return text.Length > maxLength ? throw DrsException.Invalid(path, Messages.TooLong, maxLength) : text;
    }

    /// <summary>Returns a required string that must be one of <paramref name="allowed"/> (ordinal).</summary>
    public static string RequireEnum(JsonElement obj, string name, string parent, IReadOnlySet<string> allowed, string allowedList)
    {
        var text = RequireString(obj, name, parent);
        return allowed.Contains(text) ? text : throw DrsException.Invalid(Path(parent, name), Messages.NotOneOf, text, allowedList);
    }

    public static string? OptionalEnum(JsonElement obj, string name, string parent, IReadOnlySet<string> allowed, string allowedList)
    {
        var text = OptionalString(obj, name, parent);
        return text is null || allowed.Contains(text)
            ? text
            : throw DrsException.Invalid(Path(parent, name), Messages.NotOneOf, text, allowedList);
    }

    /// <summary>Returns an optional JSON integer in [<paramref name="min"/>, <paramref name="max"/>]; fractions, strings and null are invalid.</summary>
    public static long? OptionalInteger(JsonElement obj, string name, string parent, long min, long max)
    {
        if (!obj.TryGetProperty(name, out var value))
        {
            return null;
        }

        if (value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var number) && number >= min && number <= max)
        {
            return number;
        }

        throw DrsException.Invalid(Path(parent, name), Messages.MustBeInteger, min, max);
    }

    /// <summary>Returns an optional JSON number (integer or fraction) in [<paramref name="min"/>, <paramref name="max"/>].</summary>
    public static double? OptionalNumber(JsonElement obj, string name, string parent, double min, double max)
    {
        if (!obj.TryGetProperty(name, out var value))
        {
            return null;
        }

        if (value.ValueKind == JsonValueKind.Number && value.TryGetDouble(out var number) && number >= min && number <= max)
        {
            return number;
        }

        throw DrsException.Invalid(Path(parent, name), Messages.MustBeNumber, min, max);
    }

    public static bool? OptionalBoolean(JsonElement obj, string name, string parent)
    {
        if (!obj.TryGetProperty(name, out var value))
        {
            return null;
        }

        return value.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw DrsException.Invalid(Path(parent, name), Messages.MustBeBoolean),
        };
    }
}
