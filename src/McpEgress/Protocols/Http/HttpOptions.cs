namespace McpEgress.Protocols.Http;

/// <summary>Limits for the HTTP/1.x and HTTP/2 parsers. Every limit is enforced before the bytes it guards are kept.</summary>
public sealed class HttpOptions
{
    /// <summary>Bytes of one header section (request/response head or trailers; HTTP/2: encoded header block and
    /// decoded list, RFC 7541 §4.1 sizes). Beyond: <c>header_section_too_large</c>. Default 64 KiB.</summary>
    public int MaxHeaderBytes { get; init; } = 64 * 1024;

    /// <summary>Header fields kept per section; further fields are counted and dropped. Default 256.</summary>
    public int MaxHeaderCount { get; init; } = 256;

    /// <summary>Body bytes kept per request, as framed on the wire (before decompression). Beyond: the record is
    /// flagged <see cref="HttpRequestRecord.BodyTruncated"/>, the rest is skipped but counted. Default 8 MiB.</summary>
    public int MaxBodyBytes { get; init; } = 8 * 1024 * 1024;

    /// <summary>Request body bytes held at once by one connection, over all waiting requests (HTTP/1.1 pipelining) or
    /// open streams (HTTP/2), so MaxBodyBytes × MaxConcurrentStreams can't be reached. Bytes over it are counted and
    /// dropped (<c>connection_body_limit</c>; the record is flagged truncated). Default 32 MiB.</summary>
    public long MaxConnectionBodyBytes { get; init; } = 32 * 1024 * 1024;

    /// <summary>Bytes a gzip/deflate/br body may inflate to (decompression bomb guard). Default 16 MiB.</summary>
    public int MaxDecompressedBodyBytes { get; init; } = 16 * 1024 * 1024;

    /// <summary>HTTP/2 request streams tracked at once; further streams are counted (<c>too_many_streams</c>), their
    /// header blocks still decoded to keep HPACK in sync. Default 256.</summary>
    public int MaxConcurrentStreams { get; init; } = 256;

    /// <summary>
    /// Client bytes an HTTP/2 CONNECT stream may send before the proxy's reply (held, then replayed into the tunnel);
    /// beyond it the stream is dropped (<c>connect_early_data_too_long</c>). Default 64 KiB.
    /// </summary>
    public int MaxConnectEarlyDataBytes { get; init; } = 64 * 1024;

    /// <summary>Largest HPACK dynamic table we keep per direction. A SETTINGS_HEADER_TABLE_SIZE above this is capped
    /// (<c>hpack_table_size_capped</c>). Default 64 KiB.</summary>
    public int MaxHpackTableSize { get; init; } = 64 * 1024;

    /// <summary>HTTP/1.1 requests waiting for their response (pipelining). Beyond, the oldest is emitted with status 0
    /// (<c>too_many_pending_requests</c>). Default 32.</summary>
    public int MaxPendingRequests { get; init; } = 32;

    /// <summary>HTTP/2 frame payload we buffer (all frames but DATA, which is streamed). A frame above this, or above the
    /// receiver's SETTINGS_MAX_FRAME_SIZE (RFC 7540 §4.2), is <c>frame_too_large</c>. Default 1 MiB.</summary>
    public int MaxFrameBytes { get; init; } = 1024 * 1024;

    /// <summary>Length of one chunk-size line incl. extensions (RFC 7230 §4.1). Default 4 KiB.</summary>
    public int MaxChunkLineBytes { get; init; } = 4 * 1024;

    public static HttpOptions Default { get; } = new();
}
