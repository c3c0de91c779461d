namespace McpEgress.Protocols.Http;

/// <summary>How the body after an HTTP/1.x head is framed (RFC 7230 §3.3.3).</summary>
internal enum Http1BodyMode : byte
{
    None,
    ContentLength,
    Chunked,
    UntilClose,

    /// <summary>The bytes after this head are not HTTP/1 any more (CONNECT tunnel, 101 upgrade): stop parsing.</summary>
    Stop,

    /// <summary>The head could not be framed (bad Content-Length...): resynchronise at the next start line.</summary>
    Resync,
}
