namespace McpEgress.Protocols.MailApis.Bodies;

/// <summary>One body part of a multipart body: its header fields and its content as a slice of the body.</summary>
public sealed class MultipartPart
{
    public List<KeyValuePair<string, string>> Headers { get; } = new();
    /// <summary>Content-Disposition name parameter (form-data field name); null when absent.</summary>
    public string? Name { get; internal set; }
    /// <summary>Content-Disposition filename parameter; null when absent.</summary>
    public string? FileName { get; internal set; }
    /// <summary>The part's Content-Type value as written; null when absent (RFC 2046 §5.1: text/plain then).</summary>
    public string? ContentType { get; internal set; }
    public ReadOnlyMemory<byte> Body { get; internal set; }

    public string? GetHeader(string name)
    {
        foreach (var h in Headers)
            if (string.Equals(h.Key, name, StringComparison.OrdinalIgnoreCase)) return h.Value;
        return null;
    }
}
