namespace McpEgress.Protocols.Http;

/// <summary>
/// One HTTP request as seen on the wire (HTTP/1.x or HTTP/2), with its decoded body and its response status.
/// Credential header values are redacted at parse time (<see cref="HttpRedaction"/>); <see cref="Target"/> is kept as
/// sent (provider matching needs the path) — log <see cref="RedactedTarget"/>, never <see cref="Target"/>.
/// </summary>
public sealed class HttpRequestRecord
{
    private string? _redactedTarget;

    /// <summary>"HTTP/1.1", "HTTP/1.0" or "HTTP/2".</summary>
    public string Version { get; internal set; } = "";
    public string Method { get; internal set; } = "";

    /// <summary>Path and query as sent (HTTP/1 request-target or HTTP/2 :path).</summary>
    public string Target { get; internal set; } = "";

    /// <summary><see cref="Target"/> with credential query parameters replaced by "[REDACTED]".</summary>
    public string RedactedTarget => _redactedTarget ??= HttpRedaction.RedactTarget(Target);

    /// <summary>Host header or :authority; null when absent.</summary>
    public string? Authority { get; internal set; }

    /// <summary>:scheme (HTTP/2); null for HTTP/1 unless the target is in absolute form.</summary>
    public string? Scheme { get; internal set; }

    /// <summary>Request header fields in wire order, names as sent (HTTP/2: lower case), credentials redacted.
    /// HTTP/2 pseudo-headers are not included (they are in the properties above).</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Headers { get; internal set; } = [];

    public string? ContentType { get; internal set; }
    public string? ContentEncoding { get; internal set; }

    /// <summary>Body with transfer coding removed and content coding decompressed (when known and intact).</summary>
    public ReadOnlyMemory<byte> Body { get; internal set; }

    /// <summary>Body bytes are missing: over <see cref="HttpOptions.MaxBodyBytes"/> or
    /// <see cref="HttpOptions.MaxDecompressedBodyBytes"/>, or lost in a gap.</summary>
    public bool BodyTruncated { get; internal set; }

    /// <summary>Framed body bytes seen on the wire (before decompression), including bytes skipped over the limit.</summary>
    public long BodyWireBytes { get; internal set; }

    /// <summary>Why the content coding could not be removed (e.g. "gzip: invalid data"); null when fine.</summary>
    public string? BodyDecodeError { get; internal set; }

    /// <summary>The request was not seen to its end (gap, close, stream reset).</summary>
    public bool Incomplete { get; internal set; }

    /// <summary>Final response status; 0 if none was seen.</summary>
    public int ResponseStatus { get; internal set; }

    /// <summary>HTTP/2 stream id; 0 for HTTP/1.</summary>
    public int StreamId { get; internal set; }

    /// <summary>Timestamp of the data that carried the start of the request.</summary>
    public long StartTimestampNs { get; internal set; }

    public string? GetHeader(string name)
    {
        var headers = Headers;
        for (int i = 0; i < headers.Count; i++) // by index: foreach over the interface would box an enumerator per call
            if (string.Equals(headers[i].Key, name, StringComparison.OrdinalIgnoreCase))
                return headers[i].Value;
        return null;
    }

    public override string ToString() => $"{Version} {Method} {Authority}{RedactedTarget} -> {ResponseStatus}";
}
