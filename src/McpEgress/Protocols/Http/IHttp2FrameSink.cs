namespace McpEgress.Protocols.Http;

/// <summary>What <see cref="Http2FrameReader"/> tells its session.</summary>
internal interface IHttp2FrameSink
{
    /// <summary>A whole non-DATA frame; the payload is only valid during the call.</summary>
    void OnFrame(bool fromClient, Http2FrameHeader header, ReadOnlySpan<byte> payload, long frameStartTs);

    /// <summary>A piece of a DATA frame's data (padding removed).</summary>
    void OnData(bool fromClient, int streamId, ReadOnlySpan<byte> data);

    /// <summary>A DATA frame ended.</summary>
    void OnDataEnd(bool fromClient, int streamId, bool endStream);

    /// <summary>A non-DATA frame over <see cref="HttpOptions.MaxFrameBytes"/> was skipped unread.</summary>
    void OnFrameSkipped(bool fromClient, Http2FrameHeader header);

    /// <summary>The client did not start with the connection preface.</summary>
    void OnBadPreface();
}
