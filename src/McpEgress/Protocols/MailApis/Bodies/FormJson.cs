using System.Text.Json.Nodes;

namespace McpEgress.Protocols.MailApis.Bodies;

/// <summary>
/// Turns PHP/Rails-style bracketed form keys into a JSON tree, so form-encoded calls (Mandrill from PHP SDKs:
/// <c>message[to][0][email]=a@b</c>, <c>to[]=a@b</c>) go through the same code as JSON calls. Objects whose keys are
/// all small integers become arrays in key order; "[]" appends. Nesting is capped at <c>maxDepth</c> segments.
/// </summary>
public static class FormJson
{
    public static JsonObject ToJson(FormFields form, int maxDepth)
    {
        var root = new JsonObject();
        foreach (var f in form.Fields)
        {
            var segments = Split(f.Name, maxDepth);
            if (segments.Count == 0) continue;
            JsonNode node = root;
            for (int s = 0; s < segments.Count; s++)
            {
                bool last = s == segments.Count - 1;
                string seg = segments[s];
                if (node is not JsonObject obj) break;
                // "[]" appends: give it a fresh numeric key after the existing ones.
                if (seg.Length == 0) seg = "\u0001" + obj.Count.ToString(System.Globalization.CultureInfo.InvariantCulture);
                if (last)
                {
                    if (!obj.ContainsKey(seg)) obj[seg] = JsonValue.Create(f.Value);
                    break;
                }
                if (obj[seg] is not JsonObject child)
                {
                    child = new JsonObject();
                    obj[seg] = child;
                }
                node = child;
            }
        }
        // The root stays an object even when every top-level name is a number ("0=x"): callers look fields up by name.
        return (JsonObject)Arrayify(root, keepObject: true)!;
    }

    private static List<string> Split(string key, int maxDepth)
    {
        var list = new List<string>();
        int b = key.IndexOf('[');
        if (b < 0) { list.Add(key); return list; }
        list.Add(key[..b]);
        int i = b;
        while (i < key.Length && key[i] == '[' && list.Count < maxDepth)
        {
            int close = key.IndexOf(']', i);
            if (close < 0) break;
            list.Add(key[(i + 1)..close]);
            i = close + 1;
        }
        return list;
    }

    private static JsonNode? Arrayify(JsonNode? node, bool keepObject = false)
    {
        if (node is not JsonObject obj) return node;
        var entries = obj.ToList();
        obj.Clear();
        bool allIndex = entries.Count > 0;
        foreach (var (k, _) in entries)
            if (!IsIndex(k)) { allIndex = false; break; }
        var converted = entries.Select(e => new KeyValuePair<string, JsonNode?>(e.Key, Arrayify(e.Value))).ToList();
        if (allIndex && !keepObject)
        {
            var arr = new JsonArray();
            foreach (var e in converted.OrderBy(e => IndexOf(e.Key)))
                arr.Add(e.Value);
            return arr;
        }
        var result = new JsonObject();
        foreach (var e in converted) result[e.Key] = e.Value;
        return result;
    }

    private static bool IsIndex(string k)
    {
        var s = k.StartsWith('\u0001') ? k.AsSpan(1) : k.AsSpan();
        return s.Length is > 0 and <= 9 && s.IndexOfAnyExceptInRange('0', '9') < 0;
    }

    private static int IndexOf(string k) => int.Parse(k.StartsWith('\u0001') ? k.AsSpan(1) : k.AsSpan(),
        System.Globalization.CultureInfo.InvariantCulture);
}
