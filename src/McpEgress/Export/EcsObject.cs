using System.Collections;
using System.Globalization;
using System.Text.Json;

namespace McpEgress.Export;

/// <summary>
/// One event as a small ordered tree built from dotted ECS names ("email.to.address"), so fields from different
/// places (fixed fields, alert fields, <c>MailMessage.Extra</c>) merge into one nested object without duplicate
/// keys. The first value set at a path wins; a later value that would overwrite it, or nest under a leaf, is
/// dropped. Nulls, empty lists and non-finite numbers are never stored, so no null is ever written.
/// </summary>
internal sealed class EcsObject
{
    // Most objects of an event hold a handful of fields: start at 8 rather than growing 0, 4, 8 (Array.Copy was 41% of a
    // mail-heavy replay, inclusive).
    private readonly List<KeyValuePair<string, object>> _fields = new(8);

    /// <summary>Sets a value at a dotted path. Returns false when nothing was stored.</summary>
    public bool Set(string dottedPath, object? value)
    {
        value = Normalize(value);
        if (value is null || dottedPath.Length == 0) return false;
        var node = this;
        int start = 0;
        while (true)
        {
            int dot = dottedPath.IndexOf('.', start);
            string key = dot < 0 ? dottedPath[start..] : dottedPath[start..dot];
            if (key.Length == 0) return false;
            int i = node.IndexOf(key);
            if (dot < 0)
            {
                if (i >= 0) return false;
                node._fields.Add(new(key, value));
                return true;
            }
            if (i < 0)
            {
                var child = new EcsObject();
                node._fields.Add(new(key, child));
                node = child;
            }
            else if (node._fields[i].Value is EcsObject existing)
                node = existing;
            else
                return false;
            start = dot + 1;
        }
    }

    public int Count => _fields.Count;

    public object? Get(string key) => IndexOf(key) is var i and >= 0 ? _fields[i].Value : null;

    private int IndexOf(string key)
    {
        for (int i = 0; i < _fields.Count; i++)
            if (string.Equals(_fields[i].Key, key, StringComparison.Ordinal)) return i;
        return -1;
    }

    public void WriteTo(Utf8JsonWriter w)
    {
        w.WriteStartObject();
        foreach (var (key, value) in _fields)
        {
            w.WritePropertyName(key);
            WriteValue(w, value);
        }
        w.WriteEndObject();
    }

    private static void WriteValue(Utf8JsonWriter w, object value)
    {
        switch (value)
        {
            case string s: w.WriteStringValue(s); break;
            case bool b: w.WriteBooleanValue(b); break;
            case long l: w.WriteNumberValue(l); break;
            case ulong u: w.WriteNumberValue(u); break;
            case double d: w.WriteNumberValue(d); break;
            case decimal m: w.WriteNumberValue(m); break;
            case EcsObject o: o.WriteTo(w); break;
            case List<object> list:
                w.WriteStartArray();
                foreach (var item in list) WriteValue(w, item);
                w.WriteEndArray();
                break;
        }
    }

    /// <summary>Maps a CLR value to what <see cref="WriteValue"/> writes, or null to skip it.</summary>
    private static object? Normalize(object? value)
    {
        switch (value)
        {
            case null: return null;
            case string s: return Utf16.Clean(s);
            case bool or long or ulong or decimal or EcsObject: return value;
            case int or short or sbyte or byte or ushort or uint: return Convert.ToInt64(value, CultureInfo.InvariantCulture);
            case double d: return double.IsFinite(d) ? d : null;
            case float f: return float.IsFinite(f) ? (double)f : null;
            case DateTime dt: return dt.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);
            case DateTimeOffset dto: return dto.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);
            case Enum e: return e.ToString();
            case IDictionary dict:
            {
                var o = new EcsObject();
                foreach (DictionaryEntry entry in dict)
                    if (entry.Key is string k) o.Set(k, entry.Value);
                return o.Count > 0 ? o : null;
            }
            case IEnumerable seq:
            {
                var list = new List<object>();
                foreach (var item in seq)
                    if (Normalize(item) is { } n and not List<object>) list.Add(n);
                return list.Count > 0 ? list : null;
            }
            case IFormattable f: return Utf16.Clean(f.ToString(null, CultureInfo.InvariantCulture));
            default: return Utf16.Clean(value.ToString() ?? "");
        }
    }
}
