namespace McpEgress.Protocols.Http;

/// <summary>What <see cref="Http1MessageReader"/> tells its session. Header lists are raw (unredacted). A request's
/// list is the sink's to keep (the reader starts a new one for the next request); a response's list is only valid during
/// the call and holds only its framing fields (Content-Length, Transfer-Encoding).</summary>
internal interface IHttp1MessageSink
{
    /// <summary>A start line and header section were read; returns how the body is framed.</summary>
    Http1BodyMode OnHead(bool fromClient, string startLine, List<KeyValuePair<string, string>> headers, long startTs, out long contentLength);

    void OnBody(bool fromClient, ReadOnlySpan<byte> data);

    /// <summary>The message (incl. trailers) ended. <paramref name="complete"/> is false when it was cut by a gap.</summary>
    void OnMessageEnd(bool fromClient, bool complete);

    /// <summary>A gap inside a body of known length: bytes are missing but framing is intact.</summary>
    void OnBodyHole(bool fromClient, long missing);
}
