namespace McpEgress.Protocols.MailApis.Bodies;

/// <summary>
/// A Content-Type or Content-Disposition value split into its type (lower case) and parameters
/// (RFC 9110 §8.3.1, RFC 6266 §4.1): <c>type; name=value; name="quoted \" value"</c>. Never throws.
/// </summary>
public readonly struct MediaType
{
    private readonly List<KeyValuePair<string, string>>? _parameters;

    private MediaType(string type, List<KeyValuePair<string, string>>? parameters)
    {
        Type = type;
        _parameters = parameters;
    }

    /// <summary>Type/subtype (or disposition type) in lower case; empty when the value is absent.</summary>
    public string Type { get; }

    public bool Is(string type) => string.Equals(Type, type, StringComparison.Ordinal);

    /// <summary>Subtype after '/', e.g. "json" for "application/json".</summary>
    public string SubType => Type.IndexOf('/') is var i and >= 0 ? Type[(i + 1)..] : "";

    /// <summary>First parameter with this name (case-insensitive), unquoted; null when absent.</summary>
    public string? Parameter(string name)
    {
        if (_parameters is null) return null;
        foreach (var p in _parameters)
            if (string.Equals(p.Key, name, StringComparison.OrdinalIgnoreCase)) return p.Value;
        return null;
    }

    public static MediaType Parse(string? value)
    {
        if (string.IsNullOrEmpty(value)) return new MediaType("", null);
        int semi = value.IndexOf(';');
        string type = (semi < 0 ? value : value[..semi]).Trim().ToLowerInvariant();
        if (semi < 0) return new MediaType(type, null);
        var list = new List<KeyValuePair<string, string>>();
        int i = semi + 1;
        // Bounded by the value length; a parameter list never needs more than one pass.
        while (i < value.Length && list.Count < 64)
        {
            while (i < value.Length && (value[i] == ' ' || value[i] == '\t' || value[i] == ';')) i++;
            int nameStart = i;
            while (i < value.Length && value[i] != '=' && value[i] != ';') i++;
            string name = value[nameStart..i].Trim();
            if (i >= value.Length || value[i] == ';')
            {
                if (name.Length > 0) list.Add(new(name, ""));
                continue;
            }
            i++; // '='
            while (i < value.Length && (value[i] == ' ' || value[i] == '\t')) i++;
            string v;
            if (i < value.Length && value[i] == '"')
            {
                var sb = new System.Text.StringBuilder();
                i++;
                while (i < value.Length && value[i] != '"')
                {
                    if (value[i] == '\\' && i + 1 < value.Length) i++;
                    sb.Append(value[i]);
                    i++;
                }
                i++; // closing quote (or past the end)
                v = sb.ToString();
                while (i < value.Length && value[i] != ';') i++;
            }
            else
            {
                int vs = i;
                while (i < value.Length && value[i] != ';') i++;
                v = value[vs..i].Trim();
            }
            if (name.Length > 0) list.Add(new(name, v));
        }
        return new MediaType(type, list);
    }
}
