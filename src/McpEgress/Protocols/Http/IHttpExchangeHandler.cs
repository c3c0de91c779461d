using McpEgress.Reassembly;

namespace McpEgress.Protocols.Http;

/// <summary>
/// Receives each request once. When: the request body is complete AND its final (non-1xx) response head was seen.
/// Requests still waiting are emitted with <see cref="HttpRequestRecord.ResponseStatus"/> 0 at close, when a gap makes
/// matching impossible, when a limit evicts them (HTTP/1.1 pipelining, HTTP/2 streams), or on RST_STREAM. A request
/// whose body could not be fully seen is emitted with <see cref="HttpRequestRecord.Incomplete"/> set.
/// </summary>
public interface IHttpExchangeHandler
{
    void OnRequest(HttpRequestRecord request);

    /// <summary>
    /// True when the handler reads <see cref="HttpRequestRecord.Body"/> only inside <see cref="OnRequest"/> (nothing
    /// keeps it): an HTTP/1 session then collects bodies in pooled buffers, gives each back after the call and leaves
    /// the record's Body empty. False (the default) keeps every body in a buffer of its own.
    /// </summary>
    bool ReadsBodyOnlyDuringCall => false;

    /// <summary>
    /// An HTTP/2 CONNECT stream (RFC 9113 §8.5) got a 2xx: from now on its DATA in each direction is a tunnelled byte
    /// stream (<see cref="OnTunnelData"/>) to <paramref name="authority"/> (host:port). Client DATA sent before the
    /// reply (bounded) arrives right after this call.
    /// </summary>
    void OnTunnelOpen(int streamId, string authority) { }

    /// <summary>Bytes of an open CONNECT tunnel, in the order the frames came in their direction.</summary>
    void OnTunnelData(int streamId, FlowDirection direction, ReadOnlySpan<byte> data) { }

    /// <summary>A tunnel ended (both END_STREAMs, RST_STREAM, a lost direction or the connection's end).</summary>
    void OnTunnelClose(int streamId) { }

    /// <summary>A CONNECT was refused (non-2xx) or could not be followed; <paramref name="status"/> 0 when none came.</summary>
    void OnTunnelRefused(int streamId, string authority, int status) { }
}
