using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;

namespace McpEgress.Protocols.MailApis;

/// <summary>
/// Tolerant JSON accessors. Property names match case-insensitively (APIs built on case-insensitive binders accept
/// "bcc" and "Bcc" alike, so a sender could use either); values of an unexpected kind read as absent.
/// </summary>
internal static class JsonRead
{
    /// <summary>Every property of <paramref name="obj"/> named <paramref name="name"/> (any case); none if not an object.</summary>
    public static IEnumerable<JsonElement> Props(JsonElement obj, string name)
    {
        if (obj.ValueKind != JsonValueKind.Object) yield break;
        foreach (var p in obj.EnumerateObject())
            if (NameIs(p, name))
                yield return p.Value;
    }

    /// <summary>First property with that name whose value is not null.</summary>
    public static bool TryProp(JsonElement obj, string name, out JsonElement value)
    {
        if (obj.ValueKind == JsonValueKind.Object)
        {
            foreach (var p in obj.EnumerateObject()) // Props without its enumerator object: called per field per message
                if (NameIs(p, name) && p.Value.ValueKind is not (JsonValueKind.Null or JsonValueKind.Undefined))
                {
                    value = p.Value;
                    return true;
                }
        }
        value = default;
        return false;
    }

    public static bool Has(JsonElement obj, string name) => TryProp(obj, name, out _);

    /// <summary>String value of a property (numbers and booleans as their JSON text); null otherwise.</summary>
    public static string? Str(JsonElement obj, string name) => TryProp(obj, name, out var v) ? AsString(v) : null;

    public static string? AsString(JsonElement v)
    {
        try
        {
            return v.ValueKind switch
            {
                JsonValueKind.String => v.GetString(),
                JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => v.GetRawText(),
                _ => null,
            };
        }
        catch (InvalidOperationException)
        {
            // An escaped lone surrogate ("\ud800") can't become a .NET string.
            return null;
        }
    }

    /// <summary>
    /// As <see cref="AsString"/>, for a value that repeats across messages (an address): a plain ASCII string without
    /// escapes comes from the thread's <see cref="Mail.RecentStrings"/>, so a sender named in every call is one string.
    /// </summary>
    public static string? AsRecentString(JsonElement v)
    {
        if (v.ValueKind == JsonValueKind.String)
        {
            var raw = JsonMarshal.GetRawUtf8Value(v);
            if (raw.Length >= 2 && raw.Length - 2 <= Mail.RecentStrings.MaxChars)
            {
                var text = raw[1..^1]; // the quotes
                if (text.IndexOf((byte)'\\') < 0 && Ascii.IsValid(text)) return Mail.RecentStrings.GetAscii(text);
            }
        }
        return AsString(v);
    }

    /// <summary>The property's name is <paramref name="name"/> (ASCII) in any case.</summary>
    public static bool NameIs(JsonProperty p, string name)
    {
        // Compared on the raw UTF-8 name when it is plain ASCII (no escapes): no string per property and lookup.
        var raw = JsonMarshal.GetRawUtf8PropertyName(p);
        if (raw.IndexOf((byte)'\\') < 0 && Ascii.IsValid(raw)) return Ascii.EqualsIgnoreCase(raw, name);
        try
        {
            return string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase);
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    /// <summary>Array items; a lone object or string counts as a one-item array; anything else as empty.</summary>
    public static IEnumerable<JsonElement> Items(JsonElement v)
    {
        if (v.ValueKind == JsonValueKind.Array)
        {
            foreach (var e in v.EnumerateArray()) yield return e;
        }
        else if (v.ValueKind is JsonValueKind.Object or JsonValueKind.String)
        {
            yield return v;
        }
    }

    /// <summary>Items of the property's array (see <see cref="Items"/>), over every same-named property.</summary>
    public static IEnumerable<JsonElement> PropItems(JsonElement obj, string name)
    {
        foreach (var v in Props(obj, name))
            foreach (var e in Items(v))
                yield return e;
    }

    public static bool IsObject(JsonElement e) => e.ValueKind == JsonValueKind.Object;
}
